import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTestHierarchy } from '../../test/helpers/test-database.js';
import { buildEmployee, buildPerson, openssl, tempDir, writeTemp } from '../../test/helpers/pki-factories.js';
import { signWithProfile } from '../features/ca/index.js';
import type { CaHierarchy } from '../features/ca/index.js';
import { PROFILES, type PersonSubject } from '../features/ca/index.js';
import { checkCsr, decodeCsrText } from '../features/ca/index.js';
import { createKeyRequest, finishKeyRequest } from './keygen.js';
import { judgePassword } from './password-strength.js';

const password = 'steppe eagle over Almaty 2026';
let hierarchy: CaHierarchy;
beforeAll(async () => {
  hierarchy = await getTestHierarchy();
});

async function issueFor(dir: string, person: PersonSubject) {
  const holder = person.bin ? 'employee' : 'individual';
  const issue = async (kind: 'auth' | 'sign') => {
    const csr = await checkCsr(decodeCsrText(readFileSync(path.join(dir, `${kind}.csr.pem`), 'utf8'), kind), kind);
    return (await signWithProfile({ profile: PROFILES[`${holder}-${kind}`], person, subjectPublicKeyInfo: csr.spki }, { entity: hierarchy.issuing }, 'http://localhost:8080')).der;
  };
  return { auth: await issue('auth'), sign: await issue('sign') };
}

describe('password strength (zxcvbn-ts)', () => {
  it('refuses short or guessable passwords with reasons and suggestions, accepts strong ones', () => {
    expect(judgePassword('Qwerty123456')).toMatchObject({ ok: false, reasons: [expect.stringContaining('too easy to guess')], suggestions: expect.arrayContaining([expect.any(String)]) });
    expect(judgePassword('x7#Kp!2z').reasons[0]).toMatch(/8 characters; at least 12/);
    // Built from the person's own data: refused even though long.
    expect(judgePassword('Sarsenbaev880515300120', ['Sarsenbaev', '880515300120']).ok).toBe(false);
    expect(judgePassword(password)).toMatchObject({ ok: true, reasons: [] });
  });
});

describe('qorgau keygen', () => {
  it('refuses a weak password before making any key', async () => {
    const dir = path.join(tempDir(), 'keys');
    await expect(createKeyRequest({ dir, person: buildPerson(), idDocumentNumber: '045123456', password: 'password1234' })).rejects.toMatchObject({
      kind: 'unprocessable',
      code: 'PASSWORD_TOO_WEAK',
      extras: { reasons: [expect.stringContaining('too easy to guess')], suggestions: expect.arrayContaining([expect.any(String)]) },
    });
    expect(existsSync(path.join(dir, 'auth.key.pem'))).toBe(false);
  });

  for (const algorithm of ['ECDSA-P256', 'RSA-2048'] as const) {
    it(`${algorithm}: makes keys and CSRs, then .p12 files that OpenSSL opens with the password only`, async () => {
      const dir = path.join(tempDir(), 'keys');
      const person = algorithm === 'RSA-2048' ? buildEmployee() : buildPerson();
      const { application } = await createKeyRequest({ dir, person, idDocumentNumber: '045123456', password, algorithm });
      expect(application).toMatchObject({ iin: person.iin, authCsr: expect.stringContaining('BEGIN CERTIFICATE REQUEST') });
      expect(readFileSync(path.join(dir, 'auth.key.pem'), 'utf8')).toContain('ENCRYPTED PRIVATE KEY');
      const csrText = (await openssl(['req', '-in', path.join(dir, 'sign.csr.pem'), '-verify', '-noout', '-subject'])).stdout;
      expect(csrText).toContain(`serialNumber = IIN${person.iin}`);
      await expect(createKeyRequest({ dir, person, idDocumentNumber: '045123456', password })).rejects.toMatchObject({ code: 'KEYS_EXIST' });

      const issued = await issueFor(dir, person);
      await expect(finishKeyRequest({ dir, password: 'another strong password, wrong', authCertificate: issued.auth, signCertificate: issued.sign })).rejects.toMatchObject({
        code: 'KEY_DECRYPT_FAILED',
      });
      await expect(finishKeyRequest({ dir, password, authCertificate: issued.sign, signCertificate: issued.auth })).rejects.toMatchObject({ code: 'CERTIFICATE_KEY_MISMATCH' });
      const written = await finishKeyRequest({ dir, password, authCertificate: issued.auth, signCertificate: issued.sign, chain: [hierarchy.issuing.der, hierarchy.root.der] });
      expect(existsSync(path.join(dir, 'auth.key.pem'))).toBe(false);

      const passFile = writeTemp(dir, 'pass', password);
      for (const file of [written.authP12, written.signP12]) {
        const info = await openssl(['pkcs12', '-info', '-nodes', '-in', file, '-passin', `file:${passFile}`]);
        expect(info.code).toBe(0);
        expect(info.stderr).toMatch(/MAC: sha256/);
        expect(info.stderr).toMatch(/PBES2, PBKDF2, AES-256-CBC/);
        expect(info.stdout).toContain('-----BEGIN PRIVATE KEY-----');
        expect(info.stdout.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
        const wrong = await openssl(['pkcs12', '-info', '-nodes', '-in', file, '-passin', 'pass:not the password at all']);
        expect(wrong.code).not.toBe(0);
      }
      // The key in sign.p12 is the key of the SIGN certificate.
      const keyPem = (await openssl(['pkcs12', '-in', written.signP12, '-nocerts', '-nodes', '-passin', `file:${passFile}`])).stdout;
      const fromKey = (await openssl(['pkey', '-pubout'], { input: keyPem })).stdout;
      const fromCert = (await openssl(['x509', '-inform', 'DER', '-noout', '-pubkey', '-in', writeTemp(dir, 'sign.cer', issued.sign)])).stdout;
      expect(fromKey).toContain('-----BEGIN PUBLIC KEY-----');
      expect(fromKey).toBe(fromCert);
    });
  }
});
