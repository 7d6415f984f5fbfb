import { createPublicKey, verify } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openssl, tempDir, writeTemp } from '../../../../test/helpers/pki-factories.js';
import { EncryptedFileSigner, readPassphraseFile } from './encrypted-file-signer.js';

const passphrase = 'a long enough passphrase 42';

describe('EncryptedFileSigner', () => {
  for (const algorithm of ['ECDSA-P256', 'RSA-2048'] as const) {
    it(`${algorithm}: writes an encrypted PKCS#8 key that signs SHA-256 signatures others verify`, async () => {
      const dir = tempDir();
      const keyFile = path.join(dir, 'ca.key.pem');
      await EncryptedFileSigner.generate(keyFile, passphrase, algorithm);
      expect(readFileSync(keyFile, 'utf8')).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
      expect(statSync(keyFile).mode & 0o077).toBe(0);

      const signer = await EncryptedFileSigner.load(keyFile, passphrase);
      expect(signer.algorithm).toBe(algorithm);
      const data = Buffer.from('to be signed');
      const signature = await signer.sign(data);
      const publicKey = createPublicKey({ key: await signer.publicKeySpki(), format: 'der', type: 'spki' });
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
      expect(verify('sha256', Buffer.from('something else'), { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(false);
      if (algorithm === 'ECDSA-P256') expect(signature[0]).toBe(0x30); // DER ECDSA-Sig-Value, not r || s
      else expect(signature.length).toBe(256);

      // OpenSSL reads the key with the same passphrase, and only with it.
      const passFile = writeTemp(dir, 'pass', passphrase);
      expect((await openssl(['pkey', '-in', keyFile, '-passin', `file:${passFile}`, '-noout'])).code).toBe(0);
      const wrong = writeTemp(dir, 'wrong', 'not the passphrase at all');
      expect((await openssl(['pkey', '-in', keyFile, '-passin', `file:${wrong}`, '-noout'])).code).not.toBe(0);
    });
  }

  it('refuses a wrong passphrase and an unencrypted key with clear codes', async () => {
    const dir = tempDir();
    const keyFile = path.join(dir, 'ca.key.pem');
    await EncryptedFileSigner.generate(keyFile, passphrase);
    await expect(EncryptedFileSigner.load(keyFile, 'wrong passphrase!!')).rejects.toMatchObject({ code: 'KEY_DECRYPT_FAILED', kind: 'unprocessable' });
    const plain = path.join(dir, 'plain.pem');
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', plain]);
    await expect(EncryptedFileSigner.load(plain, passphrase)).rejects.toMatchObject({ code: 'KEY_NOT_ENCRYPTED' });
    await expect(EncryptedFileSigner.load(path.join(dir, 'missing.pem'), passphrase)).rejects.toMatchObject({ code: 'KEY_FILE_UNREADABLE' });
  });

  it('refuses a curve the CA does not use', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'p384.pem');
    const passFile = writeTemp(dir, 'pass', passphrase);
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-aes-256-cbc', '-pass', `file:${passFile}`, '-out', file]);
    await expect(EncryptedFileSigner.load(file, passphrase)).rejects.toMatchObject({ code: 'KEY_ALGORITHM_UNSUPPORTED' });
  });

  it('reads the passphrase from the first line of its file', async () => {
    const dir = tempDir();
    expect(await readPassphraseFile(writeTemp(dir, 'p', `${passphrase}\n`))).toBe(passphrase);
    await expect(readPassphraseFile(writeTemp(dir, 'empty', '\n'))).rejects.toMatchObject({ code: 'PASSPHRASE_EMPTY' });
  });
});
