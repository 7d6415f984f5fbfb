import { randomBytes, randomUUID } from 'node:crypto';
import { captureSecretHash } from './proofing-captures.js';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../../db/types.js';
import { AppError } from '../../../errors/app-error.js';
import { personalSessionRequired } from '../../../errors/personal-session.js';
import { checkBin } from '../../../identifiers/bin.js';
import { checkIin } from '../../../identifiers/iin.js';
import type { CaHierarchy } from '../authority/hierarchy.js';
import { CertificateIssuer } from '../issuance/certificate-issuer.js';
import type { ProofingMethod } from '../profiles.js';
import type { ApplicationCreateInput, ApplicationViewType } from './application.schema.js';
import { ApplicationsRepository } from './applications.repository.js';
import { assertCsrSubjectMatches, checkCsr, decodeCsrText } from './csr.js';
import { OperatorReviewProofing, type IdentityProofing } from './identity-proofing.js';
import { normalizeSerial, revokeCertificates } from '../revocation/certificate-revoker.js';
import { noEmployeeAuthorizations, type EmployeeAuthorization, type EmployeeAuthorizations } from './employee-authorizations.js';
import type { SignatureVerifier, SignedDocuments, VerificationReport } from '../../trust/index.js';
import { HEAD_APPLICATION_ACTION, verifyEmployeeApplication, type EmployeeApplicationContent, type HeadApplicationContent, type VerifiedEmployeeApplication } from './signed-application.js';
import type { Pseudonymizer } from '../../../privacy/pseudonym.js';
import { CertificateInfo } from '../../../pkix/certificate.js';
import { signerIdentityOf } from '../../trust/index.js';
import { EMPLOYEE_ROLES, type EmployeeRole } from '../profiles.js';
import type { ProofingCaptures } from './proofing-captures.js';

/** The registry's answer to "is this IIN in a published breach?", through its service (DESIGN.md: never its tables). */
export type PublishedBreachesOf = (iin: string) => Promise<{ id: string; title?: string }[]>;
/** What the signed application route needs besides the CA: the verifier and the evidence store. */
export interface SignedApplicationDeps {
  verifier: SignatureVerifier;
  documents: SignedDocuments;
  pseudonymizer: Pseudonymizer;
}

/** Keeps the signed application among the applicant's signed documents, in the transaction that records it. */
function keepSignedApplication(trx: Transaction<DB>, deps: SignedApplicationDeps, verified: VerifiedEmployeeApplication, content: EmployeeApplicationContent | HeadApplicationContent, cms: Buffer) {
  const { signer } = verified;
  return deps.documents.store(trx, {
    personHash: deps.pseudonymizer.of(signer.iin),
    body: { ...content },
    content: verified.contentBytes,
    cms,
    certificateSerial: signer.certificate.serialNumber,
    certificateSha256: signer.certificate.sha256Fingerprint,
    signedAt: signer.signedAt,
  });
}

/** Who renews: the session's kind decides which pairs it may renew. */
export interface RenewingHolder {
  iin: string;
  /** The BIN of the employee certificate the session was opened with; null for an individual session. */
  sessionBin: string | null;
}

const ID_DOCUMENT = /^[A-Z0-9]{6,12}$/;
const REGISTRATION_EXTRACT = /^[A-Z0-9-]{6,40}$/;

/** The registration extract number as the business registry prints it: spaces dropped, letters upper case. */
export function normalizeRegistrationExtract(text: string): string {
  const extract = text.replace(/\s+/g, '').toUpperCase();
  if (!REGISTRATION_EXTRACT.test(extract)) {
    throw AppError.badRequest('REGISTRATION_EXTRACT_FORMAT', 'The registration extract number is 6 to 40 letters, digits or -, as printed on the extract from the business registry');
  }
  return extract;
}

/** The roles a head's pair may carry: first head, and the signing rights a head's certificate may already carry. */
const HEAD_ROLES: EmployeeRole[] = ['first-head', 'may-sign', 'may-sign-financial'];

/** What an operator's approval carries for a head's application. */
export interface HeadshipApproval {
  roles?: EmployeeRole[];
  registrationExtract?: string;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string } | null)?.code === '23505';

/**
 * Remote certificate applications: checks a CSR pair, runs identity proofing (or the
 * operator queue), and issues the AUTH and SIGN certificates as one pair.
 */
