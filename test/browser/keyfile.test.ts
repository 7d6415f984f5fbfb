import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openssl } from '../helpers/openssl.js';
import { buildPkcs12 } from '../../src/client/pkcs12-writer.js';
import { KeyFileError, openKeyFile } from '../../web/src/crypto/keyfile.js';
import { signCms } from '../../web/src/crypto/cms.js';
import { certificateFacts } from '../../web/src/crypto/certificate.js';

/**
 * The portal's key-file and CMS code, run here on Node's WebCrypto and checked by OpenSSL:
 * the files it must open (OpenSSL's own, Qorgau's pkijs-written ones, the national CA's legacy
 * one) and the signatures it makes.
 */
const NCA_P12 = fileURLToPath(new URL('../fixtures/nca/AUTH_RSA256_test.p12', import.meta.url));

function selfSigned(dir: string, keyType: 'ec' | 'rsa') {
  const key = path.join(dir, `${keyType}.key`);
  const cert = path.join(dir, `${keyType}.pem`);
  const args = keyType === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
  const made = openssl(['req', '-x509', ...args, '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=TEST PERSON/serialNumber=IIN880515300120/C=KZ', '-days', '2', '-addext', 'keyUsage=digitalSignature,nonRepudiation', '-addext', 'extendedKeyUsage=emailProtection']);
  expect(made.status, made.stderr).toBe(0);
  return { key, cert };
}

function verifiedContent(cms: Uint8Array, dir: string): string {
  const file = path.join(dir, `signed-${Math.random().toString(36).slice(2)}.der`);
  writeFileSync(file, cms);
  const verified = openssl(['cms', '-verify', '-inform', 'DER', '-in', file, '-noverify', '-binary']);
  expect(verified.status, verified.stderr).toBe(0);
  return verified.stdout;
}

describe('the portal opens key files and signs in the browser', () => {
  it('opens an OpenSSL PBES2/AES file (EC and RSA), signs CMS that OpenSSL verifies, and keeps the key non-extractable', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qorgau-keyfile-'));
    for (const keyType of ['ec', 'rsa'] as const) {
      const { key, cert } = selfSigned(dir, keyType);
      const p12 = path.join(dir, `${keyType}.p12`);
      const exported = openssl(['pkcs12', '-export', '-inkey', key, '-in', cert, '-out', p12, '-passout', 'pass:sekret-1', '-keypbe', 'AES-256-CBC', '-certpbe', 'AES-256-CBC', '-macalg', 'sha256']);
      expect(exported.status, exported.stderr).toBe(0);
      const opened = await openKeyFile(new Uint8Array(readFileSync(p12)), 'sekret-1');
      expect(opened.algorithm).toBe(keyType === 'ec' ? 'ECDSA-P256' : 'RSA');
      expect(opened.privateKey.extractable).toBe(false);
      expect(certificateFacts(opened.certificate)).toMatchObject({ iin: '880515300120', purpose: 'SIGN', gost: false });
      const content = `{"action":"restriction.place","iin":"880515300120","nonce":"${keyType}"}`;
      expect(verifiedContent(await signCms(opened, new TextEncoder().encode(content)), dir)).toBe(content);
      await expect(openKeyFile(new Uint8Array(readFileSync(p12)), 'sekret-2')).rejects.toMatchObject({ problem: 'BAD_PASSWORD' });
    }
  });

  it("opens Qorgau's own files (pkijs writes the encrypted key as a chunked BER OCTET STRING)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qorgau-keyfile-'));
    const { key, cert } = selfSigned(dir, 'ec');
    const pkcs8 = openssl(['pkcs8', '-topk8', '-nocrypt', '-in', key, '-outform', 'DER']).stdoutBytes;
    const der = openssl(['x509', '-in', cert, '-outform', 'DER']).stdoutBytes;
    const p12 = await buildPkcs12({ privateKeyPkcs8: pkcs8, certificate: der, password: 'Құпия сөз 2026', name: 'test' });
    const opened = await openKeyFile(new Uint8Array(p12), 'Құпия сөз 2026');
    expect(Buffer.from(opened.certificate).equals(der)).toBe(true);
    expect(verifiedContent(await signCms(opened, new TextEncoder().encode('nonce-123')), dir)).toBe('nonce-123');
  });

  it("opens the national CA's legacy file (3DES key, 40-bit RC2 certificates) and reads its facts", async () => {
    const opened = await openKeyFile(new Uint8Array(readFileSync(NCA_P12)), 'Qwerty12');
    expect(opened.algorithm).toBe('RSA');
    const facts = certificateFacts(opened.certificate);
    expect(facts).toMatchObject({ iin: '123456789011', purpose: 'AUTH', gost: false });
    expect(facts.notAfter.getUTCFullYear()).toBe(2019);
    const error = await openKeyFile(new Uint8Array(readFileSync(NCA_P12)), 'qwerty12').catch((e) => e);
    expect(error).toBeInstanceOf(KeyFileError);
    expect(error.problem).toBe('BAD_PASSWORD');
    await expect(openKeyFile(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x03]), 'x')).rejects.toMatchObject({ problem: 'MALFORMED' });
  });
});
