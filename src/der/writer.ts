/**
 * The one DER writer (X.690). Most certificates and CMS structures are built by pkijs; DER is
 * written by hand only where that was measured or where pkijs is wrong, and each caller says
 * which in its own comment:
 * - CRLs and OCSP answers (ca/revocation): a general ASN.1 object tree took about 490 s for a
 *   100,000-entry CRL here; the CRL builder writes a million entries into one preallocated
 *   buffer with `writeHeader`/`writeTime`, and an OCSP answer is built per request.
 * - CMS signedAttrs and the time-stamp TSTInfo (pkix/signed-data.ts, pkix/time-stamp-protocol.ts):
 *   a signature covers the DER of a SET OF, which must be sorted (X.690 11.6); pkijs keeps the
 *   order it was given, and a verifier that re-encodes (OpenSSL does) then disagrees.
 * - the certificate signer (ca/authority/certificate-signer.ts) writes only the outer SEQUENCE
 *   around the TBSCertificate bytes the CA key signed, so they are never re-encoded.
 * Reading is `der/reader.ts` (strict); BER from other signers goes through `der/ber.ts`.
 */

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  ENUMERATED: 0x0a,
  UTF8String: 0x0c,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tags: [n] EXPLICIT (constructed) and [n] IMPLICIT of a primitive. */
export const explicitTag = (n: number) => 0xa0 | n;
export const implicitPrimitiveTag = (n: number) => 0x80 | n;

/** Bytes the DER length of `length` takes (X.690 8.1.3.4-5: short form below 128, then the fewest octets). */
export function lengthSize(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x100) return 2;
  if (length < 0x10000) return 3;
  if (length < 0x1000000) return 4;
  return 5;
}

/** Writes a single-byte tag and a DER length at `offset`; returns the offset after them. */
export function writeHeader(target: Uint8Array, offset: number, tag: number, length: number): number {
  target[offset++] = tag;
  if (length < 0x80) {
    target[offset++] = length;
    return offset;
  }
  const n = lengthSize(length) - 1;
  target[offset++] = 0x80 | n;
  for (let i = n - 1; i >= 0; i--) target[offset++] = Math.floor(length / 2 ** (8 * i)) & 0xff;
  return offset;
}

export function header(tag: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(1 + lengthSize(length));
  writeHeader(out, 0, tag, length);
  return out;
}

/** The number of tag and length octets at the start of a DER element. */
export function headerLength(element: Uint8Array): number {
  const first = element[1];
  return first < 0x80 ? 2 : 2 + (first & 0x7f);
}

/** One TLV with a single-byte tag around already-encoded contents. */
export function tlv(tag: number, ...contents: Uint8Array[]): Buffer {
  let length = 0;
  for (const c of contents) length += c.length;
  return Buffer.concat([header(tag, length), ...contents], 1 + lengthSize(length) + length);
}

export const sequence = (...items: Uint8Array[]) => tlv(TAG.SEQUENCE, ...items);

/** SET OF in DER: elements sorted by their encodings (X.690 11.6). */
export function setOf(...items: Uint8Array[]): Buffer {
  return tlv(TAG.SET, ...[...items].map((i) => Buffer.from(i)).sort(Buffer.compare));
}

export const octetString = (bytes: Uint8Array) => tlv(TAG.OCTET_STRING, bytes);
export const nullValue = () => Buffer.from([TAG.NULL, 0x00]);
/** DER writes TRUE as FF (X.690 11.1). */
export const booleanValue = (value: boolean) => Buffer.from([TAG.BOOLEAN, 0x01, value ? 0xff : 0x00]);

/** [n] EXPLICIT (constructed context tag wrapping whole TLVs). */
export const explicit = (n: number, ...items: Uint8Array[]) => tlv(explicitTag(n), ...items);

/** [n] IMPLICIT over a constructed type: the same length and contents under a context tag. */
export function implicitConstructed(n: number, element: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([explicitTag(n)]), element.subarray(1)]);
}

/** BIT STRING with no unused bits (signatures, keys). */
export function bitString(value: Uint8Array): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.from([0]), value);
}

/** BIT STRING of named bits (DER: trailing zero bits dropped, unused-bits count set, X.690 11.2.2). */
export function namedBits(bits: number[]): Buffer {
  if (bits.length === 0) return tlv(TAG.BIT_STRING, Uint8Array.from([0]));
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] |= 0x80 >> bit % 8;
  const unused = 7 - (highest % 8);
  return tlv(TAG.BIT_STRING, Uint8Array.from([unused]), bytes);
}

/** ENUMERATED of a small non-negative value (CRLReason, OCSPResponseStatus). */
export function enumerated(value: number): Buffer {
  return tlv(TAG.ENUMERATED, integerContents(value));
}

/** INTEGER from unsigned big-endian magnitude bytes: leading zeros trimmed, a 00 added when the top bit is set (X.690 8.3.2). */
export function unsignedInteger(magnitude: Uint8Array): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  let value = Buffer.from(magnitude.subarray(start));
  if (value.length === 0) value = Buffer.from([0]);
  if (value[0] & 0x80) value = Buffer.concat([Buffer.from([0]), value]);
  return tlv(TAG.INTEGER, value);
}