/** Both CSRs of a pair: well formed, proof of possession, the applicant's subject, and two different keys. */
async function checkCsrPair(csrs: { authCsr: string; signCsr: string }, expected: { iin: string; surname: string; givenName: string }) {
  const auth = await checkCsr(decodeCsrText(csrs.authCsr, 'authCsr'), 'authCsr');
  const sign = await checkCsr(decodeCsrText(csrs.signCsr, 'signCsr'), 'signCsr');
  assertCsrSubjectMatches(auth, 'authCsr', expected);
  assertCsrSubjectMatches(sign, 'signCsr', expected);
  // One key per purpose: a compromised login key must not also sign documents.
  if (auth.spki.equals(sign.spki)) throw AppError.unprocessable('CSR_SAME_KEY', 'The AUTH and SIGN requests must use two different keys');
  return { auth, sign };
}

/** What the operator checks for a head's application. */
const headshipReview = (bin: string, extract: string) =>
  `Head of ${bin}: check in the business registry that registration extract ${extract} names this person as the first head of ${bin}, then approve with that number`;

const headFirst = (bin: string) =>
  `${bin} is not enrolled here: its head applies first for the first-head pair, with the registration extract number (registrationExtract) or signed with a certificate ` +
  'that already carries the first-head role (POST /v1/pki/applications/signed, action "head-certificate.apply"), then enrols it (POST /v1/orgs); its HR then authorizes employees';

const extractReused = (extract: string) =>
  AppError.conflict('REGISTRATION_EXTRACT_REUSED', `Registration extract ${extract} was already given with another application: each extract proves one headship claim; order a new extract from the business registry`);

/** The unique index on the extract settles two applications racing with one number. */
const extractTaken = (err: unknown): never => {
  if (isUniqueViolation(err) && String((err as { constraint?: string; message?: string }).constraint ?? (err as Error).message).includes('extract')) {
    throw AppError.conflict('REGISTRATION_EXTRACT_REUSED', 'This registration extract was just given with another application: each extract proves one headship claim');
  }
  throw err;
};

const notAuthorized = (bin: string) =>
  AppError.forbidden(
    'EMPLOYEE_NOT_AUTHORIZED',
    `${bin} has not authorized a certificate pair for you: ask its HR to authorize one (POST /v1/orgs/${bin}/employees/{iin}/certificate-authorizations), then apply again`,
  );


export class CertificateApplicationService {
  /** Replaceable: tests and demonstrations use AutomaticProofing. */
  proofing: IdentityProofing = new OperatorReviewProofing();
  /** The browser's liveness captures; without them no application is approved as remote proofing. */
  captures: ProofingCaptures | null = null;
  private readonly repository: ApplicationsRepository;
  private readonly issuer: CertificateIssuer;

  constructor(
    private readonly db: Kysely<DB>,
    hierarchy: CaHierarchy,
    private readonly publicUrl: string,
    private readonly publishedBreachesOf: PublishedBreachesOf,
    readDb: Kysely<DB> = db,
    /** Asked at request time: the organizations feature registers after the CA. */
    private readonly authorizations: () => EmployeeAuthorizations = () => noEmployeeAuthorizations,
  ) {
    this.repository = new ApplicationsRepository(db, readDb);
    this.issuer = new CertificateIssuer(db, hierarchy, publicUrl);
  }

