import * as asn1js from 'asn1js';
import { fromBerSafely } from '../der/ber.js';
import { AppError } from '../errors/app-error.js';
import { id_signedData } from './oids.js';

/**
 * Reads a CMS SignedData (RFC 5652) from BER/DER bytes, keeping the original bytes of every
 * part a signature covers. Malformed input becomes an AppError with a stable code, never a
 * thrown TypeError: every caller turns these into 400s.
 */

export interface ParsedAttribute {
  type: string;
  /** Each AttributeValue as its original TLV bytes. */
  values: Buffer[];
  /** The same values as asn1js objects, for reading. */
  parsed: asn1js.AsnType[];
}

export interface ParsedSignerInfo {
  version: number;
  sid: { kind: 'issuerAndSerialNumber'; issuer: Buffer; serialNumber: Buffer } | { kind: 'subjectKeyIdentifier'; keyIdentifier: Buffer };
  digestAlgorithm: string;
  /** The signedAttrs element as received ([0] IMPLICIT tag), or undefined when absent. */
  signedAttrsBytes?: Buffer;
  signedAttrs: ParsedAttribute[];
  signatureAlgorithm: string;
  /** DER of the signatureAlgorithm's parameters, when present (RSASSA-PSS needs them). */
  signatureAlgorithmParameters?: asn1js.AsnType;
  signature: Buffer;
  unsignedAttrs: ParsedAttribute[];
}

export interface ParsedSignedData {
  version: number;
  digestAlgorithms: string[];
  eContentType: string;
  /** The content, when encapsulated; undefined for a detached signature. */
  eContent?: Buffer;
  certificates: Buffer[];
  signerInfos: ParsedSignerInfo[];
}

export class CmsFormatError extends AppError {
  constructor(code: 'CMS_MALFORMED' | 'CMS_NOT_SIGNED_DATA' | 'CMS_NO_SIGNER', message: string) {
    super('malformed', code, message);
  }
}

const malformed = (what: string) => new CmsFormatError('CMS_MALFORMED', `The CMS is malformed: ${what}`);

function isUniversal(node: asn1js.AsnType | undefined, tagNumber: number): boolean {
  return !!node && node.idBlock.tagClass === 1 && node.idBlock.tagNumber === tagNumber;
}

function isContext(node: asn1js.AsnType | undefined, tagNumber: number): boolean {
  return !!node && node.idBlock.tagClass === 3 && node.idBlock.tagNumber === tagNumber;
}

function children(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  const value = (node as asn1js.Constructed | undefined)?.valueBlock?.value;
  if (!node || !node.idBlock.isConstructed || !Array.isArray(value)) throw malformed(`${what} is not a constructed value`);
  return value as asn1js.AsnType[];
}

function oidOf(node: asn1js.AsnType | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) throw malformed(`${what} is not an OBJECT IDENTIFIER`);
  return node.valueBlock.toString();
}

function smallIntOf(node: asn1js.AsnType | undefined, what: string): number {
  if (!(node instanceof asn1js.Integer)) throw malformed(`${what} is not an INTEGER`);
  return node.valueBlock.valueDec;
}

function raw(node: asn1js.AsnType): Buffer {
  return Buffer.from(node.valueBeforeDecodeView);
}

/** The bytes of an OCTET STRING, primitive or (BER) constructed from segments. */
export function octets(node: asn1js.AsnType, what: string): Buffer {
  if (node.idBlock.isConstructed) return Buffer.concat(children(node, what).map((part) => octets(part, what)));
  const view = (node as asn1js.OctetString).valueBlock?.valueHexView;
  if (!view) throw malformed(`${what} is not an OCTET STRING`);
  return Buffer.from(view);
}

/** Parses one whole BER value; trailing or missing bytes are an error. */
export function parseWhole(bytes: Uint8Array, what: string): asn1js.AsnType {
  if (bytes.length === 0) throw malformed(`${what} is empty`);
  const parsed = fromBerSafely(bytes);
  if (parsed.offset === -1 || parsed.result.error) throw malformed(`${what} is not valid BER/DER (${parsed.result.error || 'truncated'})`);
  if (parsed.offset !== bytes.length) throw malformed(`${what} has ${bytes.length - parsed.offset} bytes after its end`);
  return parsed.result;
}

/*
 * AlgorithmIdentifier ::= SEQUENCE {
 *   algorithm OBJECT IDENTIFIER,
 *   parameters ANY DEFINED BY algorithm OPTIONAL }
 */
function algorithmOf(node: asn1js.AsnType, what: string): { oid: string; parameters?: asn1js.AsnType } {
  const [algorithm, parameters] = children(node, what);
  return { oid: oidOf(algorithm, `${what}.algorithm`), parameters };
}

function attributesOf(node: asn1js.AsnType, what: string): ParsedAttribute[] {
  return children(node, what).map((attr, i) => {
    const [type, values] = children(attr, `${what}[${i}]`);
    if (!isUniversal(values, 17)) throw malformed(`${what}[${i}].attrValues is not a SET`);
    const parsed = children(values, `${what}[${i}].attrValues`);
    return { type: oidOf(type, `${what}[${i}].attrType`), values: parsed.map(raw), parsed };
  });
}

