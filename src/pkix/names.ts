import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  id_at_commonName,
  id_at_countryName,
  id_at_givenName,
  id_at_organizationName,
  id_at_organizationalUnitName,
  id_at_serialNumber,
  id_at_surname,
  id_emailAddress,
} from './oids.js';

/** Short names as OpenSSL prints them, so stored DNs read like `openssl x509 -subject`. */
const SHORT_NAMES: Record<string, string> = {
  [id_at_commonName]: 'CN',
  [id_at_surname]: 'SN',
  [id_at_serialNumber]: 'serialNumber',
  [id_at_countryName]: 'C',
  [id_at_organizationName]: 'O',
  [id_at_organizationalUnitName]: 'OU',
  [id_at_givenName]: 'GN',
  [id_emailAddress]: 'emailAddress',
};

export interface NameAttribute {
  type: string;
  value: string;
}

/**
 * RFC 5280 appendix A: countryName and serialNumber are PrintableString; the others
 * are UTF8String (DirectoryString), which carries Kazakh and Russian letters.
 */
function attributeValue(type: string, value: string): asn1js.AsnType {
  if (type === id_at_countryName || type === id_at_serialNumber) return new asn1js.PrintableString({ value });
  return new asn1js.Utf8String({ value });
}

/**
 *   Name ::= CHOICE { rdnSequence  RDNSequence }
 *   RDNSequence ::= SEQUENCE OF RelativeDistinguishedName
 *   RelativeDistinguishedName ::= SET SIZE (1..MAX) OF AttributeTypeAndValue
 *   AttributeTypeAndValue ::= SEQUENCE { type AttributeType, value AttributeValue }
 * One attribute per RelativeDistinguishedName, in the order given. pkijs would put them
 * all in one multi-valued RDN ("CN=a + O=b"), so the DER is built here and decoded back.
 */
export function buildName(attributes: NameAttribute[]): pkijs.RelativeDistinguishedNames {
  const rdnSequence = new asn1js.Sequence({
    value: attributes.map(
      (a) => new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: a.type }), attributeValue(a.type, a.value)] })] }),
    ),
  });
  return pkijs.RelativeDistinguishedNames.fromBER(rdnSequence.toBER(false));
}

/** The attributes of a decoded Name, values as text. */
export function nameAttributes(name: pkijs.RelativeDistinguishedNames): NameAttribute[] {
  return name.typesAndValues.map((tv) => ({ type: tv.type, value: String((tv.value as { valueBlock: { value: unknown } }).valueBlock.value) }));
}

/** "CN=ASANOV ARMAN, SN=ASANOV, serialNumber=IIN880515300120, C=KZ, GN=..." in encoding order. */
export function formatName(attributes: NameAttribute[]): string {
  return attributes.map((a) => `${SHORT_NAMES[a.type] ?? a.type}=${a.value.replace(/([,+"\\<>;])/g, '\\$1')}`).join(', ');
}

export function attributeOf(attributes: NameAttribute[], type: string): string | undefined {
  return attributes.find((a) => a.type === type)?.value;
}

/** The person a certificate names. Names in upper case, as the national CA writes them. */
export interface PersonSubject {
  iin: string;
  surname: string;
  givenName: string;
  /** Отчество; the national CA puts it in GIVENNAME. */
  patronymic?: string;
  /** Employee profiles only. */
  organization?: string;
  bin?: string;
}

/**
 * Subject per DESIGN.md: CN = "SURNAME NAME", SURNAME, serialNumber = "IIN" + 12 digits,
 * C = KZ, O and OU = "BIN" + 12 digits for an employee, and GIVENNAME = patronymic.
 */
export function personSubject(holder: 'individual' | 'employee', person: PersonSubject): NameAttribute[] {
  const surname = person.surname.trim().toLocaleUpperCase('kk-KZ');
  const name = person.givenName.trim().toLocaleUpperCase('kk-KZ');
  const attributes: NameAttribute[] = [
    { type: id_at_commonName, value: `${surname} ${name}` },
    { type: id_at_surname, value: surname },
    { type: id_at_serialNumber, value: `IIN${person.iin}` },
    { type: id_at_countryName, value: 'KZ' },
  ];
  if (holder === 'employee') {
    attributes.push({ type: id_at_organizationName, value: (person.organization ?? '').trim() });
    attributes.push({ type: id_at_organizationalUnitName, value: `BIN${person.bin ?? ''}` });
  }
  if (person.patronymic?.trim()) attributes.push({ type: id_at_givenName, value: person.patronymic.trim().toLocaleUpperCase('kk-KZ') });
  return attributes;
}