  async submit(input: ApplicationCreateInput): Promise<ApplicationViewType> {
    const iinCheck = checkIin(input.iin);
    if (!iinCheck.ok) throw AppError.badRequest(iinCheck.problem, iinCheck.message);
    const idDocumentNumber = input.idDocumentNumber.replace(/\s+/g, '').toUpperCase();
    if (!ID_DOCUMENT.test(idDocumentNumber)) throw AppError.badRequest('ID_DOCUMENT_FORMAT', 'The ID document number is 6 to 12 letters and digits');
    if (!input.surname.trim() || !input.givenName.trim()) throw AppError.badRequest('NAME_REQUIRED', 'The surname and the given name must not be blank');
    // The certificate's CN is "SURNAME NAME", at most 64 characters (RFC 5280 ub-common-name): refused now, not at approval.
    if ([...`${input.surname.trim()} ${input.givenName.trim()}`].length > 64) {
      throw AppError.unprocessable('NAME_TOO_LONG', 'Surname and given name together must fit the 64 characters of a certificate CN');
    }
    const holder = input.holder ?? 'individual';
    let organization = input.organization?.trim() ?? null;
    let authorizationId: string | null = null;
    let registrationExtract: string | null = null;
    if (holder === 'employee') {
      if (!organization) throw AppError.badRequest('ORGANIZATION_REQUIRED', 'An employee application names the organization');
      const binCheck = checkBin(input.bin ?? '');
      if (!binCheck.ok) throw AppError.badRequest(binCheck.problem, binCheck.message);
      if (input.registrationExtract !== undefined) {
        // A head's application: the extract is the claim of headship an operator checks; no authorization is asked.
        registrationExtract = normalizeRegistrationExtract(input.registrationExtract);
        await this.assertExtractFree(registrationExtract);
        organization = (await this.authorizations().organizationName(input.bin!)) ?? organization;
      } else if (await this.authorizations().isEnrolled(input.bin!)) {
        // An enrolled organization authorizes its employees' pairs; the employee applies and proves who they are.
        const authorization = await this.authorizations().openFor(input.bin!, input.iin);
        if (!authorization) throw notAuthorized(input.bin!);
        organization = authorization.organization;
        authorizationId = authorization.id;
      } else {
        // Nobody vouches for an employee of an organization not enrolled: only its head applies, with a proof of headship.
        throw AppError.notFound('ORG_NOT_ENROLLED', headFirst(input.bin!));
      }
    } else if (input.registrationExtract !== undefined) {
      throw AppError.badRequest('REGISTRATION_EXTRACT_EMPLOYEE_ONLY', 'A registration extract proves the headship of an organization: apply with holder "employee", the BIN and the organization');
    }

    const { auth, sign } = await checkCsrPair(input, { iin: input.iin, surname: input.surname, givenName: input.givenName });

    const id = randomUUID();
    const breaches = await this.publishedBreachesOf(input.iin);
    const proofed = breaches.length
      ? ({
          decision: 'review',
          reason: `The IIN appears in ${breaches.length} published breach${breaches.length > 1 ? 'es' : ''} (${breaches.map((b) => b.id).join(', ')}): an operator must confirm the applicant`,
        } as const)
      : await this.proofing.proof({ applicationId: id, iin: input.iin, idDocumentNumber, surname: input.surname, givenName: input.givenName, patronymic: input.patronymic ?? null });
    // Proofing checks the person, never the headship: a head's application always waits for an operator who checks the extract.
    const outcome =
      registrationExtract && proofed.decision !== 'reject'
        ? ({ decision: 'review', reason: `${proofed.decision === 'review' ? `${proofed.reason}. ` : ''}${headshipReview(input.bin!, registrationExtract)}` } as const)
        : proofed;

    const base = {
      id,
      holder,
      iin: input.iin,
      id_document_number: idDocumentNumber,
      surname: input.surname.trim(),
      given_name: input.givenName.trim(),
      patronymic: input.patronymic?.trim() || null,
      organization: holder === 'employee' ? organization : null,
      bin: holder === 'employee' ? input.bin! : null,
      auth_csr: auth.der,
      sign_csr: sign.der,
      proofing_provider: breaches.length ? 'breach-rule' : this.proofing.name,
      authorization_id: authorizationId,
      registration_extract: registrationExtract,
    };
    if (outcome.decision === 'approve') {
      await this.db.transaction().execute(async (trx) => {
        await this.repository.insert({ ...base, status: 'issued', proofing_method: outcome.method, decided_by: `proofing:${this.proofing.name}`, decided_at: new Date() }, trx);
        await this.issueFor(trx, base, { authKey: auth.spki, signKey: sign.spki, proofing: outcome.method });
      });
    } else if (outcome.decision === 'review') {
      // Only the browser that submitted gives the pictures: the secret is returned once, its SHA-256 kept.
      const captureSecret = randomBytes(32).toString('base64url');
      await this.repository.insert({ ...base, status: 'pending_review', review_reason: outcome.reason, capture_secret_sha256: captureSecretHash(captureSecret) }).catch(extractTaken);
      return { ...(await this.view(id)), captureSecret };
    } else {
      await this.repository.insert({ ...base, status: 'rejected', decision_reason: outcome.reason, decided_by: `proofing:${this.proofing.name}`, decided_at: new Date() });
    }
    return this.view(id);
  }

