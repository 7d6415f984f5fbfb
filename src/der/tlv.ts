/**
 * A small DER writer and reader for the revocation paths. CRLs and OCSP responses are
 * built by concatenating length-prefixed buffers rather than through a general ASN.1
 * object tree: a general-purpose generator took about 490 s for a 100,000-entry CRL
 * here, and an OCSP answer must be cheap enough to build per request.
 */

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OBJECT_IDENTIFIER: 0x06,
  ENUMERATED: 0x0a,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tags: [n] EXPLICIT (constructed) and [n] IMPLICIT of a primitive. */
export const explicitTag = (n: number) => 0xa0 | n;
export const implicitPrimitiveTag = (n: number) => 0x80 | n;

/** Bytes the DER length of `length` takes (X.690 8.1.3: short form below 128, then long form). */
export function lengthSize(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x100) return 2;
  if (length < 0x10000) return 3;
  if (length < 0x1000000) return 4;
  return 5;
}

/** Writes a tag and a DER length at `offset`; returns the offset after them. */
export function writeHeader(target: Buffer, offset: number, tag: number, length: number): number {
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

/** A TLV around already-encoded contents. */
export function tlv(tag: number, ...contents: Buffer[]): Buffer {
  let length = 0;
  for (const c of contents) length += c.length;
  return Buffer.concat([header(tag, length), ...contents], 1 + lengthSize(length) + length);
}

export const sequence = (...contents: Buffer[]) => tlv(TAG.SEQUENCE, ...contents);
export const octetString = (value: Buffer) => tlv(TAG.OCTET_STRING, value);
export const explicit = (n: number, ...contents: Buffer[]) => tlv(explicitTag(n), ...contents);
export const derNull = () => Buffer.from([TAG.NULL, 0]);

/** BIT STRING with no unused bits (signatures, keys). */
export function bitString(value: Buffer): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.from([0]), value);
}

export function enumerated(value: number): Buffer {
  return Buffer.from([TAG.ENUMERATED, 1, value]);
}

export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new Error(`Not an OID: ${dotted}`);
  const bytes: number[] = [];
  const push = (value: bigint) => {
    const groups: number[] = [Number(value & 0x7fn)];
    value >>= 7n;
    while (value > 0n) {
      groups.unshift(Number(value & 0x7fn) | 0x80);
      value >>= 7n;
    }
    bytes.push(...groups);
  };
  push(arcs[0] * 40n + arcs[1]);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(TAG.OBJECT_IDENTIFIER, Buffer.from(bytes));
}

/** INTEGER from unsigned big-endian magnitude bytes (adds a 0x00 when the top bit is set). */
export function unsignedInteger(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  let value = magnitude.subarray(start);
  if (value[0] & 0x80) value = Buffer.concat([Buffer.from([0]), value]);
  return tlv(TAG.INTEGER, value);
}

export function integerOf(n: number | bigint): Buffer {
  let hex = BigInt(n).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return unsignedInteger(Buffer.from(hex, 'hex'));
}

function two(target: Buffer, offset: number, value: number): void {
  target[offset] = 0x30 + Math.floor(value / 10);
  target[offset + 1] = 0x30 + (value % 10);
}

/** GeneralizedTime "YYYYMMDDHHMMSSZ" (RFC 5280 4.1.2.5.2: seconds, Zulu, no fractions), 17 bytes with its header. */
export const GENERALIZED_TIME_SIZE = 17;
export function writeGeneralizedTime(target: Buffer, offset: number, ms: number): number {
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
function writeUtcTime(target: Buffer, offset: number, ms: number): number {
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
 * RFC 5280 5.1.2.4: UTCTime through 2049, GeneralizedTime from 2050.
 */
export function timeSize(ms: number): number {
  return ms >= YEAR_1950 && ms < YEAR_2050 ? UTC_TIME_SIZE : GENERALIZED_TIME_SIZE;
}
export function writeTime(target: Buffer, offset: number, ms: number): number {
  return ms >= YEAR_1950 && ms < YEAR_2050 ? writeUtcTime(target, offset, ms) : writeGeneralizedTime(target, offset, ms);
}
export function time(ms: number): Buffer {
  const out = Buffer.allocUnsafe(timeSize(ms));
  writeTime(out, 0, ms);
  return out;
}
export function generalizedTime(ms: number): Buffer {
  const out = Buffer.allocUnsafe(GENERALIZED_TIME_SIZE);
  writeGeneralizedTime(out, 0, ms);
  return out;
}

// ---- reading -------------------------------------------------------------

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** One TLV: `start` is where its tag is, `contentStart`..`end` its contents. */
export interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/**
 * Reads the TLV at `offset`, refusing what DER forbids (indefinite or non-minimal
 * lengths, high tag numbers) and anything running past `limit`.
 */
export function readTlv(source: Uint8Array, offset: number, limit = source.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated');
  const tag = source[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used here');
  let length = source[offset + 1];
  let contentStart = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0) throw new DerError('indefinite length is not DER');
    if (n > 4) throw new DerError('length too large');
    if (contentStart + n > limit) throw new DerError('truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + source[contentStart + i];
    if (length < 0x80 || (n > 1 && source[contentStart] === 0)) throw new DerError('non-minimal length');
    contentStart += n;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError('truncated contents');
  return { tag, start: offset, contentStart, end };
}

/** Reads a TLV and checks its tag. */
export function expectTlv(source: Uint8Array, offset: number, tag: number, limit: number, what: string): Tlv {
  const t = readTlv(source, offset, limit);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  return t;
}

/** The children of a constructed TLV. */
export function children(source: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let offset = parent.contentStart;
  while (offset < parent.end) {
    const child = readTlv(source, offset, parent.end);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** The dotted form of an OBJECT IDENTIFIER's contents. */
export function decodeOid(source: Uint8Array, t: Tlv): string {
  const arcs: bigint[] = [];
  let value = 0n;
  for (let i = t.contentStart; i < t.end; i++) {
    value = (value << 7n) | BigInt(source[i] & 0x7f);
    if (!(source[i] & 0x80)) {
      arcs.push(value);
      value = 0n;
    }
  }
  if (arcs.length === 0) throw new DerError('empty OID');
  const first = arcs[0] < 80n ? arcs[0] / 40n : 2n;
  return [first, arcs[0] - first * 40n, ...arcs.slice(1)].join('.');
}

export const slice = (source: Uint8Array, t: Tlv) => Buffer.from(source.buffer, source.byteOffset + t.start, t.end - t.start);
export const contents = (source: Uint8Array, t: Tlv) => Buffer.from(source.buffer, source.byteOffset + t.contentStart, t.end - t.contentStart);
