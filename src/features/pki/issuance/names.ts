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
} from '../oids.js';

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
