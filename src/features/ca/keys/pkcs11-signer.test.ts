import { execFileSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson, buildSubjectKey, openssl, tempDir, toPem, writeTemp } from '../../../../test/helpers/pki-factories.js';
import { signWithProfile } from '../authority/certificate-authority.js';
import { PROFILES } from '../profiles.js';
import { Pkcs11Signer, SOFTHSM2_LIBRARY } from './pkcs11-signer.js';
import { initCa, loadCaHierarchy } from '../authority/ceremony.js';

const tokenLabel = 'qorgau-test';
const pin = '123456';

if (!SOFTHSM2_LIBRARY) {
  // Said loudly: a skipped HSM test must never look like a passing one.
  console.warn('SKIPPING the PKCS#11 tests: the softhsm2 library is not installed (apt-get install softhsm2; .ci/run installs it)');
}

describe.skipIf(!SOFTHSM2_LIBRARY)('Pkcs11Signer on SoftHSM2', () => {
  const signers: Pkcs11Signer[] = [];

  beforeAll(() => {
    // A token of our own in a temp folder: SOFTHSM2_CONF is read when the module initializes.
    const dir = tempDir('qorgau-softhsm-');
    mkdirSync(path.join(dir, 'tokens'));
    writeFileSync(path.join(dir, 'softhsm2.conf'), `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    process.env.SOFTHSM2_CONF = path.join(dir, 'softhsm2.conf');
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', tokenLabel, '--so-pin', '654321', '--pin', pin], { stdio: 'pipe' });
  });

  afterAll(async () => {
    for (const s of signers) await s.close();
  });

  for (const algorithm of ['ECDSA-P256', 'RSA-2048'] as const) {
    it(`${algorithm}: generates a key on the token and signs with it`, async () => {
      const options = { library: SOFTHSM2_LIBRARY!, tokenLabel, pin, keyLabel: `ca-${algorithm}` };
      const signer = Pkcs11Signer.generate(options, algorithm);
      signers.push(signer);
      expect(signer.algorithm).toBe(algorithm);
      const data = Buffer.from('TBSCertificate bytes');
      const signature = await signer.sign(data);
      const publicKey = createPublicKey({ key: await signer.publicKeySpki(), format: 'der', type: 'spki' });
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
      expect(verify('sha256', Buffer.from('other bytes'), { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(false);

      // Many signatures at once (as a busy OCSP responder asks) all succeed: the session is used one at a time.
      const many = await Promise.all(Array.from({ length: 20 }, (_, i) => signer.sign(Buffer.from(`message ${i}`))));
      many.forEach((sig, i) => expect(verify('sha256', Buffer.from(`message ${i}`), { key: publicKey, dsaEncoding: 'der' }, sig)).toBe(true));

      // Re-opening by label finds the same key.
      const again = Pkcs11Signer.open(options);
      signers.push(again);
      expect((await again.publicKeySpki()).equals(await signer.publicKeySpki())).toBe(true);
    });
  }

  it('signs a root certificate that OpenSSL verifies', async () => {
    const signer = Pkcs11Signer.generate({ library: SOFTHSM2_LIBRARY!, tokenLabel, pin, keyLabel: 'root-hsm' }, 'ECDSA-P256');
    signers.push(signer);
    const root = await signWithProfile(
      { profile: PROFILES['root-ca'], commonName: 'Qorgau HSM Root', subjectPublicKeyInfo: await signer.publicKeySpki() },
      { selfSigned: signer },
      'http://localhost:8080',
    );
    const dir = tempDir();
    const file = writeTemp(dir, 'root.pem', toPem(root.der));
    const result = await openssl(['verify', '-CAfile', file, file]);
    expect(result.stdout + result.stderr).toContain('OK');
    expect(result.code).toBe(0);
  });

  it('the ceremony can put the whole hierarchy on the token', async () => {
    const dir = path.join(tempDir(), 'ca');
    const record = await initCa({ dir, passphrase: pin, publicUrl: 'http://localhost:8080', pkcs11: { library: SOFTHSM2_LIBRARY!, tokenLabel } });
    expect(record.keyStorage).toEqual({ kind: 'pkcs11', library: SOFTHSM2_LIBRARY, tokenLabel });
    expect(existsSync(path.join(dir, 'root.key.pem'))).toBe(false);
    const p = (name: string) => path.join(dir, `${name}.pem`);
    const chain = await openssl(['verify', '-x509_strict', '-CAfile', p('root'), '-untrusted', p('issuing'), p('issuing'), p('ocsp-signer'), p('tsa')]);
    expect(chain.stderr).toBe('');
    expect(chain.code).toBe(0);

    const hierarchy = await loadCaHierarchy(dir, pin);
    for (const entity of [hierarchy.root, hierarchy.issuing, hierarchy.ocspSigner, hierarchy.tsa]) signers.push(entity.signer as Pkcs11Signer);
    expect(hierarchy.issuing.signer).toBeInstanceOf(Pkcs11Signer);
    const leaf = await signWithProfile(
      { profile: PROFILES['individual-sign'], person: buildPerson(), subjectPublicKeyInfo: buildSubjectKey().spki },
      { entity: hierarchy.issuing },
      'http://localhost:8080',
    );
    const verified = await openssl(['verify', '-CAfile', p('root'), '-untrusted', p('issuing'), writeTemp(dir, 'leaf.pem', toPem(leaf.der))]);
    expect(verified.code).toBe(0);
  });

  it('refuses an unknown token and a missing key with clear codes', () => {
    expect(() => Pkcs11Signer.open({ library: SOFTHSM2_LIBRARY!, tokenLabel: 'no-such-token', pin, keyLabel: 'x' })).toThrow(
      expect.objectContaining({ code: 'PKCS11_TOKEN_NOT_FOUND' }),
    );
    expect(() => Pkcs11Signer.open({ library: SOFTHSM2_LIBRARY!, tokenLabel, pin, keyLabel: 'no-such-key' })).toThrow(
      expect.objectContaining({ code: 'PKCS11_KEY_NOT_FOUND' }),
    );
  });
});
