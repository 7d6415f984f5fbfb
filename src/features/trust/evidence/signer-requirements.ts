import { AppError, type ErrorKind } from '../../../errors/app-error.js';
import type { CertificatePurpose, SignerIdentity } from '../signer-identity.js';
import type { CertificateSummary, SignerReport, VerificationReport } from '../signature-verifier.js';

export interface AcceptedSigner {
  iin: string;
  signer: SignerIdentity;
  certificate: CertificateSummary;
  signedAt: Date;
  report: SignerReport;
}

/** The verifier's check codes, turned into the refusal a person or client can act on. */
const REFUSALS: Record<string, { suffix: string; detail: string }> = {
  REVOKED: { suffix: 'CERTIFICATE_REVOKED', detail: 'the certificate is revoked' },
  NO_TRUSTED_CHAIN: { suffix: 'CERTIFICATE_UNTRUSTED', detail: 'the certificate does not chain to a trusted certification authority' },
  CHAIN_SIGNATURE_INVALID: { suffix: 'CERTIFICATE_UNTRUSTED', detail: "the certificate's chain does not verify" },
  ISSUER_NOT_A_CA: { suffix: 'CERTIFICATE_UNTRUSTED', detail: 'the certificate was issued by a certificate that is not a CA' },
  SIGNER_CERTIFICATE_MISSING: { suffix: 'CERTIFICATE_UNTRUSTED', detail: "the signer's certificate is neither in the signature nor known" },
  CERTIFICATE_EXPIRED: { suffix: 'CERTIFICATE_EXPIRED', detail: 'the certificate had expired when it signed' },
  CERTIFICATE_EXPIRED_NO_SIGNING_TIME: { suffix: 'CERTIFICATE_EXPIRED', detail: 'the certificate has expired' },
  CERTIFICATE_NOT_YET_VALID: { suffix: 'CERTIFICATE_NOT_YET_VALID', detail: 'the certificate was not yet valid when it signed' },
  ISSUER_CERTIFICATE_NOT_VALID: { suffix: 'CERTIFICATE_UNTRUSTED', detail: "the issuer's certificate was not valid" },
  MESSAGE_DIGEST_MISMATCH: { suffix: 'CONTENT_MISMATCH', detail: 'the signature is over other data than what was expected' },
  SIGNATURE_INVALID: { suffix: 'SIGNATURE_INVALID', detail: "the signature does not verify with the signer's public key" },
  SIGNING_TIME_IN_FUTURE: { suffix: 'SIGNATURE_INVALID', detail: 'the signing time is in the future' },
  KEY_USAGE_NOT_FOR_SIGNING: { suffix: 'WRONG_CERTIFICATE', detail: 'the certificate may not sign' },
};

/**
 * Accepts a verification report only if it has exactly one signer, valid in every check
 * (an unknown revocation status is a refusal too), whose certificate has the purpose asked
 * for (AUTH to sign in, SIGN for documents) and names a person by a valid IIN.
 * Refusals are `unauthorized` for sign-in and `unprocessable` for documents, with codes `<prefix>_<reason>`
 * (each listed in errors/codes.ts).
 */
export function acceptSigner(report: VerificationReport, options: { purpose: Exclude<CertificatePurpose, 'UNKNOWN'>; prefix: string; kind: ErrorKind }): AcceptedSigner {
  const refuse = (suffix: string, detail: string) => new AppError(options.kind, `${options.prefix}_${suffix}`, detail);
  if (report.signers.length !== 1) throw refuse('SIGNATURE_INVALID', `expected one signer, found ${report.signers.length}`);
  const signerReport = report.signers[0];
  const problem = signerReport.checks.find((c) => c.status === 'failed') ?? signerReport.checks.find((c) => c.status === 'unknown');
  if (problem) {
    const known = REFUSALS[problem.code];
    if (known) throw refuse(known.suffix, `${known.detail} (${problem.reason})`);
    if (problem.check === 'revocation') throw refuse('REVOCATION_UNKNOWN', `the certificate's revocation status cannot be established (${problem.reason})`);
    throw refuse('SIGNATURE_INVALID', problem.reason);
  }
  const signer = signerReport.signer;
  if (!signer || !signerReport.certificate) throw refuse('SIGNATURE_INVALID', "the signer's certificate is unknown");
  if (signer.purpose !== options.purpose) {
    const want = options.purpose === 'AUTH' ? 'an authentication (AUTH) certificate signs in' : 'documents are signed with the SIGN certificate';
    throw refuse('WRONG_CERTIFICATE', `the signature was made with ${signer.purpose === 'AUTH' ? 'an' : 'a'} ${signer.purpose} certificate; ${want}`);
  }
  if (!signer.iin?.valid) throw refuse('NO_IIN', 'the certificate does not name a person by a valid IIN');
  return { iin: signer.iin.value, signer, certificate: signerReport.certificate, signedAt: new Date(signerReport.signedAt.time), report: signerReport };
}

/**
 * Whether a report may count against the holder of the signer's certificate: the signature
 * verified with that certificate's key and the certificate chains to a trusted CA. A revoked or
 * expired certificate still counts (that is the misuse to see); a flipped byte, a certificate
 * nobody trusted issued, or a signature over other data does not: anyone can make those.
 */
export function isEvidenceOfUse(report: VerificationReport): boolean {
  if (report.signers.length !== 1) return false;
  const signer = report.signers[0];
  if (!signer.certificate) return false;
  const passed = (check: string) => signer.checks.some((c) => c.check === check && c.status === 'passed') && !signer.checks.some((c) => c.check === check && c.status !== 'passed');
  return passed('signature') && passed('chain');
}
