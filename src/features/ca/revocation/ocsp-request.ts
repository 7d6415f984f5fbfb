import { id_pkix_ocsp_nonce } from '../../../pkix/oids.js';
import { DerError, children, oidOf, onlyChild, readOne, readTlv, type Tlv } from '../../../der/reader.js';
import { TAG, explicitTag } from '../../../der/writer.js';

/** One certificate asked about. */
export interface CertIdQuery {
  /** The CertID exactly as sent; the answer repeats it byte for byte. */
  certId: Buffer;
  hashAlgorithm: string;
  issuerNameHash: Buffer;
  issuerKeyHash: Buffer;
  /** The serial's INTEGER contents as lower-case hex (the certificates table's form). */
  serial: string;
}

export interface OcspRequestContent {
  requests: CertIdQuery[];
  /** The nonce Extension as sent, to echo in responseExtensions (RFC 8954). */
  nonceExtension?: Buffer;
}

export class MalformedOcspRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedOcspRequest';
  }
}

/** More would only serve to make the responder sign and query for nothing. */
export const MAX_REQUESTS = 16;
/** RFC 8954 2.1: a nonce is 1 to 32 octets. */
const MAX_NONCE = 32;

/*
 * OCSPRequest ::= SEQUENCE {
 *     tbsRequest                  TBSRequest,
 *     optionalSignature   [0]     EXPLICIT Signature OPTIONAL }
 *
 * TBSRequest ::= SEQUENCE {
 *     version             [0]     EXPLICIT Version DEFAULT v1,
 *     requestorName       [1]     EXPLICIT GeneralName OPTIONAL,
 *     requestList                 SEQUENCE OF Request,
 *     requestExtensions   [2]     EXPLICIT Extensions OPTIONAL }
 *
 * Request ::= SEQUENCE {
 *     reqCert                     CertID,
 *     singleRequestExtensions     [0] EXPLICIT Extensions OPTIONAL }
 *
 * CertID ::= SEQUENCE {
 *     hashAlgorithm       AlgorithmIdentifier,
 *     issuerNameHash      OCTET STRING, -- Hash of issuer's DN
 *     issuerKeyHash       OCTET STRING, -- Hash of issuer's public key
 *     serialNumber        CertificateSerialNumber }
 */
export function parseOcspRequest(der: Uint8Array): OcspRequestContent {
  try {
    // readOne refuses trailing bytes after the OCSPRequest.
    const request = readOne(der, TAG.SEQUENCE);
    const [tbs] = children(request);
    if (tbs?.tag !== TAG.SEQUENCE) throw new DerError('TBSRequest is not a SEQUENCE');
    const fields = children(tbs);
    let i = 0;
    if (fields[i]?.tag === explicitTag(0)) {
      const version = onlyChild(fields[i]);
      if (version.tag !== TAG.INTEGER || version.value.length !== 1 || version.value[0] !== 0) throw new DerError('only version v1 is defined');
      i++;
    }
    if (fields[i]?.tag === explicitTag(1)) i++;
    const list = fields[i++];
    if (!list || list.tag !== TAG.SEQUENCE) throw new DerError('requestList is missing');
    const requests: CertIdQuery[] = [];
    for (const single of children(list)) {
      if (single.tag !== TAG.SEQUENCE) throw new DerError('Request is not a SEQUENCE');
      const [certIdTlv] = children(single);
      if (certIdTlv?.tag !== TAG.SEQUENCE) throw new DerError('CertID is not a SEQUENCE');
      const [algorithm, nameHash, keyHash, serial, ...extra] = children(certIdTlv);
      if (extra.length || !serial) throw new DerError('CertID has the wrong number of fields');
      if (algorithm.tag !== TAG.SEQUENCE || nameHash.tag !== TAG.OCTET_STRING || keyHash.tag !== TAG.OCTET_STRING || serial.tag !== TAG.INTEGER) {
        throw new DerError('CertID fields have the wrong types');
      }
      const [oid] = children(algorithm);
      if (oid?.tag !== TAG.OBJECT_IDENTIFIER) throw new DerError('hashAlgorithm has no OBJECT IDENTIFIER');
      if (serial.value.length === 0) throw new DerError('empty serialNumber');
      requests.push({
        certId: Buffer.from(certIdTlv.der),
        hashAlgorithm: oidOf(oid),
        issuerNameHash: Buffer.from(nameHash.value),
        issuerKeyHash: Buffer.from(keyHash.value),
        serial: serial.value.toString('hex'),
      });
      if (requests.length > MAX_REQUESTS) throw new DerError(`more than ${MAX_REQUESTS} certificates in one request`);
    }
    if (requests.length === 0) throw new DerError('requestList is empty');
    let nonceExtension: Buffer | undefined;
    const extensions = fields[i];
    if (extensions?.tag === explicitTag(2)) {
      for (const extension of children(onlyChild(extensions, TAG.SEQUENCE))) {
        const parts = children(extension);
        if (parts.length < 2 || parts[0].tag !== TAG.OBJECT_IDENTIFIER) throw new DerError('bad Extension');
        if (oidOf(parts[0]) !== id_pkix_ocsp_nonce) continue;
        const value = parts[parts.length - 1];
        if (value.tag !== TAG.OCTET_STRING) throw new DerError('bad nonce extnValue');
        // Nonce ::= OCTET STRING (SIZE(1..32)); some clients send it bare, without the inner OCTET STRING.
        const inner: Tlv = value.value.length >= 2 && value.value[0] === TAG.OCTET_STRING ? readTlv(value.value) : value;
        const size = inner.value.length;
        if (size < 1 || size > MAX_NONCE) throw new DerError(`a nonce must be 1 to ${MAX_NONCE} octets (RFC 8954)`);
        nonceExtension = Buffer.from(extension.der);
      }
      i++;
    }
    if (i < fields.length) throw new DerError('unexpected field in TBSRequest');
    return { requests, nonceExtension };
  } catch (err) {
    if (err instanceof DerError) throw new MalformedOcspRequest(err.message);
    throw err;
  }
}

/**
 * The serial asked by the one request shape RFC 5019 clients send (and `openssl ocsp -no_nonce`):
 * no version, requestor, extensions or signature, one Request without extensions, whose CertID
 * is exactly `certIdPrefix` (the SHA-1 AlgorithmIdentifier with NULL parameters and the issuer's
 * name and key hashes, as DER) followed by the serial INTEGER. Every length is short-form. Any
 * other bytes give undefined, and the caller parses with `parseOcspRequest`, which gives the same
 * serial for every request this accepts: this only spares the general walk on the hot path.
 */
export function rfc5019Serial(der: Uint8Array, certIdPrefix: Uint8Array): string | undefined {
  const p = certIdPrefix.length;
  const serialLength = der.length - 12 - p;
  // CertID content: prefix, INTEGER tag and length, serial; five SEQUENCE headers of two octets around it.
  const n = p + 2 + serialLength;
  if (serialLength < 1 || serialLength > 20 || n + 8 >= 0x80) return undefined;
  for (let depth = 0; depth < 5; depth++) {
    if (der[2 * depth] !== TAG.SEQUENCE || der[2 * depth + 1] !== n + 8 - 2 * depth) return undefined;
  }
  for (let i = 0; i < p; i++) if (der[10 + i] !== certIdPrefix[i]) return undefined;
  if (der[10 + p] !== TAG.INTEGER || der[11 + p] !== serialLength) return undefined;
  return Buffer.from(der.buffer, der.byteOffset + 12 + p, serialLength).toString('hex');
}
