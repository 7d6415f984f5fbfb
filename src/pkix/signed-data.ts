import { createHash } from 'node:crypto';
import type { KeySigner } from './key-signer.js';
import {
  ecdsa_with_SHA256,
  id_aa_signingCertificateV2,
  id_aa_timeStampToken,
  id_contentType,
  id_data,
  id_messageDigest,
  id_sha256,
  id_signedData,
  id_signingTime,
  sha256WithRSAEncryption,
} from './oids.js';
import {
  algorithmIdentifier,
  explicit,
  implicitConstructed,
  objectIdentifier,
  octetString,
  sequence,
  setOf,
  smallInteger,
  time,
  tlv,
} from '../der/writer.js';
import { issuerAndSerialOf } from './certificate.js';

/** What CMS signing needs of a key: the KeySigner contract (SHA-256, DER/PKCS#1 signature bytes). */
export type ContentSigner = Pick<KeySigner, 'algorithm' | 'sign'>;

/*
 * Attribute ::= SEQUENCE {
 *   attrType OBJECT IDENTIFIER,
 *   attrValues SET OF AttributeValue }
 */
export function attribute(type: string, ...values: Uint8Array[]): Buffer {
  return sequence(objectIdentifier(type), setOf(...values));
}

export const contentTypeAttribute = (contentType: string) => attribute(id_contentType, objectIdentifier(contentType));
export const messageDigestAttribute = (digest: Uint8Array) => attribute(id_messageDigest, octetString(digest));
export const signingTimeAttribute = (at: Date) => attribute(id_signingTime, time(at));

/*
 * RFC 5035:
 * SigningCertificateV2 ::=  SEQUENCE {
 *     certs        SEQUENCE OF ESSCertIDv2,
 *     policies     SEQUENCE OF PolicyInformation OPTIONAL }
 * ESSCertIDv2 ::=  SEQUENCE {
 *     hashAlgorithm           AlgorithmIdentifier DEFAULT {algorithm id-sha256},
 *     certHash                Hash,
 *     issuerSerial            IssuerSerial OPTIONAL }
 * IssuerSerial ::= SEQUENCE {
 *     issuer                   GeneralNames,
 *     serialNumber             CertificateSerialNumber }
 * hashAlgorithm is left out because SHA-256 is its DEFAULT (DER omits defaults).
 */
export function signingCertificateV2Attribute(certificateDer: Uint8Array): Buffer {
  const { issuer, serialNumber } = issuerAndSerialOf(certificateDer);
  const certHash = createHash('sha256').update(certificateDer).digest();
  // GeneralNames ::= SEQUENCE OF GeneralName; directoryName [4] Name (EXPLICIT: Name is a CHOICE).
  const issuerSerial = sequence(sequence(tlv(0xa4, issuer)), serialNumber);
  const essCertIdV2 = sequence(octetString(certHash), issuerSerial);
  return attribute(id_aa_signingCertificateV2, sequence(sequence(essCertIdV2)));
}

export function signatureAlgorithmOf(signer: ContentSigner): Buffer {
  return signer.algorithm === 'ECDSA-P256' ? algorithmIdentifier(ecdsa_with_SHA256) : algorithmIdentifier(sha256WithRSAEncryption, 'null');
}

export interface SignedDataInput {
  /** eContentType: id-data for documents, id-ct-TSTInfo for time stamps. */
  contentType: string;
  content: Uint8Array;
  /** Leave eContent out (a detached signature over content the verifier already has). */
  detached?: boolean;
  signer: ContentSigner;
  signerCertificate: Uint8Array;
  /** Certificates to carry besides the signer's (its chain, without the root as a rule). */
  chain?: Uint8Array[];
  includeCertificates?: boolean;
  /** Signed attributes besides content-type, message-digest and signing-certificate-v2. */
  extraSignedAttributes?: Buffer[];
  /** Unsigned attributes computed from the signature value, e.g. a time-stamp token. */
  unsignedAttributes?: (signature: Buffer) => Promise<Buffer[]>;
}

/*
 * RFC 5652:
 * ContentInfo ::= SEQUENCE {
 *   contentType ContentType,
 *   content [0] EXPLICIT ANY DEFINED BY contentType }
 * SignedData ::= SEQUENCE {
 *   version CMSVersion,
 *   digestAlgorithms DigestAlgorithmIdentifiers,
 *   encapContentInfo EncapsulatedContentInfo,
 *   certificates [0] IMPLICIT CertificateSet OPTIONAL,
 *   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
 *   signerInfos SignerInfos }
 * EncapsulatedContentInfo ::= SEQUENCE {
 *   eContentType ContentType,
 *   eContent [0] EXPLICIT OCTET STRING OPTIONAL }
 * SignerInfo ::= SEQUENCE {
 *   version CMSVersion,
 *   sid SignerIdentifier,
 *   digestAlgorithm DigestAlgorithmIdentifier,
 *   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
 *   signatureAlgorithm SignatureAlgorithmIdentifier,
 *   signature SignatureValue,
 *   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
 */
export async function buildSignedData(input: SignedDataInput): Promise<Buffer> {
  const digest = createHash('sha256').update(input.content).digest();
  const signedAttrs = setOf(
    contentTypeAttribute(input.contentType),
    messageDigestAttribute(digest),
    signingCertificateV2Attribute(input.signerCertificate),
    ...(input.extraSignedAttributes ?? []),
  );
  // The signature covers the DER of signedAttrs with the SET OF tag, not the [0] it is sent under (RFC 5652 5.4).
  const signature = await input.signer.sign(signedAttrs);
  const unsigned = input.unsignedAttributes ? await input.unsignedAttributes(signature) : [];

  const { issuer, serialNumber } = issuerAndSerialOf(input.signerCertificate);
  const signerInfo = sequence(
    smallInteger(1), // v1: sid is issuerAndSerialNumber
    sequence(issuer, serialNumber),
    algorithmIdentifier(id_sha256),
    implicitConstructed(0, signedAttrs),
    signatureAlgorithmOf(input.signer),
    octetString(signature),
    ...(unsigned.length ? [implicitConstructed(1, setOf(...unsigned))] : []),
  );
  const certificates = input.includeCertificates === false ? [] : [input.signerCertificate, ...(input.chain ?? [])];
  const signedData = sequence(
    // v1 for plain data signed by issuerAndSerialNumber; v3 when eContentType is anything else (RFC 5652 5.1).
    smallInteger(input.contentType === id_data ? 1 : 3),
    setOf(algorithmIdentifier(id_sha256)),
    sequence(objectIdentifier(input.contentType), ...(input.detached ? [] : [explicit(0, octetString(input.content))])),
    ...(certificates.length ? [tlv(0xa0, ...certificates)] : []),
    setOf(signerInfo),
  );
  return sequence(objectIdentifier(id_signedData), explicit(0, signedData));
}

/** The unsigned attribute that carries an RFC 3161 token over a signature (RFC 3161 appendix A). */
export function timeStampTokenAttribute(token: Uint8Array): Buffer {
  return attribute(id_aa_timeStampToken, token);
}
