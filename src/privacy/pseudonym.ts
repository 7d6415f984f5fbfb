import { createHash, createHmac } from 'node:crypto';
import { compress, midstate } from './sha256-midstate.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_CODES = new Uint16Array(256).map((_, i) => (HEX[i].charCodeAt(0) << 8) | HEX[i].charCodeAt(1));

/**
 * The pseudonym of an IIN: HMAC-SHA-256(pseudonymization key, IIN). It is the only
 * form in which an IIN is stored outside ca/, trust/ and employment records (DESIGN.md).
 *
 * HMAC is H((K ^ opad) || H((K ^ ipad) || m)) (RFC 2104). For a 12-digit IIN the inner
 * message fits one block after the key block, and so does the outer one: with the two
 * key-block states computed once, a pseudonym is two SHA-256 compressions.
 */
export class Pseudonymizer {
  private readonly innerState: Int32Array;
  private readonly outerState: Int32Array;
  private readonly state = new Int32Array(8);
  private readonly innerBlock = new Int32Array(16);
  private readonly outerBlock = new Int32Array(16);

  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error('The pseudonymization key must be at least 32 bytes');
    const block = Buffer.alloc(64);
    (key.length > 64 ? createHash('sha256').update(key).digest() : key).copy(block);
    const ipad = Buffer.alloc(64);
    const opad = Buffer.alloc(64);
    for (let i = 0; i < 64; i++) {
      ipad[i] = block[i] ^ 0x36;
      opad[i] = block[i] ^ 0x5c;
    }
    this.innerState = midstate(ipad);
    this.outerState = midstate(opad);
    // Inner block: 12 message bytes, 0x80, zeros, and the bit length of key block + message.
    this.innerBlock[3] = 0x80000000 | 0;
    this.innerBlock[15] = (64 + 12) * 8;
    // Outer block: the 32-byte inner digest, 0x80, zeros, and the bit length (64 + 32) * 8.
    this.outerBlock[8] = 0x80000000 | 0;
    this.outerBlock[15] = (64 + 32) * 8;
  }

  /** Computes the pseudonym of a 12-character IIN into this.state. */
  private digest(iin: string): void {
    const b = this.innerBlock;
    const c = (i: number) => iin.charCodeAt(i) & 0xff;
    b[0] = (c(0) << 24) | (c(1) << 16) | (c(2) << 8) | c(3);
    b[1] = (c(4) << 24) | (c(5) << 16) | (c(6) << 8) | c(7);
    b[2] = (c(8) << 24) | (c(9) << 16) | (c(10) << 8) | c(11);
    const s = this.state;
    s.set(this.innerState);
    compress(s, b);
    const o = this.outerBlock;
    for (let i = 0; i < 8; i++) o[i] = s[i];
    s.set(this.outerState);
    compress(s, o);
  }

  /** The pseudonym of an IIN (validate it first). */
  of(iin: string): Buffer {
    if (iin.length !== 12) return createHmac('sha256', this.key).update(iin).digest();
    this.digest(iin);
    const out = Buffer.allocUnsafe(32);
    for (let i = 0; i < 8; i++) out.writeInt32BE(this.state[i], i * 4);
    return out;
  }

  /** Writes the pseudonym as 64 lower-case hex characters into `target` at `offset` (bulk imports). */
  writeHex(iin: string, target: Buffer, offset: number): number {
    if (iin.length !== 12) return offset + target.write(this.of(iin).toString('hex'), offset, 'latin1');
    this.digest(iin);
    let at = offset;
    for (let i = 0; i < 8; i++) {
      const word = this.state[i];
      for (let shift = 24; shift >= 0; shift -= 8) {
        const code = HEX_CODES[(word >>> shift) & 0xff];
        target[at++] = code >> 8;
        target[at++] = code & 0xff;
      }
    }
    return at;
  }
}