  private personOf(row: { iin: string; surname: string; given_name: string; patronymic: string | null; organization: string | null; bin: string | null }) {
    return {
      iin: row.iin,
      surname: row.surname,
      givenName: row.given_name,
      patronymic: row.patronymic ?? undefined,
      organization: row.organization ?? undefined,
      bin: row.bin ?? undefined,
    };
  }

  private async require(id: string) {
    const row = await this.repository.byId(id);
    if (!row) throw AppError.notFound('APPLICATION_NOT_FOUND', `No certificate application ${id}`);
    return row;
  }

  async view(id: string): Promise<ApplicationViewType> {
    const row = await this.require(id);
    const certificates = row.status === 'issued' ? await this.repository.certificatesOf(id) : [];
    const capturedAt = this.captures ? await this.captures.capturedAt(id) : null;
    return {
      id: row.id,
      status: row.status,
      captured: capturedAt !== null,
      holder: row.holder,
      createdAt: new Date(row.created_at).toISOString(),
      decidedAt: row.decided_at ? new Date(row.decided_at).toISOString() : null,
      reviewReason: row.review_reason,
      decisionReason: row.decision_reason,
      proofingMethod: row.proofing_method,
      pairId: row.pair_id,
      roles: row.employee_roles ?? null,
      headship: row.registration_extract ? 'registration-extract' : row.headship_proof?.startsWith('certificate:') ? 'certificate' : null,
      certificates: certificates.map((c) => {
        const kind = c.profile.endsWith('-auth') ? ('auth' as const) : ('sign' as const);
        return {
          kind,
          profile: c.profile,
          serial: c.serial,
          notBefore: new Date(c.not_before).toISOString(),
          notAfter: new Date(c.not_after).toISOString(),
          revoked: c.revoked_at !== null,
          url: `${this.publicUrl}/v1/pki/applications/${id}/certificates/${kind}`,
        };
      }),
    };
  }

  /** The DER of the issued AUTH or SIGN certificate. */
  async certificate(id: string, kind: 'auth' | 'sign'): Promise<Buffer> {
    const row = await this.require(id);
    if (row.status !== 'issued') throw AppError.conflict('APPLICATION_NOT_ISSUED', `Application ${id} is ${row.status.replace('_', ' ')}; no certificate was issued`);
    const certificate = (await this.repository.certificatesOf(id)).find((c) => c.profile.endsWith(`-${kind}`));
    if (!certificate) throw AppError.notFound('CERTIFICATE_NOT_FOUND', `Application ${id} has no ${kind} certificate`);
    return Buffer.from(certificate.der);
  }

  async reviewQueue(limit = 100) {
    const rows = await this.repository.pendingReview(limit);
    const captures = this.captures ? await this.captures.summaries(rows.map((r) => r.id)) : new Map();
    return rows.map((r) => ({
      id: r.id,
      holder: r.holder,
      iin: r.iin,
      idDocumentNumber: r.id_document_number,
      surname: r.surname,
      givenName: r.given_name,
      patronymic: r.patronymic,
      organization: r.organization,
      bin: r.bin,
      reviewReason: r.review_reason,
      registrationExtract: r.registration_extract,
      identityProven: r.proof !== null,
      createdAt: new Date(r.created_at).toISOString(),
      capture: captures.get(r.id) ?? null,
    }));
  }

