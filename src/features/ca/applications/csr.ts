import { createPublicKey, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { AppError } from '../../../errors/app-error.js';
import { bufferSource } from '../../../der/bytes.js';
import { attributeOf, nameAttributes, type NameAttribute } from '../../../pkix/names.js';
import { pkijs as pki } from '../../../pkix/pkijs-engine.js';
import { keyAlgorithmOf } from '../lint.js';
import type { KeyAlgorithm } from '../../../pkix/key-signer.js';
import * as oid from '../../../pkix/oids.js';

/** Signature algorithms a CSR may prove possession with: SHA-2 only, never SHA-1 or MD5. */
const CSR_SIGNATURE_ALGORITHMS = new Map([
  [oid.ecdsa_with_SHA256, 'sha256'],
  ['1.2.840.10045.4.3.3', 'sha384'], // ecdsa-with-SHA384
  ['1.2.840.10045.4.3.4', 'sha512'], // ecdsa-with-SHA512
  [oid.sha256WithRSAEncryption, 'sha256'],
  ['1.2.840.113549.1.1.12', 'sha384'], // sha384WithRSAEncryption
  ['1.2.840.113549.1.1.13', 'sha512'], // sha512WithRSAEncryption
]);

/** A CSR is small; anything larger is not one. */
const MAX_CSR_BYTES = 16 * 1024;

export interface CheckedCsr {
  der: Buffer;
  /** DER SubjectPublicKeyInfo: the key the certificate will certify. */
  spki: Buffer;
  keyAlgorithm: KeyAlgorithm;
  subject: NameAttribute[];
}

/** Accepts PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or base64 of the DER. */
export function decodeCsrText(text: string, field: string): Buffer {
  const pem = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (NEW )?CERTIFICATE REQUEST-----/.exec(text);
  const base64 = (pem ? pem[2] : text).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw AppError.badRequest('CSR_MALFORMED', `${field} is neither a PEM CSR nor base64 DER`);
  const der = Buffer.from(base64, 'base64');
  if (der.length > MAX_CSR_BYTES) throw AppError.badRequest('CSR_MALFORMED', `${field} is larger than ${MAX_CSR_BYTES} bytes`);
  return der;
}

/**
 *   CertificationRequest ::= SEQUENCE {
 *        certificationRequestInfo CertificationRequestInfo,
 *        signatureAlgorithm AlgorithmIdentifier{{ SignatureAlgorithms }},
 *        signature          BIT STRING }
 * (RFC 2986.) Decodes the DER strictly (all bytes, one CertificationRequest), checks
 * its signature with its own key (proof of possession) and that the key is allowed.
 */
export async function checkCsr(der: Buffer, field: string): Promise<CheckedCsr> {
  const parsed = asn1js.fromBER(bufferSource(der));
  if (parsed.offset === -1 || parsed.offset !== der.length) {
    throw AppError.badRequest('CSR_MALFORMED', `${field} is not DER: ${parsed.offset === -1 ? parsed.result.error : 'trailing bytes after the request'}`);
  }
  let csr: pkijs.CertificationRequest;
  try {
    csr = new pki.CertificationRequest({ schema: parsed.result });
  } catch {
    throw AppError.badRequest('CSR_MALFORMED', `${field} is DER but not a PKCS#10 certification request`);
  }
  const algorithm = csr.signatureAlgorithm.algorithmId;
  if (!CSR_SIGNATURE_ALGORITHMS.has(algorithm)) {
    throw AppError.unprocessable('CSR_SIGNATURE_ALGORITHM', `${field} is signed with ${algorithm}; use ECDSA or RSA with SHA-256 or stronger`);
  }
  const key = keyAlgorithmOf(csr.subjectPublicKeyInfo);
  if ('problem' in key) throw AppError.unprocessable(key.problem.code, `${field}: ${key.problem.message}`);
  // Verified with node:crypto on the exact CertificationRequestInfo bytes received:
  // faster than pkijs's WebCrypto path and blind to any re-encoding.
  let valid = false;
  try {
    const info = (parsed.result as asn1js.Sequence).valueBlock.value[0];
    const signed = Buffer.from(info.valueBeforeDecodeView);
    const signature = Buffer.from(csr.signatureValue.valueBlock.valueHexView);
    const publicKey = createPublicKey({ key: Buffer.from(csr.subjectPublicKeyInfo.toSchema().toBER(false)), format: 'der', type: 'spki' });
    valid = verify(CSR_SIGNATURE_ALGORITHMS.get(algorithm)!, signed, { key: publicKey, dsaEncoding: 'der' }, signature);
  } catch {
    valid = false;
  }
  if (!valid) throw AppError.unprocessable('CSR_SIGNATURE_INVALID', `The signature of ${field} does not verify with its public key (no proof of possession)`);
  return {
    der,
    spki: Buffer.from(csr.subjectPublicKeyInfo.toSchema().toBER(false)),
    keyAlgorithm: key.algorithm,
    subject: nameAttributes(csr.subject),
  };
}

/**
 * The CSR's subject must name the applicant: serialNumber "IIN" + the application's
 * IIN is required; CN, SURNAME and C, when present, must agree with the application.
 */
export function assertCsrSubjectMatches(csr: CheckedCsr, field: string, expected: { iin: string; surname: string; givenName: string }): void {
  const serialNumber = attributeOf(csr.subject, oid.id_at_serialNumber);
  if (serialNumber !== `IIN${expected.iin}`) {
    throw AppError.unprocessable(
      'CSR_SUBJECT_MISMATCH',
      `The subject of ${field} must carry serialNumber=IIN${expected.iin}, the application's IIN${serialNumber ? `, not ${serialNumber}` : ''}`,
    );
  }
  const upper = (s: string) => s.trim().toLocaleUpperCase('kk-KZ');
  const surname = attributeOf(csr.subject, oid.id_at_surname);
  if (surname !== undefined && upper(surname) !== upper(expected.surname)) {
    throw AppError.unprocessable('CSR_SUBJECT_MISMATCH', `The SURNAME in ${field} does not match the application`);
  }
  const cn = attributeOf(csr.subject, oid.id_at_commonName);
  if (cn !== undefined && upper(cn) !== `${upper(expected.surname)} ${upper(expected.givenName)}`) {
    throw AppError.unprocessable('CSR_SUBJECT_MISMATCH', `The CN in ${field} must be "SURNAME NAME" of the application`);
  }
  const country = attributeOf(csr.subject, oid.id_at_countryName);
  if (country !== undefined && country !== 'KZ') throw AppError.unprocessable('CSR_SUBJECT_MISMATCH', `The country in ${field} must be KZ`);
}
