import { webcrypto } from 'node:crypto';
import { buildName, type NameAttribute } from '../pkix/names.js';
import { pkijs as pki } from '../pkix/pkijs-engine.js';
import type { KeyAlgorithm } from '../pkix/key-signer.js';
import { KEY_PARAMS } from '../pkix/webcrypto-signer.js';

/** A key pair made where the applicant is: the private key stays with them. */
export async function generateSubjectKeys(algorithm: KeyAlgorithm = 'ECDSA-P256'): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_PARAMS[algorithm].generate, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/**
 *   CertificationRequestInfo ::= SEQUENCE {
 *        version       INTEGER { v1(0) } (v1,...),
 *        subject       Name,
 *        subjectPKInfo SubjectPublicKeyInfo{{ PKInfoAlgorithms }},
 *        attributes    [0] Attributes{{ CRIAttributes }} }
 * (RFC 2986.) Signed with SHA-256, given explicitly: pkijs would use SHA-1.
 */
export async function buildCsr(keys: CryptoKeyPair, subject: NameAttribute[]): Promise<Buffer> {
  const csr = new pki.CertificationRequest();
  csr.version = 0;
  csr.subject = buildName(subject);
  await csr.subjectPublicKeyInfo.importKey(keys.publicKey);
  await csr.sign(keys.privateKey, 'SHA-256');
  return Buffer.from(csr.toSchema().toBER(false));
}
