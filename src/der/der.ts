import * as asn1js from 'asn1js';

/**
 * A small DER writer. CMS signatures cover DER bytes, and a verifier that re-encodes
 * (OpenSSL does, for signedAttrs) must arrive at the very bytes we signed: so structures we
 * sign are written here, byte by byte, with SET OF sorted as X.690 section 11.6 requires,
 * instead of through a general encoder that keeps whatever order it was given.
 * Parsing stays with asn1js/pkijs, which are tolerant of the BER other signers produce.
 */

function lengthOctets(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with a single-byte tag. */
export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), lengthOctets(body.length), body]);
}

export const sequence = (...items: Uint8Array[]) => tlv(0x30, ...items);

/** SET OF in DER: elements sorted by their encodings (X.690 11.6). */
export function setOf(...items: Uint8Array[]): Buffer {
  return tlv(0x31, ...[...items].map((i) => Buffer.from(i)).sort(Buffer.compare));
}

export const octetString = (bytes: Uint8Array) => tlv(0x04, bytes);
export const nullValue = () => Buffer.from([0x05, 0x00]);
export const booleanValue = (value: boolean) => Buffer.from([0x01, 0x01, value ? 0xff : 0x00]);

/** [n] EXPLICIT (constructed context tag wrapping a whole TLV). */
export const explicit = (n: number, ...items: Uint8Array[]) => tlv(0xa0 | n, ...items);

/** [n] IMPLICIT over a constructed type: the same length and contents under a context tag. */
export function implicitConstructed(n: number, element: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0xa0 | n]), element.subarray(1)]);
}

/** The number of tag and length octets at the start of a DER element. */
export function headerLength(element: Uint8Array): number {
  const first = element[1];
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}

/** INTEGER from unsigned big-endian bytes (leading zeros trimmed, a 0 added if the top bit is set). */
export function unsignedInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  let value = Buffer.from(bytes.subarray(start));
  if (value.length === 0) value = Buffer.from([0]);
  if (value[0] & 0x80) value = Buffer.concat([Buffer.from([0]), value]);
  return tlv(0x02, value);
}

export function smallInteger(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`not a small non-negative integer: ${value}`);
  const bytes: number[] = [];
  for (let n = value; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return unsignedInteger(Uint8Array.from(bytes.length ? bytes : [0]));
}

export function objectIdentifier(oid: string): Buffer {
  const arcs = oid.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new RangeError(`bad OID ${oid}`);
  const out: number[] = [];
  const encodeArc = (arc: bigint) => {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let rest = arc >> 7n; rest > 0n; rest >>= 7n) chunk.unshift(Number(rest & 0x7fn) | 0x80);
    out.push(...chunk);
  };
  encodeArc(arcs[0] * 40n + arcs[1]);
  for (const arc of arcs.slice(2)) encodeArc(arc);
  return tlv(0x06, Uint8Array.from(out));
}

function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}

/** UTCTime for 1950..2049 as RFC 5280 asks; GeneralizedTime otherwise (RFC 5652 SigningTime). */
export function time(date: Date): Buffer {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? utcTime(date) : generalizedTime(date, false);
}

export function utcTime(date: Date): Buffer {
  const text =
    twoDigits(date.getUTCFullYear() % 100) +
    twoDigits(date.getUTCMonth() + 1) +
    twoDigits(date.getUTCDate()) +
    twoDigits(date.getUTCHours()) +
    twoDigits(date.getUTCMinutes()) +
    twoDigits(date.getUTCSeconds()) +
    'Z';
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

/** GeneralizedTime in UTC; with milliseconds, trailing zeros of the fraction dropped (RFC 3161 genTime). */
export function generalizedTime(date: Date, withMilliseconds: boolean): Buffer {
  let text =
    String(date.getUTCFullYear()).padStart(4, '0') +
    twoDigits(date.getUTCMonth() + 1) +
    twoDigits(date.getUTCDate()) +
    twoDigits(date.getUTCHours()) +
    twoDigits(date.getUTCMinutes()) +
    twoDigits(date.getUTCSeconds());
  const ms = date.getUTCMilliseconds();
  if (withMilliseconds && ms !== 0) text += '.' + String(ms).padStart(3, '0').replace(/0+$/, '');
  return tlv(0x18, Buffer.from(text + 'Z', 'ascii'));
}

/** AlgorithmIdentifier with absent parameters (SHA-2 and ECDSA per RFC 5754/5758) or NULL (RSA per RFC 4055). */
export function algorithmIdentifier(oid: string, parameters: 'absent' | 'null' = 'absent'): Buffer {
  return parameters === 'null' ? sequence(objectIdentifier(oid), nullValue()) : sequence(objectIdentifier(oid));
}

/** BIT STRING of named bits (DER: trailing zero bits dropped, unused-bits count set). */
export function namedBits(bits: number[]): Buffer {
  if (bits.length === 0) return tlv(0x03, Uint8Array.from([0]));
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] |= 0x80 >> bit % 8;
  const unused = 7 - (highest % 8);
  return tlv(0x03, Uint8Array.from([unused]), bytes);
}

export function utf8String(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, 'utf8'));
}

/**
 * asn1js.fromBER that never throws: asn1js throws a RangeError on some malformed strings (an
 * odd-length BMPString, say) instead of reporting an error. Failure reads as offset -1.
 */
export function fromBerSafely(bytes: Uint8Array): { offset: number; result: asn1js.AsnType } {
  try {
    // OCTET STRING contents (a signed document, a TSTInfo) are decoded where needed, not guessed at;
    // a signed document may exceed asn1js's default 16 MB content limit.
    return asn1js.fromBER(bytes, { parseEmbedded: false, maxContentLength: 64 * 1024 * 1024 });
  } catch (err) {
    return { offset: -1, result: { error: (err as Error).message } as unknown as asn1js.AsnType };
  }
}
