import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openssl } from '../../test/helpers/openssl.js';
import { DerError, children, oidOf, readOne, readTlv, type Tlv } from './reader.js';
import {
  booleanValue,
  enumerated,
  explicit,
  generalizedTime,
  namedBits,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  setOf,
  smallInteger,
  time,
  tlv,
  unsignedInteger,
  utcTime,
  utf8String,
} from './writer.js';

/** One line of `openssl asn1parse`: offset, depth, header length, contents length, and what it says. */
interface ParsedLine {
  offset: number;
  depth: number;
  headerLength: number;
  length: number;
  text: string;
}

function asn1parse(der: Uint8Array): ParsedLine[] {
  const run = openssl(['asn1parse', '-inform', 'DER'], der);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const m = /^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(.*)$/.exec(line);
      if (!m) throw new Error(`unexpected asn1parse line: ${line}`);
      return { offset: Number(m[1]), depth: Number(m[2]), headerLength: Number(m[3]), length: Number(m[4]), text: m[5].replace(/\s+/g, ' ').trim() };
    });
}

/** The DER header length X.690 10.1 requires for a contents length: the short form, or the fewest length octets. */
const minimalHeader = (length: number) => (length < 0x80 ? 2 : length < 0x100 ? 3 : length < 0x10000 ? 4 : 5);

/** Our reader's view of the same tree, in asn1parse's order (pre-order). */
function walk(bytes: Uint8Array, depth = 0, base = 0, out: { offset: number; depth: number; headerLength: number; length: number }[] = []) {
  for (let at = 0; at < bytes.length; ) {
    const t = readTlv(bytes, at);
    out.push({ offset: base + at, depth, headerLength: t.der.length - t.value.length, length: t.value.length });
    if (t.tag & 0x20) walk(t.value, depth + 1, base + at + t.der.length - t.value.length, out);
    at = t.end;
  }
  return out;
}

describe('DER writer, checked by OpenSSL', () => {
  const sample = sequence(
    smallInteger(0),
    smallInteger(127),
    smallInteger(128),
    smallInteger(2n ** 64n),
    unsignedInteger(Buffer.from('ff00', 'hex')),
    unsignedInteger(Buffer.from('0000017f', 'hex')),
    enumerated(1),
    booleanValue(true),
    nullValue(),
    objectIdentifier('1.2.840.113549.1.1.11'),
    objectIdentifier('2.999.1'),
    utcTime(Date.UTC(2049, 11, 31, 23, 59, 59)),
    time(Date.UTC(2050, 0, 1)),
    generalizedTime(new Date(Date.UTC(2026, 10, 30, 1, 2, 3, 450)), true),
    generalizedTime(new Date(Date.UTC(2026, 10, 30, 1, 2, 3, 0)), true),
    namedBits([0, 5, 6]),
    utf8String('Қорғау'),
    explicit(0, octetString(Buffer.alloc(127, 1))),
    octetString(Buffer.alloc(128, 2)),
    octetString(Buffer.alloc(256, 3)),
    octetString(Buffer.alloc(65_536, 4)),
    setOf(smallInteger(3), octetString(Buffer.from([1])), smallInteger(1)),
  );

  it('writes what openssl asn1parse reads, value for value', () => {
    const lines = asn1parse(sample).map((l) => l.text);
    expect(lines).toEqual([
      'cons: SEQUENCE',
      'prim: INTEGER :00',
      'prim: INTEGER :7F',
      'prim: INTEGER :80',
      'prim: INTEGER :010000000000000000',
      'prim: INTEGER :FF00',
      'prim: INTEGER :017F',
      'prim: ENUMERATED :01',
      'prim: BOOLEAN :255',
      'prim: NULL',
      'prim: OBJECT :sha256WithRSAEncryption',
      'prim: OBJECT :2.999.1',
      'prim: UTCTIME :491231235959Z',
      'prim: GENERALIZEDTIME :20500101000000Z',
      'prim: GENERALIZEDTIME :20261130010203.45Z',
      'prim: GENERALIZEDTIME :20261130010203Z',
      'prim: BIT STRING',
      'prim: UTF8STRING :Қорғау',
      'cons: cont [ 0 ]',
      expect.stringMatching(/^prim: OCTET STRING \[HEX DUMP\]:(01){127}$/),
      expect.stringMatching(/^prim: OCTET STRING \[HEX DUMP\]:(02){128}$/),
      expect.stringMatching(/^prim: OCTET STRING \[HEX DUMP\]:(03){256}$/),
      expect.stringMatching(/^prim: OCTET STRING \[HEX DUMP\]:(04){65536}$/),
      'cons: SET',
      // X.690 11.6: SET OF sorted by encoding: 02 01 01 < 02 01 03 < 04 01 01.
      'prim: INTEGER :01',
      'prim: INTEGER :03',
      'prim: OCTET STRING [HEX DUMP]:01',
    ]);
  });

  it('writes every length in its minimal form (openssl reports the header lengths)', () => {
    for (const line of asn1parse(sample)) expect(line.headerLength, `at offset ${line.offset}`).toBe(minimalHeader(line.length));
  });

  it('writes named bits as DER does: trailing zero bits dropped, unused bits counted', () => {
    // bits 0, 5, 6 -> 1000 0110, one unused bit: 03 02 01 86
    expect(namedBits([0, 5, 6]).toString('hex')).toBe('03020186');
    const run = openssl(['asn1parse', '-inform', 'DER', '-dump'], namedBits([0, 5, 6]));
    expect(run.stdout).toMatch(/BIT STRING/);
    expect(run.stdout).toMatch(/01 86/);
  });
});