function integerContents(value: number | bigint): Buffer {
  const n = BigInt(value);
  if (n < 0n || (typeof value === 'number' && !Number.isSafeInteger(value))) throw new RangeError(`not a non-negative integer: ${value}`);
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

/** INTEGER of a non-negative number or bigint (versions, CRL numbers, nonces). */
export function smallInteger(value: number | bigint): Buffer {
  return tlv(TAG.INTEGER, integerContents(value));
}

export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new RangeError(`not an OID: ${dotted}`);
  const out: number[] = [];
  const encodeArc = (arc: bigint) => {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let rest = arc >> 7n; rest > 0n; rest >>= 7n) chunk.unshift(Number(rest & 0x7fn) | 0x80);
    out.push(...chunk);
  };
  encodeArc(arcs[0] * 40n + arcs[1]);
  for (const arc of arcs.slice(2)) encodeArc(arc);
  return tlv(TAG.OBJECT_IDENTIFIER, Uint8Array.from(out));
}

/** AlgorithmIdentifier with absent parameters (SHA-2 and ECDSA per RFC 5754/5758) or NULL (RSA per RFC 4055). */
export function algorithmIdentifier(oid: string, parameters: 'absent' | 'null' = 'absent'): Buffer {
  return parameters === 'null' ? sequence(objectIdentifier(oid), nullValue()) : sequence(objectIdentifier(oid));
}

export function utf8String(text: string): Buffer {
  return tlv(TAG.UTF8String, Buffer.from(text, 'utf8'));
}

// ---- times ----------------------------------------------------------------

const msOf = (at: Date | number) => (typeof at === 'number' ? at : at.getTime());

function two(target: Uint8Array, offset: number, value: number): void {
  target[offset] = 0x30 + Math.floor(value / 10);
  target[offset + 1] = 0x30 + (value % 10);
}

/** GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 5280 4.1.2.5.2: seconds, Zulu, no fractions), 17 bytes with its header. */
export const GENERALIZED_TIME_SIZE = 17;
export function writeGeneralizedTime(target: Uint8Array, offset: number, ms: number): number {
  const d = new Date(ms);
  target[offset] = TAG.GeneralizedTime;
  target[offset + 1] = 15;
  const year = d.getUTCFullYear();
  two(target, offset + 2, Math.floor(year / 100));
  two(target, offset + 4, year % 100);
  two(target, offset + 6, d.getUTCMonth() + 1);
  two(target, offset + 8, d.getUTCDate());
  two(target, offset + 10, d.getUTCHours());
  two(target, offset + 12, d.getUTCMinutes());
  two(target, offset + 14, d.getUTCSeconds());
  target[offset + 16] = 0x5a;
  return offset + GENERALIZED_TIME_SIZE;
}

/** UTCTime "YYMMDDHHMMSSZ", 15 bytes with its header. */
export const UTC_TIME_SIZE = 15;
function writeUtcTime(target: Uint8Array, offset: number, ms: number): number {
  const d = new Date(ms);
  target[offset] = TAG.UTCTime;
  target[offset + 1] = 13;
  two(target, offset + 2, d.getUTCFullYear() % 100);
  two(target, offset + 4, d.getUTCMonth() + 1);
  two(target, offset + 6, d.getUTCDate());
  two(target, offset + 8, d.getUTCHours());
  two(target, offset + 10, d.getUTCMinutes());
  two(target, offset + 12, d.getUTCSeconds());
  target[offset + 14] = 0x5a;
  return offset + UTC_TIME_SIZE;
}

const YEAR_2050 = Date.UTC(2050, 0, 1);
const YEAR_1950 = Date.UTC(1950, 0, 1);

/**
 * Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }
 * RFC 5280 4.1.2.5 and 5.1.2.4: UTCTime for 1950 through 2049, GeneralizedTime otherwise (so
 * also RFC 5652 SigningTime).
 */
export function timeSize(ms: number): number {
  return ms >= YEAR_1950 && ms < YEAR_2050 ? UTC_TIME_SIZE : GENERALIZED_TIME_SIZE;
}
export function writeTime(target: Uint8Array, offset: number, ms: number): number {
  return ms >= YEAR_1950 && ms < YEAR_2050 ? writeUtcTime(target, offset, ms) : writeGeneralizedTime(target, offset, ms);
}
export function time(at: Date | number): Buffer {
  const ms = msOf(at);
  const out = Buffer.allocUnsafe(timeSize(ms));
  writeTime(out, 0, ms);
  return out;
}

export function utcTime(at: Date | number): Buffer {
  const out = Buffer.allocUnsafe(UTC_TIME_SIZE);
  writeUtcTime(out, 0, msOf(at));
  return out;
}

/**
 * GeneralizedTime in UTC. Whole seconds unless `withMilliseconds`; then a fraction with its
 * trailing zeros dropped, and none at all for a whole second (RFC 3161 2.4.2 genTime, X.690 11.7).
 */
export function generalizedTime(at: Date | number, withMilliseconds = false): Buffer {
  const ms = msOf(at);
  const millis = ((ms % 1000) + 1000) % 1000;
  if (!withMilliseconds || millis === 0) {
    const out = Buffer.allocUnsafe(GENERALIZED_TIME_SIZE);
    writeGeneralizedTime(out, 0, ms);
    return out;
  }
  const whole = Buffer.allocUnsafe(GENERALIZED_TIME_SIZE);
  writeGeneralizedTime(whole, 0, ms);
  const fraction = '.' + String(millis).padStart(3, '0').replace(/0+$/, '');
  return tlv(TAG.GeneralizedTime, whole.subarray(2, 16), Buffer.from(fraction + 'Z', 'ascii'));
}
