import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Value } from '@sinclair/typebox/value';
import type { Database } from '../../db/database.js';
import { AppError } from '../../errors/app-error.js';
import { checkIin } from '../../identifiers/iin.js';
import type { Pseudonymizer } from '../../privacy/pseudonym.js';
import { checkAttachments } from './attachments.js';
import { decodeCms } from './cms-text.js';
import { normalizeIdentifier, type NormalizedIdentifier } from './identifiers.js';
import { linkReports, lockLinking, type LinkPolicy, type StatusChange } from './linking.repository.js';
import type { IsVolunteer, NotifyStatus, SignedStatements, VerifiedStatement } from './ports.js';
import { findReport, insertReport, linksOfReport, reportsOfPerson, type ReportRow } from './reports.repository.js';
import { ReportInput, type CreateReportBodyType, type ReportInputType } from './schema.js';

export const REPORT_ACTION = 'fraud.report';

export interface FraudSettings {
  policy: LinkPolicy;
  /** Tenge per unit of each currency (KZT is 1). */
  kztRates: Record<string, number>;
}

export function parseKztRates(text: string): Record<string, number> {
  const rates: Record<string, number> = { KZT: 1 };
  for (const part of text.split(',')) {
    const [code, rate] = part.split(':');
    if (code && rate) rates[code] = Number(rate);
  }
  return rates;
}

/** Who is reporting: a signed-in person (victim or volunteer) or nobody (anonymous). */
export interface Reporter {
  personHash?: Buffer;
}

const trackingHash = (code: string) => createHash('sha256').update(code).digest();

/** The keyed hash a card number is linked on (HMAC with the pseudonymization key): the number itself is never kept. */
export const cardHasher = (pseudonymizer: Pseudonymizer) => (pan: string) => pseudonymizer.of(`card:${pan}`).toString('hex');

/** Normalizes a report's identifiers; the first one refused refuses the report (nothing is written). */
export function normalizeAll(identifiers: ReportInputType['identifiers'], pseudonymizer: Pseudonymizer): NormalizedIdentifier[] {
  const seen = new Map<string, NormalizedIdentifier>();
  identifiers.forEach((input, index) => {
    const result = normalizeIdentifier(input.type, input.value, { cardHash: cardHasher(pseudonymizer) });
    if (!result.ok) throw AppError.unprocessable(result.code, `Identifier ${index + 1} (${input.type}): ${result.message}`, { identifier: index });
    const key = `${result.identifier.kind}\u0000${result.identifier.value}`;
    if (!seen.has(key)) seen.set(key, result.identifier);
  });
  return [...seen.values()];
}

export function statusChangesToNotices(changes: StatusChange[]) {
  // PGlite returns bytea as Uint8Array, node-postgres as Buffer.
  return changes.filter((c) => c.victimHash).map((c) => ({ personHash: Buffer.from(c.victimHash!), reportId: c.reportId, status: c.status }));
}

/**
 * Receiving fraud reports: the `reportFraud` command, and what a victim may see of theirs.
 */
