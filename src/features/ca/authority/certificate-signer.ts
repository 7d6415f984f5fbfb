import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import type { KeySigner } from '../../../pkix/key-signer.js';
import { signatureAlgorithmOf } from '../issuance/tbs-certificate.js';

/** DER TLV: tag, definite length, value. */
function tlv(tag: number, value: Uint8Array): Buffer {
  const n = value.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), value]);
}

/**
 *   Certificate  ::=  SEQUENCE  {
 *        tbsCertificate       TBSCertificate,
 *        signatureAlgorithm   AlgorithmIdentifier,
 *        signatureValue       BIT STRING  }
 * The one place a CA key signs a certificate: the TBSCertificate is encoded once, and
 * those exact bytes are what the KeySigner signs and what the certificate carries
 * (the outer SEQUENCE is written around them, never re-encoded).
 */
export async function signCertificate(certificate: pkijs.Certificate, signer: KeySigner): Promise<Buffer> {
  certificate.signature = signatureAlgorithmOf(signer.algorithm);
  certificate.signatureAlgorithm = signatureAlgorithmOf(signer.algorithm);
  const tbs = new Uint8Array(certificate.encodeTBS().toBER(false));
  const signature = await signer.sign(tbs);
  certificate.tbsView = tbs;
  certificate.signatureValue = new asn1js.BitString({ valueHex: signature });
  const algorithm = new Uint8Array(certificate.signatureAlgorithm.toSchema().toBER(false));
  // BIT STRING: a leading octet of 0 unused bits, then the signature.
  return tlv(0x30, Buffer.concat([tbs, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))]));
}
