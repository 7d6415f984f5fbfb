import { AppError } from '../../../errors/app-error.js';
import { acceptSigner, canonicalJson, type AcceptedSigner, type SignatureVerifier, type VerificationReport } from '../../trust/index.js';
import { parseSignedData } from '../../../pkix/signed-data-parser.js';

export const EMPLOYEE_APPLICATION_ACTION = 'employee-certificate.apply';
/** A company head's application for the first-head pair of their organization. */
export const HEAD_APPLICATION_ACTION = 'head-certificate.apply';
/** How far issuedAt may be from the server's clock: an application is signed for now. */
const FRESHNESS_MS = 10 * 60_000;

/**
 * What the employee signs (canonical JSON, attached): both CSRs made on their own machine, the
 * organization and their own IIN, a nonce and the time. The signature binds the keys to the
 * person its certificate names, so nobody else's keys can ride on it.
 */
export interface EmployeeApplicationContent {
  action: typeof EMPLOYEE_APPLICATION_ACTION;
  authCsr: string;
  bin: string;
  iin: string;
  issuedAt: string;
  nonce: string;
  signCsr: string;
}

/**
 * What a company head signs: the same as an employee, with the organization's name and, when
 * signed with an individual certificate, the registration extract number the operator checks.
 */
export interface HeadApplicationContent extends Omit<EmployeeApplicationContent, 'action'> {
  action: typeof HEAD_APPLICATION_ACTION;
  organization: string;
  registrationExtract?: string;
}

export interface VerifiedEmployeeApplication {
  content: EmployeeApplicationContent | HeadApplicationContent;
  contentBytes: Buffer;
  signer: AcceptedSigner;
}

const refuse = (code: string, detail: string) => new AppError('unprocessable', code, detail);

/**
 * Verifies an employee's signed application: one signer, every check passed (signature, chain
 * to a trusted CA, validity, revocation), an AUTH certificate of an individual (not of an
 * organization) naming the IIN the application names, canonical content, fresh.
 * `observe` sees the verifier's report, whatever the outcome.
 */
export async function verifyEmployeeApplication(
  verifier: SignatureVerifier,
  cms: Buffer,
  options: { now: Date; observe?: (report: VerificationReport) => void },
): Promise<VerifiedEmployeeApplication> {
  let report: VerificationReport;
  try {
    report = await verifier.verify(cms);
  } catch (err) {
    if (err instanceof AppError && err.kind !== 'unavailable' && err.kind !== 'upstream') throw refuse('APPLICATION_SIGNATURE_INVALID', `The signed application is not a usable CMS: ${err.message}`);
    throw err;
  }
  options.observe?.(report);
  if (report.detached) throw refuse('APPLICATION_DETACHED', 'Send the signed application with its content (an attached CMS)');
  const signer = acceptSigner(report, { purpose: 'AUTH', prefix: 'APPLICATION', kind: 'unprocessable' });
  const contentBytes = parseSignedData(cms).eContent;
  if (!contentBytes) throw refuse('APPLICATION_DETACHED', 'Send the signed application with its content (an attached CMS)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(contentBytes.toString('utf8'));
  } catch {
    throw refuse('APPLICATION_MALFORMED', 'The signed content is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw refuse('APPLICATION_MALFORMED', 'The signed content is not a JSON object');
  const head = (parsed as { action?: unknown }).action === HEAD_APPLICATION_ACTION;
  // A head may sign with an employee certificate: one carrying the first-head role is the proof of headship (checked by the caller).
  if (signer.signer.organization?.bin && !head) {
    throw refuse(
      'APPLICATION_NOT_INDIVIDUAL_CERTIFICATE',
      "Sign the application with your own individual AUTH certificate (Qorgau's or the national CA's), not with an organization's employee certificate",
    );
  }
  if (canonicalJson(parsed) !== contentBytes.toString('utf8')) throw refuse('APPLICATION_NOT_CANONICAL', 'The signed content is not canonical JSON (keys sorted, no whitespace)');
  const content = parsed as Omit<Partial<HeadApplicationContent>, 'action'> & { action?: unknown };
  for (const field of ['action', 'authCsr', 'bin', 'iin', 'issuedAt', 'nonce', 'signCsr', ...(head ? (['organization'] as const) : [])] as const) {
    if (typeof content[field] !== 'string') throw refuse('APPLICATION_MALFORMED', `The signed application has no "${field}"`);
  }
  if (content.registrationExtract !== undefined && (!head || typeof content.registrationExtract !== 'string')) {
    throw refuse('APPLICATION_MALFORMED', 'Only a head application ("head-certificate.apply") carries a registrationExtract, as a string');
  }
  if (content.action !== EMPLOYEE_APPLICATION_ACTION && !head) {
    throw refuse('APPLICATION_MALFORMED', `The signed application's action must be "${EMPLOYEE_APPLICATION_ACTION}" (or "${HEAD_APPLICATION_ACTION}" for a company head)`);
  }
  if (!/^[A-Za-z0-9_.:-]{8,128}$/.test(content.nonce!)) throw refuse('APPLICATION_MALFORMED', 'The nonce must be 8 to 128 letters, digits or _.:-');
  // The application is for the signer's own IIN: a signature never applies for somebody else.
  if (content.iin !== signer.iin) {
    throw refuse('APPLICATION_SIGNER_MISMATCH', 'The application names another IIN than the certificate that signed it: each person applies for their own certificates');
  }
  const issuedAt = new Date(content.issuedAt!);
  if (Number.isNaN(issuedAt.getTime())) throw refuse('APPLICATION_MALFORMED', 'issuedAt is not a date');
  if (Math.abs(issuedAt.getTime() - options.now.getTime()) > FRESHNESS_MS) throw refuse('APPLICATION_STALE', 'The application was not signed within the last 10 minutes: sign a new one');
  return { content: content as EmployeeApplicationContent | HeadApplicationContent, contentBytes, signer };
}
