import { createHmac, hash } from 'node:crypto';

/**
 * The pseudonym of an IIN: HMAC-SHA-256(pseudonymization key, IIN). It is the only
 * form in which an IIN is stored outside pki/ and employment records (DESIGN.md).
 *
 * Imports hash millions of IINs, and createHmac() allocates an object per call.
 * HMAC is H((K ^ opad) || H((K ^ ipad) || m)) (RFC 2104); with the padded keys
 * computed once, each pseudonym is two one-shot hashes over short buffers.
 */
export class Pseudonymizer {
  private readonly inner: Buffer;
  private readonly outer: Buffer;
  private readonly innerScratch: Buffer;
  private readonly outerScratch: Buffer;

  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('The pseudonymization key must be at least 32 bytes');
    const block = Buffer.alloc(64);
    (key.length > 64 ? hash('sha256', key, 'buffer') : key).copy(block);
    this.inner = Buffer.alloc(64);
    this.outer = Buffer.alloc(64);
    for (let i = 0; i < 64; i++) {
      this.inner[i] = block[i] ^ 0x36;
      this.outer[i] = block[i] ^ 0x5c;
    }
    this.innerScratch = Buffer.alloc(64 + 12);
    this.inner.copy(this.innerScratch);
    this.outerScratch = Buffer.alloc(64 + 32);
    this.outer.copy(this.outerScratch);
  }

  /** The pseudonym of a 12-digit IIN (validate it first). */
  of(iin: string): Buffer {
    if (iin.length !== 12) return createHmac('sha256', this.key).update(iin).digest();
    this.innerScratch.write(iin, 64, 'latin1');
    const innerDigest = hash('sha256', this.innerScratch, 'buffer') as unknown as Buffer;
    innerDigest.copy(this.outerScratch, 64);
    return hash('sha256', this.outerScratch, 'buffer') as unknown as Buffer;
  }
}