  /** An operator confirms the applicant's identity: the pair is issued in the same transaction. */
  async approve(id: string, operator: string, method: ProofingMethod = 'remote', note?: string, headship: HeadshipApproval = {}): Promise<ApplicationViewType> {
    const row = await this.require(id);
    if (row.status !== 'pending_review') throw AppError.conflict('APPLICATION_NOT_PENDING', `Application ${id} is not waiting for review (it is ${row.status.replace('_', ' ')})`);
    let roles: EmployeeRole[] | null = null;
    if (row.registration_extract) {
      // The operator confirms they checked the extract in the business registry by giving its number again.
      if (headship.registrationExtract === undefined) {
        throw AppError.unprocessable(
          'HEADSHIP_NOT_CHECKED',
          `Application ${id} claims the first head of ${row.bin}: check registration extract ${row.registration_extract} in the business registry (it must name the applicant in the review queue as the head of ${row.bin}), then approve with "registrationExtract": "${row.registration_extract}"`,
        );
      }
      if (normalizeRegistrationExtract(headship.registrationExtract) !== row.registration_extract) {
        throw AppError.unprocessable('REGISTRATION_EXTRACT_MISMATCH', `The extract you checked is not the one the applicant gave (${row.registration_extract}): approve only what you checked`);
      }
      roles = headship.roles ?? ['first-head'];
      if (!roles.includes('first-head') || roles.some((r) => !HEAD_ROLES.includes(r))) {
        throw AppError.unprocessable('HEADSHIP_ROLES', `A head's pair carries first-head, and may add ${HEAD_ROLES.slice(1).join(' and ')}`);
      }
    } else if (headship.roles !== undefined || headship.registrationExtract !== undefined) {
      // Roles come with a proof of headship only: an operator approval cannot make anyone a head.
      throw AppError.unprocessable(
        'HEADSHIP_PROOF_MISSING',
        `Application ${id} carries no proof of headship (no registration extract): its approval carries no roles. An employee's roles come from the organization's authorization.`,
      );
    }
    await this.db.transaction().execute(async (trx) => {
      // Remote proofing rests on the applicant's live capture and ID photo: an operator cannot
      // vouch for a face they never saw. In person, the operator saw the person and the document.
      if (method === 'remote' && row.id_document_number !== null && !(this.captures && (await this.captures.capturedAt(id, trx)))) {
        throw AppError.conflict('PROOFING_CAPTURE_MISSING', `Application ${id} has no live capture and ID photo yet: a remote approval needs them (or approve as in-person after seeing the person)`);
      }
      const decided = await this.repository.decide(trx, id, { status: 'issued', decided_by: operator, decision_reason: note ?? null, proofing_method: method });
      if (!decided) throw AppError.conflict('APPLICATION_NOT_PENDING', `Application ${id} is not waiting for review (it is ${row.status.replace('_', ' ')})`);
      if (roles) {
        await this.repository.setHeadship(trx, id, roles, `extract:${row.registration_extract}`);
      }
      const auth = await checkCsr(Buffer.from(row.auth_csr), 'authCsr');
      const sign = await checkCsr(Buffer.from(row.sign_csr), 'signCsr');
      await this.issueFor(trx, { ...row, employee_roles: roles }, { authKey: auth.spki, signKey: sign.spki, proofing: method });
    });
    return this.view(id);
  }

  /** An extract number proves one headship claim: refused while another pending or issued application holds it. */
  private async assertExtractFree(extract: string): Promise<void> {
    if (await this.repository.extractHeld(extract)) throw extractReused(extract);
  }

  /**
   * Issues the pair of an application in its transaction. An employee application made under an
   * organization's authorization is issued only while that authorization is still open for the
   * same (BIN, IIN) and the person holds no other good pair of it; the authorization is used up.
   */
  private async issueFor(
    trx: Transaction<DB>,
    row: {
      id: string; holder: 'individual' | 'employee'; iin: string; surname: string; given_name: string; patronymic: string | null; organization: string | null; bin: string | null;
      authorization_id?: string | null; employee_roles?: string[] | null;
    },
    keys: { authKey: Buffer; signKey: Buffer; proofing: ProofingMethod },
  ): Promise<void> {
    let authorization: EmployeeAuthorization | null = null;
    // A head's pair: the roles were proven with the headship (an operator-checked extract or a head's certificate).
    const headRoles = row.employee_roles ? (row.employee_roles as EmployeeRole[]) : null;
    let organization = row.organization;
    if (row.authorization_id) {
      authorization = await this.authorizations().openFor(row.bin!, row.iin, trx);
      if (!authorization || authorization.id !== row.authorization_id) {
        throw AppError.conflict('EMPLOYEE_AUTHORIZATION_GONE', `The organization's authorization for this application was used, withdrawn or has expired: ask the HR of ${row.bin} to authorize again`);
      }
      organization = authorization.organization;
    }
    if (authorization || headRoles) {
      const active = await trx
        .selectFrom('certificates')
        .select('serial')
        .where('subject_iin', '=', row.iin)
        .where('subject_bin', '=', row.bin)
        .where('revoked_at', 'is', null)
        .where('not_after', '>', new Date())
        .execute();
      if (active.length > 0) {
        throw AppError.conflict('EMPLOYEE_CERTIFICATE_ACTIVE', `You already hold an active certificate pair of ${row.bin}: revoke it (POST /v1/me/certificates/{serial}/revoke) before applying again`, {
          serials: active.map((c) => c.serial),
        });
      }
    }
    // An enrolled organization's certificates carry the name it is enrolled under.
    if (headRoles) organization = (await this.authorizations().organizationName(row.bin!, trx)) ?? organization;
    const employeeRoles = authorization?.roles ?? headRoles;
    const pair = await this.issuer.issuePair(
      {
        holder: row.holder,
        person: this.personOf({ ...row, organization }),
        authKey: keys.authKey,
        signKey: keys.signKey,
        proofing: keys.proofing,
        applicationId: row.id,
        ...(employeeRoles ? { employeeRoles } : {}),
      },
      trx,
    );
    await this.repository.setPair(trx, row.id, pair.pairId);
    if (authorization) await this.authorizations().use(trx, authorization, { applicationId: row.id, pairId: pair.pairId });
    if (headRoles?.includes('first-head')) {
      await this.authorizations().recordHead(trx, { bin: row.bin!, iin: row.iin, surname: row.surname, givenName: row.given_name, patronymic: row.patronymic });
    }
  }

