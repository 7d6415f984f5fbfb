import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import type { KeySigner } from '../../../pkix/key-signer.js';
import { bitString, sequence } from '../../../der/writer.js';
import { signatureAlgorithmOf } from '../issuance/tbs-certificate.js';

/**
 *   Certificate  ::=  SEQUENCE  {
 *        tbsCertificate       TBSCertificate,
 *        signatureAlgorithm   AlgorithmIdentifier,
 *        signatureValue       BIT STRING  }
 * The one place a CA key signs a certificate: the TBSCertificate is encoded once, and
 * those exact bytes are what the KeySigner signs and what the certificate carries
 * (the outer SEQUENCE is written around them by the DER writer, never re-encoded by pkijs).
 */
export async function signCertificate(certificate: pkijs.Certificate, signer: KeySigner): Promise<Buffer> {
  certificate.signature = signatureAlgorithmOf(signer.algorithm);
  certificate.signatureAlgorithm = signatureAlgorithmOf(signer.algorithm);
  const tbs = new Uint8Array(certificate.encodeTBS().toBER(false));
  const signature = await signer.sign(tbs);
  certificate.tbsView = tbs;
  certificate.signatureValue = new asn1js.BitString({ valueHex: signature });
  const algorithm = new Uint8Array(certificate.signatureAlgorithm.toSchema().toBER(false));
  return sequence(tbs, algorithm, bitString(signature));
}
