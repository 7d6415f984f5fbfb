import * as asn1js from 'asn1js';
import { fromBerSafely } from '../../../der/ber.js';

/*
 * Name ::= CHOICE { rdnSequence RDNSequence }
 * RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
 * RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
 * AttributeTypeAndValue ::= SEQUENCE { type AttributeType, value AttributeValue }
 */

/** One attribute of a name: its type, and a comparable form of its value. */
export interface NameAttribute {
  type: string;
  /** Directory strings after RFC 4518-style preparation (see `prepareString`); other values as "#" + hex of their DER. */
  comparable: string;
  /** The value as text, for people and for emailAddress checks. */
  text: string;
}

export type Rdn = NameAttribute[];

export class NameFormatError extends Error {}

/** Strings whose comparison is by text (RFC 5280 7.1), not by encoding. */
const STRING_TAGS = new Set([0x0c /* UTF8String */, 0x13 /* PrintableString */, 0x14 /* TeletexString */, 0x16 /* IA5String */, 0x1c /* UniversalString */, 0x1e /* BMPString */]);

/**
 * RFC 5280 7.1 asks for RFC 4518 string preparation before comparing names. Done here the way
 * OpenSSL canonicalizes names too: Unicode normalization, case folded, leading and trailing
 * space dropped, inner runs of space as one. Whichever string type (PrintableString, UTF8String,
 * BMPString, ...) carried the text does not matter.
 */
export function prepareString(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function stringOf(value: asn1js.AsnType): string | undefined {
  const tag = value.idBlock.tagNumber;
  if (value.idBlock.tagClass !== 1 || !STRING_TAGS.has(tag)) return undefined;
  const bytes = Buffer.from((value as asn1js.BaseStringBlock).valueBlock.valueHexView);
  if (tag === 0x1e) {
    const swapped = Buffer.from(bytes);
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (tag === 0x1c) {
    let out = '';
    for (let i = 0; i + 3 < bytes.length; i += 4) out += String.fromCodePoint(bytes.readUInt32BE(i));
    return out;
  }
  return bytes.toString(tag === 0x14 ? 'latin1' : 'utf8');
}

/** Parses the DER of a Name into its RDNs, each a set of attributes. */
export function parseName(der: Uint8Array): Rdn[] {
  const parsed = fromBerSafely(der);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) throw new NameFormatError('a Name is not a SEQUENCE');
  return rdnsOf(parsed.result);
}

export function rdnsOf(sequence: asn1js.Sequence): Rdn[] {
  return sequence.valueBlock.value.map((set) => {
    if (!(set instanceof asn1js.Set) || set.valueBlock.value.length === 0) throw new NameFormatError('an RDN is not a non-empty SET');
    return set.valueBlock.value.map((atv) => {
      const [type, value] = (atv as asn1js.Sequence).valueBlock?.value ?? [];
      if (!(type instanceof asn1js.ObjectIdentifier) || !value) throw new NameFormatError('bad AttributeTypeAndValue');
      const text = stringOf(value);
      return {
        type: type.valueBlock.toString(),
        comparable: text !== undefined ? prepareString(text) : `#${Buffer.from(value.toBER()).toString('hex')}`,
        text: text ?? `#${Buffer.from(value.toBER()).toString('hex')}`,
      };
    });
  });
}

const attributeKey = (a: NameAttribute) => `${a.type}=${a.comparable}`;

function rdnsEqual(a: Rdn, b: Rdn): boolean {
  if (a.length !== b.length) return false;
  const left = a.map(attributeKey).sort();
  const right = b.map(attributeKey).sort();
  return left.every((k, i) => k === right[i]);
}

/** RFC 5280 7.1: same number of RDNs, each matching as a set, strings compared after preparation. */
export function namesMatch(a: Rdn[], b: Rdn[]): boolean {
  return a.length === b.length && a.every((rdn, i) => rdnsEqual(rdn, b[i]));
}

/** Whether `name` lies in the subtree rooted at `base` (its first RDNs are base's). */
export function withinDirectorySubtree(name: Rdn[], base: Rdn[]): boolean {
  return base.length <= name.length && base.every((rdn, i) => rdnsEqual(rdn, name[i]));
}

/** A stable key for maps of names (equal keys for names that match). */
export function nameKey(name: Rdn[]): string {
  return name.map((rdn) => rdn.map(attributeKey).sort().join('+')).join(',');
}

const SHORT: Record<string, string> = { '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU', '2.5.4.5': 'serialNumber', '2.5.4.4': 'SN', '2.5.4.42': 'G', '1.2.840.113549.1.9.1': 'E', '0.9.2342.19200300.100.1.25': 'DC' };

export function nameText(name: Rdn[]): string {
  return name.map((rdn) => rdn.map((a) => `${SHORT[a.type] ?? a.type}=${a.text}`).join('+')).join(', ');
}

/** PKCS#9 emailAddress: RFC 5280 6.1.3 (b) holds it to rfc822Name constraints. */
export const id_emailAddress = '1.2.840.113549.1.9.1';
