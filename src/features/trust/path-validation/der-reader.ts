/**
 * A small, strict reader of DER TLVs for the structures path validation reads (certificate
 * extensions, CRLs): IMPLICIT tags and OPTIONAL fields are plain to see at this level, and
 * nothing is decoded that is not asked for.
 */
export class DerFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerFormatError';
  }
}

export interface Tlv {
  /** The identifier octet (single-byte tags only: all X.509 structures use them). */
  tag: number;
  /** The contents octets. */
  value: Buffer;
  /** The whole TLV. */
  der: Buffer;
}

export function readTlv(bytes: Buffer, offset = 0, limit = bytes.length): Tlv & { end: number } {
  if (offset + 2 > limit) throw new DerFormatError('truncated');
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerFormatError('multi-byte tag');
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || start + octets > limit) throw new DerFormatError('bad length');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + bytes[start + i];
    start += octets;
  }
  if (start + length > limit) throw new DerFormatError('truncated');
  return { tag, value: bytes.subarray(start, start + length), der: bytes.subarray(offset, start + length), end: start + length };
}

/** The single TLV that is all of `bytes`. */
export function readOne(bytes: Buffer, expectedTag?: number): Tlv {
  const tlv = readTlv(bytes);
  if (tlv.end !== bytes.length) throw new DerFormatError('trailing bytes');
  if (expectedTag !== undefined && tlv.tag !== expectedTag) throw new DerFormatError(`expected tag ${expectedTag.toString(16)}, found ${tlv.tag.toString(16)}`);
  return tlv;
}

export function children(tlv: Tlv): Tlv[] {
  if (!(tlv.tag & 0x20)) throw new DerFormatError('primitive where constructed expected');
  const out: Tlv[] = [];
  for (let at = 0; at < tlv.value.length; ) {
    const child = readTlv(tlv.value, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

export function oidOf(tlv: Tlv): string {
  if (tlv.tag !== 0x06 || tlv.value.length === 0) throw new DerFormatError('expected an OBJECT IDENTIFIER');
  const parts: number[] = [];
  let n = 0;
  for (const byte of tlv.value) {
    n = n * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  const first = parts.shift()!;
  return [first < 80 ? Math.floor(first / 40) : 2, first < 80 ? first % 40 : first - 80, ...parts].join('.');
}

/** A non-negative INTEGER small enough for a number (path lengths, skip counts, CRL numbers). */
export function smallIntegerOf(value: Buffer): number {
  if (value.length === 0 || value.length > 6 || value[0] & 0x80) throw new DerFormatError('expected a small non-negative INTEGER');
  return value.reduce((n, b) => n * 256 + b, 0);
}

/** INTEGER contents as a bigint (CRL numbers can be up to 20 octets). */
export function bigIntegerOf(value: Buffer): bigint {
  if (value.length === 0) throw new DerFormatError('empty INTEGER');
  let n = BigInt(`0x${value.toString('hex')}`);
  if (value[0] & 0x80) n -= 1n << BigInt(value.length * 8);
  return n;
}

export function booleanOf(tlv: Tlv): boolean {
  if (tlv.value.length !== 1) throw new DerFormatError('bad BOOLEAN');
  return tlv.value[0] !== 0;
}

/** UTCTime (YYMMDDHHMMSSZ, 1950-2049) or GeneralizedTime (YYYYMMDDHHMMSS[.f]Z). */
export function timeOf(tlv: Tlv): Date {
  const text = tlv.value.toString('latin1');
  const match = tlv.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : tlv.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/.exec(text) : null;
  if (!match) throw new DerFormatError(`bad time ${text}`);
  let year = Number(match[1]);
  if (tlv.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const ms = match[7] ? Math.floor(Number(`0.${match[7]}`) * 1000) : 0;
  return new Date(Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]), ms));
}

/** BIT STRING contents as a set of bit numbers (bit 0 is the most significant bit of the first octet). */
export function bitsOf(tlv: Tlv): Set<number> {
  if (tlv.value.length === 0) throw new DerFormatError('bad BIT STRING');
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
