import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import { AppError } from '../../../errors/app-error.js';
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

/** The registry's answer to "is this IIN in a published breach?", through its service (DESIGN.md: never its tables). */
export type PublishedBreachesOf = (iin: string) => Promise<{ id: string; title?: string }[]>;
/** Whether an organization is enrolled here, so that its HR requests its employees' certificates. */
export type IsEnrolledOrganization = (bin: string) => Promise<boolean>;

const ID_DOCUMENT = /^[A-Z0-9]{6,12}$/;

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

export class CertificateApplicationService {
  /** Replaceable: tests and demonstrations use AutomaticProofing. */
  proofing: IdentityProofing = new OperatorReviewProofing();
  private readonly repository: ApplicationsRepository;
  private readonly issuer: CertificateIssuer;

  constructor(
    private readonly db: Kysely<DB>,
    hierarchy: CaHierarchy,
    private readonly publicUrl: string,
    private readonly publishedBreachesOf: PublishedBreachesOf,
    readDb: Kysely<DB> = db,
    private readonly isEnrolledOrganization: IsEnrolledOrganization = async () => false,
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
    if (holder === 'employee') {
      if (!input.organization?.trim()) throw AppError.badRequest('ORGANIZATION_REQUIRED', 'An employee application names the organization');
      const binCheck = checkBin(input.bin ?? '');
      if (!binCheck.ok) throw AppError.badRequest(binCheck.problem, binCheck.message);
      // An enrolled organization's HR requests its employees' pairs (one active pair each, bound to
      // the employment record); applying directly is for the heads of organizations not enrolled yet.
      if (await this.isEnrolledOrganization(input.bin!)) {
        throw AppError.conflict(
          'EMPLOYEE_CERTIFICATES_VIA_HR',
          `${input.bin} is enrolled: its HR requests employee certificates (POST /v1/orgs/${input.bin}/employees/{iin}/certificates)`,
        );
      }
    }

    const { auth, sign } = await checkCsrPair(input, { iin: input.iin, surname: input.surname, givenName: input.givenName });

    const id = randomUUID();
    const breaches = await this.publishedBreachesOf(input.iin);
    const outcome = breaches.length
      ? ({
          decision: 'review',
          reason: `The IIN appears in ${breaches.length} published breach${breaches.length > 1 ? 'es' : ''} (${breaches.map((b) => b.id).join(', ')}): an operator must confirm the applicant`,
        } as const)
      : await this.proofing.proof({ applicationId: id, iin: input.iin, idDocumentNumber, surname: input.surname, givenName: input.givenName, patronymic: input.patronymic ?? null });

    const base = {
      id,
      holder,
      iin: input.iin,
      id_document_number: idDocumentNumber,
      surname: input.surname.trim(),
      given_name: input.givenName.trim(),
      patronymic: input.patronymic?.trim() || null,
      organization: holder === 'employee' ? input.organization!.trim() : null,
      bin: holder === 'employee' ? input.bin! : null,
      auth_csr: auth.der,
      sign_csr: sign.der,
      proofing_provider: breaches.length ? 'breach-rule' : this.proofing.name,
    };
    if (outcome.decision === 'approve') {
      await this.db.transaction().execute(async (trx) => {
        await this.repository.insert({ ...base, status: 'issued', proofing_method: outcome.method, decided_by: `proofing:${this.proofing.name}`, decided_at: new Date() }, trx);
        const pair = await this.issuer.issuePair(
          { holder, person: this.personOf(base), authKey: auth.spki, signKey: sign.spki, proofing: outcome.method, applicationId: id },
          trx,
        );
        await this.repository.setPair(trx, id, pair.pairId);
      });
    } else if (outcome.decision === 'review') {
      await this.repository.insert({ ...base, status: 'pending_review', review_reason: outcome.reason });
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
    return {
      id: row.id,
      status: row.status,
      holder: row.holder,
      createdAt: new Date(row.created_at).toISOString(),
      decidedAt: row.decided_at ? new Date(row.decided_at).toISOString() : null,
      reviewReason: row.review_reason,
      decisionReason: row.decision_reason,
      proofingMethod: row.proofing_method,
      pairId: row.pair_id,
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
    return (await this.repository.pendingReview(limit)).map((r) => ({
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
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  /** An operator confirms the applicant's identity: the pair is issued in the same transaction. */
  async approve(id: string, operator: string, method: ProofingMethod = 'remote', note?: string): Promise<ApplicationViewType> {
    const row = await this.require(id);
    await this.db.transaction().execute(async (trx) => {
      const decided = await this.repository.decide(trx, id, { status: 'issued', decided_by: operator, decision_reason: note ?? null, proofing_method: method });
      if (!decided) throw AppError.conflict('APPLICATION_NOT_PENDING', `Application ${id} is not waiting for review (it is ${row.status.replace('_', ' ')})`);
      const auth = await checkCsr(Buffer.from(row.auth_csr), 'authCsr');
      const sign = await checkCsr(Buffer.from(row.sign_csr), 'signCsr');
      const pair = await this.issuer.issuePair(
        { holder: row.holder, person: this.personOf(row), authKey: auth.spki, signKey: sign.spki, proofing: method, applicationId: id },
        trx,
      );
      await this.repository.setPair(trx, id, pair.pairId);
    });
    return this.view(id);
  }

  /**
   * Renews a pair: the holder of a good certificate sends two new CSRs (new keys, same
   * subject); a new AUTH/SIGN pair is issued with the identity proofing of the original
   * application, and the old pair is revoked as superseded, in one transaction. AUTH and
   * SIGN share a lifecycle, so either serial of the pair renews both.
   */
  async renew(holderIin: string, serialText: string, csrs: { authCsr: string; signCsr: string }, actor: string): Promise<ApplicationViewType> {
    const serial = normalizeSerial(serialText);
    const current = await this.db
      .selectFrom('certificates')
      .select(['issuer', 'serial', 'pair_id', 'application_id', 'not_after', 'revoked_at', 'revocation_reason', 'subject_bin'])
      .where('serial', '=', serial)
      .where('subject_iin', '=', holderIin)
      .executeTakeFirst();
    // Another person's serial reads like an unknown one: nobody probes others' certificates.
    if (!current) throw AppError.notFound('CERTIFICATE_NOT_FOUND', `You hold no certificate with serial ${serial}`);
    if (current.revoked_at) {
      throw AppError.conflict('CERTIFICATE_NOT_RENEWABLE', `Certificate ${serial} is revoked (${current.revocation_reason}): apply for a new pair instead`);
    }
    if (new Date(current.not_after).getTime() <= Date.now()) {
      throw AppError.conflict('CERTIFICATE_NOT_RENEWABLE', `Certificate ${serial} has expired: apply for a new pair instead`);
    }
    const original = current.application_id ? await this.repository.byId(current.application_id) : undefined;
    if (!original || !current.pair_id) {
      const next = current.subject_bin ? `ask the HR of BIN ${current.subject_bin} to request a new pair` : 'apply for a new pair';
      throw AppError.conflict('CERTIFICATE_NOT_RENEWABLE', `Certificate ${serial} was not issued from an application here: ${next}`);
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
          holder: original.holder,
          iin: original.iin,
          id_document_number: original.id_document_number,
          surname: original.surname,
          given_name: original.given_name,
          patronymic: original.patronymic,
          organization: original.organization,
          bin: original.bin,
          auth_csr: auth.der,
          sign_csr: sign.der,
          proofing_provider: 'renewal',
          status: 'issued',
          proofing_method: method,
          decided_by: `renewal of pair ${current.pair_id} by ${actor}`,
          decided_at: new Date(),
        },
        trx,
      );
      const pair = await this.issuer.issuePair(
        { holder: original.holder, person: this.personOf(original), authKey: auth.spki, signKey: sign.spki, proofing: method, applicationId: id },
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