describe('DER reader', () => {
  it('reads the tree openssl asn1parse reads from the same bytes', () => {
    const der = sequence(smallInteger(5), explicit(1, sequence(octetString(Buffer.alloc(300)), objectIdentifier('1.3.6.1.5.5.7.48.1.2'))), setOf(nullValue()));
    const theirs = asn1parse(der).map(({ offset, depth, headerLength, length }) => ({ offset, depth, headerLength, length }));
    expect(walk(der)).toEqual(theirs);
    expect(oidOf(children(children(children(readOne(der))[1])[0])[1])).toBe('1.3.6.1.5.5.7.48.1.2');
  });

  const refuses = (hex: string, message: RegExp) => expect(() => readOne(Buffer.from(hex, 'hex'))).toThrow(message);

  it('refuses indefinite lengths', () => refuses('3080020100' + '0000', /indefinite/));
  it('refuses a long-form length that fits the short form', () => refuses('04810100', /non-minimal/));
  it('refuses a length with a leading zero octet', () => refuses('0482008000' + '00'.repeat(0x80), /non-minimal/));
  it('refuses trailing bytes after the element', () => refuses('05000500', /trailing/));
  it('refuses contents running past the input', () => refuses('0405010203', /truncated/));
  it('refuses a length running past the input', () => refuses('0482', /truncated/));
  it('refuses multi-byte tags', () => refuses('1f8101' + '00', /multi-byte/));
  it('refuses a child running past its parent', () => expect(() => children(readOne(Buffer.from('3003' + '040201', 'hex')))).toThrow(/truncated/));
  it('refuses an OBJECT IDENTIFIER arc padded with 0x80', () => expect(() => oidOf(readOne(Buffer.from('0603808401', 'hex')))).toThrow(/non-minimal/));

  it('never fails on arbitrary bytes other than with a DerError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const all = (t: Tlv): void => void (t.tag & 0x20 ? children(t).forEach(all) : undefined);
          all(readOne(bytes));
        } catch (err) {
          if (!(err instanceof DerError)) throw err;
        }
      }),
      { numRuns: 5000, seed: 9 },
    );
  });

  it('accepts only canonical headers: whatever it reads, the writer writes back byte for byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        let t: Tlv;
        try {
          t = readOne(bytes);
        } catch {
          return;
        }
        expect(tlv(t.tag, t.value).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 5000, seed: 9 },
    );
  });

  it('refuses each written element once a length is stretched, cut or an octet appended', () => {
    const element = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((b) => octetString(b)),
      fc.bigInt({ min: 0n, max: 2n ** 160n }).map((n) => smallInteger(n)),
      fc.array(fc.uint8Array({ maxLength: 40 }).map((b) => octetString(b)), { maxLength: 5 }).map((items) => sequence(...items)),
    );
    fc.assert(
      fc.property(element, fc.integer({ min: 0, max: 255 }), (der, extra) => {
        expect(readOne(der).der.equals(der)).toBe(true);
        expect(() => readOne(Buffer.concat([der, Buffer.from([extra])]))).toThrow(DerError);
        expect(() => readOne(der.subarray(0, der.length - 1))).toThrow(DerError);
        // The same length in one more octet than needed (long form with a leading zero, or 0x81 for a short length).
        const length = readOne(der).value.length;
        const stretched = length < 0x80 ? Buffer.from([der[0], 0x81, length]) : Buffer.from([der[0], 0x80 | (der[1] & 0x7f) + 1, 0, ...der.subarray(2, 2 + (der[1] & 0x7f))]);
        expect(() => readOne(Buffer.concat([stretched, readOne(der).value]))).toThrow(/non-minimal/);
      }),
      { numRuns: 500, seed: 9 },
    );
  });
});