export class FraudReports {
  constructor(
    private readonly database: Database,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly statements: SignedStatements | undefined,
    private readonly isVolunteer: IsVolunteer,
    private readonly notify: NotifyStatus,
    private readonly settings: FraudSettings,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Validates everything first (signature, identifiers, attachments), then writes the report,
   * its identifiers, attachments and signed statement and links it, all in one transaction.
   */
  async reportFraud(body: CreateReportBodyType, reporter: Reporter) {
    if (body.document && body.report) throw AppError.badRequest('FRAUD_REPORT_TWICE', 'Send either "report" or a signed "document", not both');
    let report: ReportInputType;
    let statement: VerifiedStatement | undefined;
    if (body.document) {
      if (!reporter.personHash || !this.statements) {
        throw AppError.unauthorized('SESSION_REQUIRED', 'A signed report needs sign-in with your e-signature: POST /v1/auth/challenge, then POST /v1/auth/signin');
      }
      statement = await this.statements.verify(decodeCms(body.document), { personHash: reporter.personHash, actions: [REPORT_ACTION] });
      const { action: _a, iin: _i, nonce: _n, issuedAt: _t, ...fields } = statement.body;
      if (!Value.Check(ReportInput, fields)) {
        const first = [...Value.Errors(ReportInput, fields)][0];
        throw AppError.unprocessable('FRAUD_REPORT_INVALID', `The signed report is not a valid report: ${first?.path || '/'} ${first?.message ?? ''}`.trim());
      }
      report = fields as ReportInputType;
      if (report.victimIin) throw AppError.unprocessable('FRAUD_REPORT_INVALID', 'A signed report is your own statement: it names no other victim');
    } else if (body.report) {
      report = body.report;
    } else {
      throw AppError.badRequest('FRAUD_REPORT_MISSING', 'Send the report ("report"), or the report signed with your SIGN certificate ("document")');
    }

    let reporterKind: 'victim' | 'anonymous' | 'volunteer';
    let victimHash: Buffer | null = null;
    let volunteerHash: Buffer | null = null;
    if (report.victimIin) {
      if (!reporter.personHash) throw AppError.unauthorized('SESSION_REQUIRED', 'A volunteer signs in before reporting for a victim');
      if (!(await this.isVolunteer(reporter.personHash))) throw AppError.forbidden('FRAUD_NOT_A_VOLUNTEER', 'Only a registered digital volunteer may report for another person');
      const iin = checkIin(report.victimIin);
      if (!iin.ok) throw AppError.unprocessable('FRAUD_VICTIM_IIN_INVALID', `The victim's IIN is not valid: ${iin.message}`);
      reporterKind = 'volunteer';
      victimHash = this.pseudonymizer.of(report.victimIin);
      volunteerHash = reporter.personHash;
    } else if (reporter.personHash) {
      reporterKind = 'victim';
      victimHash = reporter.personHash;
    } else {
      if (!report.contact) throw AppError.unprocessable('FRAUD_CONTACT_REQUIRED', 'Without sign-in, give a contact (e-mail or phone) so that an investigator can reach you');
      reporterKind = 'anonymous';
    }
    const rate = this.settings.kztRates[report.currency];
    if (rate === undefined) throw AppError.unprocessable('FRAUD_CURRENCY_UNKNOWN', `Unknown currency ${report.currency}: use ${Object.keys(this.settings.kztRates).join(', ')}`);
    const occurredAt = new Date(report.occurredAt);
    if (occurredAt.getTime() > this.clock().getTime() + 86_400_000) throw AppError.unprocessable('FRAUD_OCCURRED_IN_FUTURE', 'The date of the fraud is in the future');
    const identifiers = normalizeAll(report.identifiers, this.pseudonymizer);
    const attachments = checkAttachments(body.attachments ?? []);

    const id = randomUUID();
    const trackingCode = randomBytes(18).toString('base64url');
    const at = this.clock();
    const outcome = await this.database.db.transaction().execute(async (trx) => {
      await lockLinking(trx);
      const signedDocumentId = statement ? await this.statements!.store(trx, statement) : null;
      const written = await insertReport(trx, {
        id,
        trackingHash: trackingHash(trackingCode),
        reporterKind,
        victimHash,
        volunteerHash,
        contact: report.contact ?? null,
        occurredAt,
        region: report.region,
        ageGroup: report.ageGroup ?? null,
        channel: report.channel,
        scheme: report.scheme,
        amount: report.amount,
        currency: report.currency,
        lossKzt: Math.round(report.amount * rate * 100) / 100,
        paymentMethod: report.paymentMethod,
        narrative: report.narrative,
        signedDocumentId,
        identifiers,
        attachments,
      });
      const linked = await linkReports(trx, [written.seq], this.settings.policy, { locked: true });
      await this.notify(trx, at, statusChangesToNotices(linked.statusChanges));
      // An identifier this report made too common stops linking now, this report's link included.
      const flagged = new Set(linked.flagged);
      const states = written.identifiers.map((i) => (flagged.has(i.id) && i.state === 'linked' ? { ...i, state: 'over_correlating' as const } : i));
      return { identifiers: states, status: linked.statusChanges.find((c) => c.reportId === id)?.status ?? ('received' as const) };
    });
    return { id, trackingCode, status: outcome.status, signed: !!statement, identifiers: outcome.identifiers.map((i) => ({ kind: i.kind as NormalizedIdentifier['kind'], display: i.display, state: i.state })) };
  }

  private async present(row: ReportRow, seq = row.seq) {
    const links = await linksOfReport(this.database.db, seq);
    return {
      id: row.id,
      status: row.status,
      signed: row.signed,
      receivedAt: row.receivedAt.toISOString(),
      statusChangedAt: row.statusChangedAt.toISOString(),
      linkedReports: Math.max(0, row.clusterReports - 1),
      linkedOn: links.linkedOn.map((l) => ({ kind: l.kind as NormalizedIdentifier['kind'], reports: l.reports })),
      identifiers: links.own.map((i) => ({ kind: i.kind as NormalizedIdentifier['kind'], display: i.display, asReported: i.as_reported, state: i.state, reason: i.state_reason })),
    };
  }

  /** A report's status for whoever holds its tracking code, or the signed-in victim or volunteer; anyone else sees nothing. */
  async statusForHolder(id: string, holder: { trackingCode?: string; personHash?: Buffer }) {
    const row = await findReport(this.database.db, id);
    const matches =
      row &&
      ((holder.trackingCode && timingSafeEqual(trackingHash(holder.trackingCode), row.trackingHash)) ||
        (holder.personHash && ((row.victimHash && holder.personHash.equals(row.victimHash)) || (row.volunteerHash && holder.personHash.equals(row.volunteerHash)))));
    if (!row || !matches) throw AppError.notFound('FRAUD_REPORT_NOT_FOUND', 'No such report for this tracking code or person');
    return this.present(row);
  }

  async reportsOf(personHash: Buffer) {
    return Promise.all((await reportsOfPerson(this.database.db, personHash)).map((r) => this.present(r)));
  }
}