/*
 * SignerInfo ::= SEQUENCE {
 *   version CMSVersion,
 *   sid SignerIdentifier,
 *   digestAlgorithm DigestAlgorithmIdentifier,
 *   signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
 *   signatureAlgorithm SignatureAlgorithmIdentifier,
 *   signature SignatureValue,
 *   unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
 * SignerIdentifier ::= CHOICE {
 *   issuerAndSerialNumber IssuerAndSerialNumber,
 *   subjectKeyIdentifier [0] SubjectKeyIdentifier }
 */
function signerInfoOf(node: asn1js.AsnType, what: string): ParsedSignerInfo {
  const fields = children(node, what);
  let at = 0;
  const version = smallIntOf(fields[at++], `${what}.version`);
  const sidNode = fields[at++];
  let sid: ParsedSignerInfo['sid'];
  if (isUniversal(sidNode, 16)) {
    const [issuer, serialNumber] = children(sidNode, `${what}.sid`);
    if (!isUniversal(issuer, 16) || !(serialNumber instanceof asn1js.Integer)) throw malformed(`${what}.sid is not an IssuerAndSerialNumber`);
    sid = { kind: 'issuerAndSerialNumber', issuer: raw(issuer), serialNumber: raw(serialNumber) };
  } else if (isContext(sidNode, 0)) {
    sid = { kind: 'subjectKeyIdentifier', keyIdentifier: octets(sidNode, `${what}.sid`) };
  } else {
    throw malformed(`${what}.sid is neither issuerAndSerialNumber nor subjectKeyIdentifier`);
  }
  if (!fields[at]) throw malformed(`${what} ends early`);
  const digestAlgorithm = algorithmOf(fields[at++], `${what}.digestAlgorithm`).oid;
  let signedAttrsBytes: Buffer | undefined;
  let signedAttrs: ParsedAttribute[] = [];
  if (isContext(fields[at], 0)) {
    signedAttrsBytes = raw(fields[at]);
    signedAttrs = attributesOf(fields[at++], `${what}.signedAttrs`);
  }
  if (!fields[at]) throw malformed(`${what} ends early`);
  const signatureAlgorithm = algorithmOf(fields[at++], `${what}.signatureAlgorithm`);
  if (!(fields[at] instanceof asn1js.OctetString)) throw malformed(`${what}.signature is not an OCTET STRING`);
  const signature = octets(fields[at++], `${what}.signature`);
  const unsignedAttrs = isContext(fields[at], 1) ? attributesOf(fields[at++], `${what}.unsignedAttrs`) : [];
  return {
    version,
    sid,
    digestAlgorithm,
    signedAttrsBytes,
    signedAttrs,
    signatureAlgorithm: signatureAlgorithm.oid,
    signatureAlgorithmParameters: signatureAlgorithm.parameters,
    signature,
    unsignedAttrs,
  };
}

/*
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
 */
export function parseSignedData(bytes: Uint8Array): ParsedSignedData {
  const contentInfo = parseWhole(bytes, 'the CMS');
  if (!isUniversal(contentInfo, 16)) throw new CmsFormatError('CMS_NOT_SIGNED_DATA', 'The data is not a CMS ContentInfo');
  const [contentType, content] = children(contentInfo, 'ContentInfo');
  if (!(contentType instanceof asn1js.ObjectIdentifier)) throw new CmsFormatError('CMS_NOT_SIGNED_DATA', 'The data is not a CMS ContentInfo');
  const type = contentType.valueBlock.toString();
  if (type !== id_signedData) throw new CmsFormatError('CMS_NOT_SIGNED_DATA', `The CMS content type is ${type}, not SignedData (${id_signedData})`);
  if (!isContext(content, 0)) throw malformed('ContentInfo has no [0] content');
  const [signedData] = children(content, 'ContentInfo.content');
  const fields = children(signedData, 'SignedData');
  let at = 0;
  const version = smallIntOf(fields[at++], 'SignedData.version');
  if (!isUniversal(fields[at], 17)) throw malformed('SignedData.digestAlgorithms is not a SET');
  const digestAlgorithms = children(fields[at++], 'SignedData.digestAlgorithms').map((a, i) => algorithmOf(a, `digestAlgorithms[${i}]`).oid);
  const [eContentTypeNode, eContentNode] = children(fields[at++], 'SignedData.encapContentInfo');
  const eContentType = oidOf(eContentTypeNode, 'encapContentInfo.eContentType');
  let eContent: Buffer | undefined;
  if (eContentNode) {
    if (!isContext(eContentNode, 0)) throw malformed('encapContentInfo.eContent is not [0]');
    const [inner] = children(eContentNode, 'encapContentInfo.eContent');
    if (!inner) throw malformed('encapContentInfo.eContent is empty');
    eContent = octets(inner, 'encapContentInfo.eContent');
  }
  const certificates: Buffer[] = [];
  if (isContext(fields[at], 0)) {
    // CertificateChoices: only plain certificates (SEQUENCE) are used; attribute certificates are skipped.
    for (const choice of children(fields[at++], 'SignedData.certificates')) if (isUniversal(choice, 16)) certificates.push(raw(choice));
  }
  if (isContext(fields[at], 1)) at++;
  if (!isUniversal(fields[at], 17)) throw malformed('SignedData.signerInfos is missing');
  const signerInfos = children(fields[at], 'SignedData.signerInfos').map((s, i) => signerInfoOf(s, `signerInfos[${i}]`));
  if (signerInfos.length === 0) throw new CmsFormatError('CMS_NO_SIGNER', 'The SignedData has no SignerInfo');
  return { version, digestAlgorithms, eContentType, eContent, certificates, signerInfos };
}
