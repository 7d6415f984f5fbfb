/**
 * The one strict DER reader (X.690 section 10): definite lengths only, each in the fewest
 * octets, single-byte tags, and nothing after the outermost element (`readOne`). It reads
 * TLVs as views over the input (no copies, nothing decoded that is not asked for), which keeps
 * a CRL of a million entries cheap and makes IMPLICIT tags and OPTIONAL fields plain to see.
 * Used by the CA (OCSP requests, its own certificate's parts) and by trust (certificates and
 * CRLs for path validation, anyone's CRLs). BER from other signers' CMS goes through the
 * tolerant decoder of `der/ber.ts` instead, because that is what the real-world input needs.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export interface Tlv {
  /** The identifier octet (single-byte tags only: every X.509, CRL, OCSP and CMS structure uses them). */
  tag: number;
  /** The contents octets (a view of the input). */
  value: Buffer;
  /** The whole TLV (a view of the input). */
  der: Buffer;
  /** Offset just past this TLV in the bytes it was read from. */
  end: number;
}

const view = (bytes: Uint8Array, start: number, end: number) => Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start);

/** Reads the TLV at `offset`, refusing what DER forbids and anything running past `limit`. */
export function readTlv(bytes: Uint8Array, offset = 0, limit = bytes.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated');
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not used here');
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0) throw new DerError('indefinite length is not DER');
    if (octets > 4) throw new DerError('length too large');
    if (start + octets > limit) throw new DerError('truncated length');
    if (bytes[start] === 0) throw new DerError('non-minimal length');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + bytes[start + i];
    if (length < 0x80) throw new DerError('non-minimal length');
    start += octets;
  }
  const end = start + length;
  if (end > limit) throw new DerError('truncated contents');
  return { tag, value: view(bytes, start, end), der: view(bytes, offset, end), end };
}

/** The single TLV that is all of `bytes` (no trailing bytes), with the tag expected if given. */
export function readOne(bytes: Uint8Array, expectedTag?: number): Tlv {
  const tlv = readTlv(bytes);
  if (tlv.end !== bytes.length) throw new DerError('trailing bytes');
  if (expectedTag !== undefined && tlv.tag !== expectedTag) throw new DerError(`expected tag ${expectedTag.toString(16)}, found ${tlv.tag.toString(16)}`);
  return tlv;
}

/** The elements inside a constructed TLV, which must fill it exactly. */
export function children(tlv: Tlv): Tlv[] {
  if (!(tlv.tag & 0x20)) throw new DerError('primitive where constructed expected');
  const out: Tlv[] = [];
  for (let at = 0; at < tlv.value.length; ) {
    const child = readTlv(tlv.value, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The one element inside a constructed TLV ([n] EXPLICIT, an OCTET STRING wrapping DER is read with readOne). */
export function onlyChild(tlv: Tlv, expectedTag?: number): Tlv {
  const inner = children(tlv);
  if (inner.length !== 1) throw new DerError(`expected one element, found ${inner.length}`);
  if (expectedTag !== undefined && inner[0].tag !== expectedTag) throw new DerError(`expected tag ${expectedTag.toString(16)}, found ${inner[0].tag.toString(16)}`);
  return inner[0];
}

/** The dotted form of an OBJECT IDENTIFIER; refuses an empty one, a padded arc (leading 0x80) and a last arc left open. */
export function oidOf(tlv: Tlv): string {
  if (tlv.tag !== 0x06 || tlv.value.length === 0) throw new DerError('expected an OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let n = 0n;
  let fresh = true;
  for (const byte of tlv.value) {
    if (fresh && byte === 0x80) throw new DerError('non-minimal OBJECT IDENTIFIER arc');
    n = (n << 7n) | BigInt(byte & 0x7f);
    fresh = !(byte & 0x80);
    if (fresh) {
      arcs.push(n);
      n = 0n;
    }
  }
  if (!fresh) throw new DerError('OBJECT IDENTIFIER ends inside an arc');
  const first = arcs.shift()!;
  const top = first < 80n ? first / 40n : 2n;
  return [top, first - top * 40n, ...arcs].join('.');
}

/** A non-negative INTEGER small enough for a number (path lengths, skip counts, versions). */
export function smallIntegerOf(value: Buffer): number {
  if (value.length === 0 || value.length > 6 || value[0] & 0x80) throw new DerError('expected a small non-negative INTEGER');
  return value.reduce((n, b) => n * 256 + b, 0);
}

/** INTEGER contents as a bigint (CRL numbers can be up to 20 octets). */
export function bigIntegerOf(value: Buffer): bigint {
  if (value.length === 0) throw new DerError('empty INTEGER');
  let n = BigInt(`0x${value.toString('hex')}`);
  if (value[0] & 0x80) n -= 1n << BigInt(value.length * 8);
  return n;
}

export function booleanOf(tlv: Tlv): boolean {
  if (tlv.value.length !== 1) throw new DerError('bad BOOLEAN');
  return tlv.value[0] !== 0;
}

/** UTCTime (YYMMDDHHMMSSZ, 1950-2049) or GeneralizedTime (YYYYMMDDHHMMSS[.f]Z). */
export function timeOf(tlv: Tlv): Date {
  const text = tlv.value.toString('latin1');
  const match = tlv.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : tlv.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/.exec(text) : null;
  if (!match) throw new DerError(`bad time ${text.slice(0, 40)}`);
  let year = Number(match[1]);
  if (tlv.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const ms = match[7] ? Math.floor(Number(`0.${match[7]}`) * 1000) : 0;
  return new Date(Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]), ms));
}

/** BIT STRING contents as a set of bit numbers (bit 0 is the most significant bit of the first octet). */
export function bitsOf(tlv: Tlv): Set<number> {
  if (tlv.value.length === 0 || tlv.value[0] > 7) throw new DerError('bad BIT STRING');
  const bits = new Set<number>();
  for (let i = 1; i < tlv.value.length; i++) {
    for (let b = 0; b < 8; b++) if (tlv.value[i] & (0x80 >> b)) bits.add((i - 1) * 8 + b);
  }
  return bits;
}

/**
 * The canonical hex of an INTEGER's value (two's complement, minimal): redundant leading 00
 * before a positive octet, or FF before a negative one, are dropped, and nothing else. So the
 * serial 255 (00 FF) and -1 (FF) stay different, as they are.
 */
export function canonicalIntegerHex(contents: Buffer | string): string {
  let hex = typeof contents === 'string' ? contents.toLowerCase() : contents.toString('hex');
  while (hex.length > 2) {
    const next = parseInt(hex.slice(2, 4), 16);
    if ((hex.startsWith('00') && next < 0x80) || (hex.startsWith('ff') && next >= 0x80)) hex = hex.slice(2);
    else break;
  }
  return hex;
}
