import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import type { KeySigner } from '../key-signer.js';
import { signatureAlgorithmOf } from '../issuance/tbs-certificate.js';

/**
 *   Certificate  ::=  SEQUENCE  {
 *        tbsCertificate       TBSCertificate,
 *        signatureAlgorithm   AlgorithmIdentifier,
 *        signatureValue       BIT STRING  }
 * The one place a CA key signs a certificate: the TBSCertificate is encoded once, and
 * those exact bytes are what the KeySigner signs and what the certificate carries.
 */
export async function signCertificate(certificate: pkijs.Certificate, signer: KeySigner): Promise<Buffer> {
  certificate.signature = signatureAlgorithmOf(signer.algorithm);
  certificate.signatureAlgorithm = signatureAlgorithmOf(signer.algorithm);
  const tbs = certificate.encodeTBS().toBER(false);
  const signature = await signer.sign(new Uint8Array(tbs));
  certificate.tbsView = new Uint8Array(tbs);
  certificate.signatureValue = new asn1js.BitString({ valueHex: signature });
  return Buffer.from(certificate.toSchema(false).toBER(false));
}