  /**
   * An employee applies for the pair their organization authorized, proving who they are with a
   * signature of their own individual AUTH certificate (Qorgau's or another trusted CA's) over
   * the application: both CSRs, the BIN and their IIN. Issued at once when an open authorization
   * names the same (BIN, IIN); the signed application is kept as the person's evidence.
   */
  async submitSigned(deps: SignedApplicationDeps, cms: Buffer, observe?: (report: VerificationReport) => void): Promise<ApplicationViewType> {
    const now = new Date();
    const verified = await verifyEmployeeApplication(deps.verifier, cms, { now, observe });
    const { content, signer } = verified;
    const binCheck = checkBin(content.bin);
    if (!binCheck.ok) throw AppError.badRequest(binCheck.problem, binCheck.message);
    const surname = signer.signer.surname ?? '';
    const givenName = signer.signer.givenName ?? '';
    if (!surname || !givenName) throw AppError.unprocessable('APPLICATION_SIGNER_UNNAMED', 'The certificate that signed the application names no surname and given name');
    const { auth, sign } = await checkCsrPair(content, { iin: signer.iin, surname, givenName });
    if (content.action === HEAD_APPLICATION_ACTION) return this.submitSignedHead(deps, verified, content, { auth, sign }, cms);
    if (!(await this.authorizations().isEnrolled(content.bin))) {
      throw AppError.notFound('ORG_NOT_ENROLLED', headFirst(content.bin));
    }
    const authorization = await this.authorizations().openFor(content.bin, signer.iin);
    if (!authorization) throw notAuthorized(content.bin);

    const id = randomUUID();
    const row = {
      id,
      holder: 'employee' as const,
      iin: signer.iin,
      id_document_number: null,
      surname,
      given_name: givenName,
      patronymic: signer.signer.patronymic ?? null,
      organization: authorization.organization,
      bin: content.bin,
      auth_csr: auth.der,
      sign_csr: sign.der,
      proofing_provider: 'individual-certificate',
      authorization_id: authorization.id,
      proof: `signature:${signer.certificate.issuer}#${signer.certificate.serialNumber}`,
    };
    await this.db.transaction().execute(async (trx) => {
      await keepSignedApplication(trx, deps, verified, content, cms);
      // The signer's own certificate records how they were identified when it was issued.
      const method: ProofingMethod = signer.signer.identityProofing ?? 'remote';
      await this.repository.insert({ ...row, status: 'issued', proofing_method: method, decided_by: 'signature', decided_at: new Date() }, trx);
      await this.issueFor(trx, row, { authKey: auth.spki, signKey: sign.spki, proofing: method });
    });
    return this.view(id);
  }

