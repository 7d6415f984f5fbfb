import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { isGostOid } from './keyfile.js';

/** What the portal tells a person about a certificate before using it. */
export interface CertificateFacts {
  commonName: string;
  iin?: string;
  organization?: string;
  bin?: string;
  issuer: string;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  purpose: 'AUTH' | 'SIGN' | 'UNKNOWN';
  gost: boolean;
  selfIssued: boolean;
}

const CN = '2.5.4.3';
const SERIAL_NUMBER = '2.5.4.5';
const O = '2.5.4.10';
const OU = '2.5.4.11';
const KEY_USAGE = '2.5.29.15';
const EXT_KEY_USAGE = '2.5.29.37';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EMAIL_PROTECTION = '1.3.6.1.5.5.7.3.4';

export const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(toArrayBuffer(der));
}

function field(name: pkijs.RelativeDistinguishedNames, oid: string): string[] {
  return name.typesAndValues.filter((t) => t.type === oid).map((t) => String(t.value.valueBlock.value));
}

function hex(view: Uint8Array): string {
  return Array.from(view, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Same reading as the server's: nonRepudiation or emailProtection means SIGN; clientAuth or keyEncipherment means AUTH. */
export function certificateFacts(der: Uint8Array): CertificateFacts {
  const certificate = parseCertificate(der);
  const extension = (oid: string) => certificate.extensions?.find((e) => e.extnID === oid);
  const keyUsageBits = (extension(KEY_USAGE)?.parsedValue as asn1js.BitString | undefined)?.valueBlock.valueHexView[0] ?? 0;
  const eku = ((extension(EXT_KEY_USAGE)?.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? []) as string[];
  const nonRepudiation = (keyUsageBits & 0x40) !== 0;
  const keyEncipherment = (keyUsageBits & 0x20) !== 0;
  const purpose = nonRepudiation || eku.includes(EMAIL_PROTECTION) ? 'SIGN' : eku.includes(CLIENT_AUTH) || keyEncipherment ? 'AUTH' : 'UNKNOWN';
  const serialNumber = field(certificate.subject, SERIAL_NUMBER)[0];
  const binUnit = field(certificate.subject, OU).find((ou) => /^BIN/i.test(ou));
  const algorithm = certificate.subjectPublicKeyInfo.algorithm.algorithmId;
  return {
    commonName: field(certificate.subject, CN)[0] ?? '',
    ...(serialNumber && /^IIN/i.test(serialNumber) ? { iin: serialNumber.slice(3) } : {}),
    ...(field(certificate.subject, O)[0] ? { organization: field(certificate.subject, O)[0] } : {}),
    ...(binUnit ? { bin: binUnit.slice(3) } : {}),
    issuer: field(certificate.issuer, CN)[0] ?? '',
    serialHex: hex(certificate.serialNumber.valueBlock.valueHexView),
    notBefore: certificate.notBefore.value,
    notAfter: certificate.notAfter.value,
    purpose,
    gost: isGostOid(algorithm) || isGostOid(certificate.signatureAlgorithm.algorithmId),
    selfIssued: certificate.subject.isEqual(certificate.issuer),
  };
}
