import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Seals the pictures of an identity proofing (ID photo and live frames) with AES-256-GCM. The
 * key is derived (HKDF-SHA-256) from the pseudonymization key, which lives outside the
 * database: a copy of the database alone shows no face. The application id is the additional
 * authenticated data, so a sealed capture moved to another application's row does not open.
 *
 * Sealed form: version 0x01 | IV (12) | tag (16) | ciphertext.
 */
export class CaptureSeal {
  private readonly key: Buffer;
  constructor(pseudonymKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', pseudonymKey, Buffer.alloc(0), 'qorgau proofing captures v1', 32));
  }

  seal(applicationId: string, plaintext: Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(applicationId));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
  }

  open(applicationId: string, sealed: Buffer): Buffer {
    if (sealed[0] !== 1) throw new Error('unknown sealed capture version');
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from(applicationId));
    decipher.setAuthTag(sealed.subarray(13, 29));
    return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
  }
}