  /**
   * A company head applies for the first-head pair, signed with their own certificate (who they
   * are). The headship is proven either by that certificate itself, when it is an employee AUTH
   * certificate of a trusted CA carrying the first-head role for the same BIN (issued at once),
   * or by the registration extract number in the application, which an operator checks in the
   * business registry (the application waits in the review queue).
   */
  private async submitSignedHead(
    deps: SignedApplicationDeps,
    verified: VerifiedEmployeeApplication,
    content: HeadApplicationContent,
    csrs: { auth: { der: Buffer; spki: Buffer }; sign: { der: Buffer; spki: Buffer } },
    cms: Buffer,
  ): Promise<ApplicationViewType> {
    const { signer } = verified;
    const signerOrganization = signer.signer.organization;
    let roles: EmployeeRole[] | null = null;
    let registrationExtract: string | null = null;
    if (signerOrganization?.bin) {
      if (!signerOrganization.bin.valid || signerOrganization.bin.value !== content.bin || !signer.signer.roles.includes('first-head')) {
        throw AppError.unprocessable(
          'HEADSHIP_NOT_PROVEN',
          `The certificate that signed the application is not a first head's (.2.1) of ${content.bin}: sign with such a certificate, or with your individual AUTH certificate and the registration extract number (registrationExtract)`,
        );
      }
      // The signing rights the head's certificate already carries come along; HR is granted by the organization, not here.
      roles = HEAD_ROLES.filter((r) => r === 'first-head' || signer.signer.roles.includes(r));
    } else {
      if (content.registrationExtract === undefined) {
        throw AppError.unprocessable(
          'HEADSHIP_PROOF_REQUIRED',
          `Your certificate proves who you are, not that you head ${content.bin}: add the registration extract number (registrationExtract), or sign with a certificate that already carries the first-head role for ${content.bin}`,
        );
      }
      registrationExtract = normalizeRegistrationExtract(content.registrationExtract);
      await this.assertExtractFree(registrationExtract);
    }
    const organization = (await this.authorizations().organizationName(content.bin)) ?? (roles ? signerOrganization?.name?.trim() : undefined) ?? content.organization.trim();
    if (!organization) throw AppError.badRequest('ORGANIZATION_REQUIRED', 'A head application names the organization');
    const id = randomUUID();
    const row = {
      id,
      holder: 'employee' as const,
      iin: signer.iin,
      id_document_number: null,
      surname: signer.signer.surname!,
      given_name: signer.signer.givenName!,
      patronymic: signer.signer.patronymic ?? null,
      organization,
      bin: content.bin,
      auth_csr: csrs.auth.der,
      sign_csr: csrs.sign.der,
      proofing_provider: 'individual-certificate',
      proof: `signature:${signer.certificate.issuer}#${signer.certificate.serialNumber}`,
      registration_extract: registrationExtract,
    };
    await this.db
      .transaction()
      .execute(async (trx) => {
        await keepSignedApplication(trx, deps, verified, content, cms);
        const method: ProofingMethod = signer.signer.identityProofing ?? 'remote';
        if (!roles) {
          await this.repository.insert({ ...row, status: 'pending_review', review_reason: `Identity proven by the applicant's own certificate. ${headshipReview(content.bin, registrationExtract!)}` }, trx);
          return;
        }
        const headshipProof = `certificate:${signer.certificate.issuer}#${signer.certificate.serialNumber}`;
        await this.repository.insert({ ...row, status: 'issued', proofing_method: method, decided_by: 'signature', decided_at: new Date(), employee_roles: roles, headship_proof: headshipProof }, trx);
        await this.issueFor(trx, { ...row, employee_roles: roles }, { authKey: csrs.auth.spki, signKey: csrs.sign.spki, proofing: method });
      })
      .catch(extractTaken);
    return this.view(id);
  }

