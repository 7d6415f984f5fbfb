import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestHierarchy, issuePerson, privateKeyPkcs8, tempDir, toPem, writeTemp, type TestPerson } from '../../test/helpers/cms-fixtures.js';
import { openssl } from '../../test/helpers/openssl.js';
import { AppError } from '../errors/app-error.js';
import { CertificateInfo } from '../pkix/certificate.js';
import { readPkcs12, signerFromPrivateKey } from './pkcs12.js';
import { RevocationChecker } from '../features/trust/index.js';
import { signCms } from './sign.js';
import { SignatureVerifier } from '../features/trust/index.js';
import { TrustStore } from '../features/trust/index.js';

const NCA = path.resolve(import.meta.dirname, '../../test/fixtures/nca');

function appErrorCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return undefined;
}

describe('PKCS#12', () => {
  let hierarchy: Awaited<ReturnType<typeof buildTestHierarchy>>;
  let person: TestPerson;
  let dir: string;

  beforeAll(async () => {
    hierarchy = await buildTestHierarchy();
    person = await issuePerson(hierarchy.issuing, { algorithm: 'RSA-2048' });
    dir = tempDir();
  });

  it("opens the national CA's legacy .p12 (3DES key, 40-bit RC2 certificates) without openssl", async () => {
    const p12 = readPkcs12(readFileSync(path.join(NCA, 'AUTH_RSA256_test.p12')), 'Qwerty12');
    expect(p12.privateKey.asymmetricKeyType).toBe('rsa');
    const certificate = CertificateInfo.parse(p12.certificate);
    expect(certificate.subject).toContain('IIN123456789011');
    // Same certificate as openssl -legacy extracts.
    const fromOpenssl = openssl(['pkcs12', '-legacy', '-in', path.join(NCA, 'AUTH_RSA256_test.p12'), '-passin', 'pass:Qwerty12', '-nokeys', '-clcerts']);
    expect(CertificateInfo.parse(fromOpenssl.stdout).der.equals(p12.certificate)).toBe(true);
  });

  it('signs with the NCA key: the signature verifies, the chain is indeterminate (its issuing CA is not in the fixtures), the test IIN is reported invalid', async () => {
    const p12 = readPkcs12(readFileSync(path.join(NCA, 'AUTH_RSA256_test.p12')), 'Qwerty12');
    const content = Buffer.from('sign-in challenge 7f3a');
    const cms = await signCms({ content, signer: signerFromPrivateKey(p12.privateKey), certificate: p12.certificate, signingTime: new Date('2019-01-15T10:00:00Z') });
    const trust = new TrustStore().addAnchor(CertificateInfo.parse(readFileSync(path.join(NCA, 'nca_rsa_test.crt'))));
    const report = await new SignatureVerifier(trust, new RevocationChecker([])).verify(cms);
    expect(report.result).toBe('indeterminate');
    const checks = Object.fromEntries(report.signers[0].checks.map((c) => [c.check, c.code]));
    expect(checks).toMatchObject({ signature: 'SIGNATURE_VALID', 'certificate-validity': 'CERTIFICATE_VALID', chain: 'NO_TRUSTED_CHAIN' });
    expect(report.signers[0].signer).toMatchObject({ iin: { value: '123456789011', valid: false, problem: 'IIN_CENTURY_DIGIT' }, purpose: 'AUTH', roles: ['individual'] });
    // OpenSSL agrees the signature itself is good (-noverify: no chain to check it against).
    const file = writeTemp(dir, 'nca.p7s', cms);
    expect(openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', file, '-noverify', '-out', '/dev/null']).stderr).toContain('Verification successful');
  });

  it.each([
    ['OpenSSL 3 default (PBES2, PBKDF2, AES-256-CBC)', []],
    ['legacy (3DES, RC2-40)', ['-legacy']],
  ])('reads a .p12 written by openssl pkcs12 -export: %s', async (_label, flags) => {
    const key = writeTemp(dir, `key-${flags.length}.pem`, toPem(await privateKeyPkcs8(person.sign.keys), 'PRIVATE KEY'));
    const cert = writeTemp(dir, `cert-${flags.length}.pem`, toPem(person.sign.der));
    const chain = writeTemp(dir, `chain-${flags.length}.pem`, toPem(hierarchy.issuing.der));
    const out = `${dir}/person-${flags.length}.p12`;
    const made = openssl(['pkcs12', '-export', ...flags, '-inkey', key, '-in', cert, '-certfile', chain, '-passout', 'pass:Жақсы құпия сөз 2026', '-out', out]);
    expect(made.status, made.stderr).toBe(0);
    const p12 = readPkcs12(readFileSync(out), 'Жақсы құпия сөз 2026');
    expect(p12.certificate.equals(person.sign.der)).toBe(true);
    expect(p12.chain.map((c) => c.toString('hex'))).toEqual([hierarchy.issuing.der.toString('hex')]);
    const cms = await signCms({ content: Buffer.from('x'), signer: signerFromPrivateKey(p12.privateKey), certificate: p12.certificate, chain: p12.chain });
    const trust = new TrustStore().addAnchor(CertificateInfo.parse(hierarchy.root.der));
    const report = await new SignatureVerifier(trust, new RevocationChecker([{ check: async () => ({ status: 'good', source: 'test', detail: 'good' }) }])).verify(cms);
    expect(report.result).toBe('valid');
    expect(appErrorCode(() => readPkcs12(readFileSync(out), 'wrong password'))).toBe('PKCS12_BAD_PASSWORD');
  });

  it('refuses a wrong password and a file that is not PKCS#12 with stable codes', () => {
    const nca = readFileSync(path.join(NCA, 'AUTH_RSA256_test.p12'));
    expect(appErrorCode(() => readPkcs12(nca, 'Qwerty13'))).toBe('PKCS12_BAD_PASSWORD');
    expect(appErrorCode(() => readPkcs12(Buffer.from('not a p12'), 'x'))).toBe('PKCS12_MALFORMED');
    expect(appErrorCode(() => readPkcs12(nca.subarray(0, nca.length - 40), 'Qwerty12'))).toBe('PKCS12_MALFORMED');
  });

  it('a damaged .p12 is refused with a PKCS12_ code, never another error', () => {
    const nca = readFileSync(path.join(NCA, 'AUTH_RSA256_test.p12'));
    let state = 42;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31);
    const codes = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const damaged = Buffer.from(nca);
      damaged[next() % damaged.length] ^= 1 << next() % 8;
      const code = appErrorCode(() => readPkcs12(i % 2 ? damaged : damaged.subarray(0, next() % damaged.length), 'Qwerty12'));
      if (code) codes.add(code);
    }
    expect([...codes].every((c) => c.startsWith('PKCS12_'))).toBe(true);
    expect(codes.has('PKCS12_MALFORMED')).toBe(true);
  });
});
