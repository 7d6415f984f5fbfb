import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { KeyAlgorithm } from '../../../pkix/key-signer.js';
import { ecdsa_with_SHA256, sha256WithRSAEncryption } from '../../../pkix/oids.js';
import { bufferSource } from '../../../der/bytes.js';

/**
 *   AlgorithmIdentifier  ::=  SEQUENCE  {
 *        algorithm               OBJECT IDENTIFIER,
 *        parameters              ANY DEFINED BY algorithm OPTIONAL  }
 * RFC 5758 section 3.2: ecdsa-with-SHA256 has no parameters; RFC 8017: sha256WithRSAEncryption has NULL.
 */
export function signatureAlgorithmOf(algorithm: KeyAlgorithm): pkijs.AlgorithmIdentifier {
  return algorithm === 'ECDSA-P256'
    ? new pkijs.AlgorithmIdentifier({ algorithmId: ecdsa_with_SHA256 })
    : new pkijs.AlgorithmIdentifier({ algorithmId: sha256WithRSAEncryption, algorithmParams: new asn1js.Null() });
}

/**
 * CertificateSerialNumber ::= INTEGER, positive and at most 20 octets (RFC 5280 4.1.2.2).
 * 16 random octets (CA/B Forum asks for 64 bits of entropy) with the top bit cleared so
 * the INTEGER is positive without a leading zero, and a non-zero first octet so the
 * encoding is always 16 octets long.
 */
export function newSerialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  return serial;
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function timeOf(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime, value: date });
}

export interface TbsCertificateSpec {
  serialNumber: Uint8Array;
  issuer: pkijs.RelativeDistinguishedNames;
  subject: pkijs.RelativeDistinguishedNames;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  subjectPublicKeyInfo: Uint8Array;
  extensions: pkijs.Extension[];
  /** The issuer key's algorithm, which decides the signature algorithm. */
  signatureAlgorithm: KeyAlgorithm;
}

/**
 *   TBSCertificate  ::=  SEQUENCE  {
 *        version         [0]  EXPLICIT Version DEFAULT v1,
 *        serialNumber         CertificateSerialNumber,
 *        signature            AlgorithmIdentifier,
 *        issuer               Name,
 *        validity             Validity,
 *        subject              Name,
 *        subjectPublicKeyInfo SubjectPublicKeyInfo,
 *        issuerUniqueID  [1]  IMPLICIT UniqueIdentifier OPTIONAL,
 *        subjectUniqueID [2]  IMPLICIT UniqueIdentifier OPTIONAL,
 *        extensions      [3]  EXPLICIT Extensions OPTIONAL }
 * A pure function: it builds the unsigned certificate; ca/ signs it.
 */
export function buildTbsCertificate(spec: TbsCertificateSpec): pkijs.Certificate {
  const certificate = new pkijs.Certificate();
  certificate.version = 2; // v3
  certificate.serialNumber = new asn1js.Integer({ valueHex: spec.serialNumber });
  certificate.signature = signatureAlgorithmOf(spec.signatureAlgorithm);
  certificate.signatureAlgorithm = signatureAlgorithmOf(spec.signatureAlgorithm);
  certificate.issuer = spec.issuer;
  certificate.subject = spec.subject;
  certificate.notBefore = timeOf(spec.notBefore);
  certificate.notAfter = timeOf(spec.notAfter);
  certificate.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(bufferSource(spec.subjectPublicKeyInfo));
  certificate.extensions = spec.extensions;
  return certificate;
}

/** Lower-case hex of the serial as encoded, the certificates table's key. */
export function serialHex(certificate: pkijs.Certificate): string {
  return Buffer.from(certificate.serialNumber.valueBlock.valueHexView).toString('hex');
}