  /**
   * Renews a pair: the holder of a good certificate sends two new CSRs (new keys, same
   * subject); a new AUTH/SIGN pair is issued with the identity proofing of the original
   * application, and the old pair is revoked as superseded, in one transaction. AUTH and
   * SIGN share a lifecycle, so either serial of the pair renews both.
   */
  async renew(holder: RenewingHolder, serialText: string, csrs: { authCsr: string; signCsr: string }, actor: string): Promise<ApplicationViewType> {
    const serial = normalizeSerial(serialText);
    const current = await this.db
      .selectFrom('certificates')
      .select(['issuer', 'serial', 'pair_id', 'application_id', 'not_after', 'revoked_at', 'revocation_reason', 'subject_bin', 'der'])
      .where('serial', '=', serial)
      .where('subject_iin', '=', holder.iin)
      .executeTakeFirst();
    // Another person's serial reads like an unknown one: nobody probes others' certificates.
    if (!current) throw AppError.notFound('CERTIFICATE_NOT_FOUND', `You hold no certificate with serial ${serial}`);
    // A session opened with an employee certificate acts for its organization only.
    if (holder.sessionBin !== null && current.subject_bin !== holder.sessionBin) {
      throw current.subject_bin === null
        ? personalSessionRequired('renew your personal certificates')
        : AppError.notFound('CERTIFICATE_NOT_FOUND', `You hold no certificate with serial ${serial} of ${holder.sessionBin}`);
    }
    if (current.revoked_at) {
      throw AppError.conflict('CERTIFICATE_NOT_RENEWABLE', `Certificate ${serial} is revoked (${current.revocation_reason}): apply for a new pair instead`);
    }
    if (new Date(current.not_after).getTime() <= Date.now()) {
      throw AppError.conflict('CERTIFICATE_NOT_RENEWABLE', `Certificate ${serial} has expired: apply for a new pair instead`);
    }
    const original = current.application_id ? await this.repository.byId(current.application_id) : undefined;
    if (!original || !current.pair_id) {
      const next = current.subject_bin ? `ask the HR of BIN ${current.subject_bin} to authorize a new pair, then apply` : 'apply for a new pair';
      throw AppError.conflict('CERTIFICATE_NOT_RENEWABLE', `Certificate ${serial} was not issued from an application here: ${next}`);
    }
    // The same kind of pair as the one renewed: an employee pair stays one of the same BIN, an individual pair stays individual.
    const kind = current.subject_bin === null ? 'individual' : 'employee';
    if (original.holder !== kind || (original.bin ?? null) !== current.subject_bin) {
      throw AppError.conflict('CERTIFICATE_NOT_RENEWABLE', `Certificate ${serial} does not match its application: apply for a new pair instead`);
    }
    let employeeRoles: EmployeeRole[] | undefined;
    if (kind === 'employee') {
      if ((await this.authorizations().isEnrolled(current.subject_bin!)) && !(await this.authorizations().employedNow(current.subject_bin!, holder.iin))) {
        throw AppError.conflict('CERTIFICATE_NOT_RENEWABLE', `You are not employed by ${current.subject_bin} now: its certificates are not renewed`);
      }
      // The roles the organization gave, as the renewed certificate carries them.
      const names = new Set(signerIdentityOf(CertificateInfo.parse(Buffer.from(current.der))).roles);
      employeeRoles = (Object.keys(EMPLOYEE_ROLES) as EmployeeRole[]).filter((role) => names.has(role));
    }
    const { auth, sign } = await checkCsrPair(csrs, { iin: original.iin, surname: original.surname, givenName: original.given_name });

    const id = randomUUID();
    const method = (original.proofing_method ?? 'remote') as ProofingMethod;
    await this.db.transaction().execute(async (trx) => {
      const superseded = await revokeCertificates(trx, {
        issuer: current.issuer,
        serials: [serial],
        reason: 'superseded',
        includePair: true,
        actor,
      });
      if (superseded.length === 0) throw AppError.conflict('CERTIFICATE_NOT_RENEWABLE', `Certificate ${serial} changed meanwhile; read it again`);
      await this.repository.insert(
        {
          id,
          holder: kind,
          iin: original.iin,
          id_document_number: original.id_document_number,
          surname: original.surname,
          given_name: original.given_name,
          patronymic: original.patronymic,
          organization: original.organization,
          bin: current.subject_bin,
          auth_csr: auth.der,
          sign_csr: sign.der,
          proofing_provider: 'renewal',
          status: 'issued',
          proofing_method: method,
          proof: original.proof,
          decided_by: `renewal of pair ${current.pair_id} by ${actor}`,
          decided_at: new Date(),
        },
        trx,
      );
      const pair = await this.issuer.issuePair(
        {
          holder: kind,
          person: this.personOf({ ...original, bin: current.subject_bin }),
          authKey: auth.spki,
          signKey: sign.spki,
          proofing: method,
          applicationId: id,
          ...(employeeRoles ? { employeeRoles } : {}),
        },
        trx,
      );
      await this.repository.setPair(trx, id, pair.pairId);
    });
    return this.view(id);
  }

  async reject(id: string, operator: string, reason: string): Promise<ApplicationViewType> {
    const row = await this.require(id);
    await this.db.transaction().execute(async (trx) => {
      const decided = await this.repository.decide(trx, id, { status: 'rejected', decided_by: operator, decision_reason: reason });
      if (!decided) throw AppError.conflict('APPLICATION_NOT_PENDING', `Application ${id} is not waiting for review (it is ${row.status.replace('_', ' ')})`);
    });
    return this.view(id);
  }
}
