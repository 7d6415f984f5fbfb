import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import type { AlertService } from './alerts.js';
import { computeFine } from './fines.js';
import type { OffenderCategory, ViolationStatus } from './usage.tables.js';
import { ViolationsRepository } from './violations.repository.js';
import { AlertsRepository } from './alerts.repository.js';

export interface ViolationView {
  id: string;
  alertId: string | null;
  organizationBin: string;
  person: string | null;
  rule: string;
  violationType: string;
  offenderCategory: OffenderCategory;
  evidenceEventIds: string[];
  status: ViolationStatus;
  decision: string | null;
  fine: { mci: number; year: number; mciTenge: number; tenge: number } | null;
  schedule: { minMci: number; maxMci: number };
  openedBy: string;
  openedAt: string;
  updatedAt: string;
}

/** Which decisions may follow which: a fine can be appealed, an appeal ends fined again or closed. */
const NEXT: Record<ViolationStatus, ViolationStatus[]> = {
  open: ['fined', 'closed'],
  fined: ['appealed', 'closed'],
  appealed: ['fined', 'closed'],
  closed: [],
};

export interface OpenCaseInput {
  alertId: string;
  violationType: string;
  offenderCategory: OffenderCategory;
  decision?: string;
}

export interface DecisionInput {
  status: Exclude<ViolationStatus, 'open'>;
  decision: string;
  /** Fine in MCI (fined only); the schedule's minimum when left out. */
  fineMci?: number;
  /** Year whose MCI prices the fine; the year of the decision when left out. */
  year?: number;
}

/**
 * Violation cases: an inspector escalates an alert into a case (the alert's organization,
 * person and evidence), then decides it: fined per the schedule, appealed, closed.
 */
export class ViolationService {
  private readonly cases: ViolationsRepository;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly alerts: AlertService,
    private readonly mciTable: Map<number, number>,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.cases = new ViolationsRepository(db);
  }

  async open(input: OpenCaseInput, inspector: string): Promise<ViolationView> {
    const alert = await this.alerts.get(input.alertId);
    if (alert.status === 'dismissed') throw AppError.conflict('ALERT_DISMISSED', 'The alert was dismissed');
    if (!alert.organizationBin) throw AppError.unprocessable('ALERT_WITHOUT_ORGANIZATION', 'The alert names no organization, so there is no one to hold to account');
    await this.scheduleEntry(input.violationType, input.offenderCategory);
    const id = randomUUID();
    const now = this.clock();
    await this.db.transaction().execute(async (trx) => {
      if (!(await new AlertsRepository(trx).moveFromNew(alert.id, 'escalated', now))) throw AppError.conflict('ALERT_ALREADY_ESCALATED', 'A case was already opened for this alert');
      await this.cases.insert(trx, {
        id,
        alert_id: alert.id,
        organization_bin: alert.organizationBin!,
        person_hash: alert.person ? Buffer.from(alert.person, 'hex') : null,
        rule: alert.rule,
        violation_type: input.violationType,
        offender_category: input.offenderCategory,
        evidence_event_ids: alert.evidenceEventIds,
        status: 'open',
        decision: input.decision ?? null,
        opened_by: inspector,
        opened_at: now,
        updated_at: now,
      });
    });
    return this.get(id);
  }

  async decide(id: string, input: DecisionInput): Promise<ViolationView> {
    const current = await this.get(id);
    if (!NEXT[current.status].includes(input.status)) {
      throw AppError.conflict('VIOLATION_TRANSITION', `A case that is ${current.status} cannot become ${input.status}`, { caseStatus: current.status });
    }
    if (input.status !== 'fined' && (input.fineMci !== undefined || input.year !== undefined)) {
      throw AppError.badRequest('FINE_ONLY_WHEN_FINED', 'fineMci and year go with status "fined"');
    }
    const now = this.clock();
    const fine = input.status === 'fined' ? computeFine(current.schedule, this.mciTable, input.year ?? now.getUTCFullYear(), input.fineMci) : undefined;
    const changes = {
      status: input.status,
      decision: input.decision,
      updated_at: now,
      ...(fine ? { fine_mci: fine.mci, fine_year: fine.year, fine_tenge: fine.tenge } : {}),
    };
    if (!(await this.cases.update(id, current.status, changes))) throw AppError.conflict('VIOLATION_CHANGED', 'The case changed meanwhile; read it again');
    return this.get(id);
  }

  async get(id: string): Promise<ViolationView> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.cases.byId(id) : undefined;
    if (!row) throw AppError.notFound('VIOLATION_NOT_FOUND', `No violation case ${id}`);
    return this.view(row);
  }

  /** The inspector's list of cases, newest first. */
  async list(query: { status?: ViolationStatus; organizationBin?: string; limit: number }): Promise<ViolationView[]> {
    return (await this.cases.list(query)).map((row) => this.view(row));
  }

  private view(row: NonNullable<Awaited<ReturnType<ViolationsRepository['byId']>>>): ViolationView {
    const mci = row.fine_mci === null ? null : Number(row.fine_mci);
    return {
      id: row.id,
      alertId: row.alert_id,
      organizationBin: row.organization_bin,
      person: row.person_hash ? Buffer.from(row.person_hash).toString('hex') : null,
      rule: row.rule,
      violationType: row.violation_type,
      offenderCategory: row.offender_category,
      evidenceEventIds: row.evidence_event_ids.map(String),
      status: row.status,
      decision: row.decision,
      fine: mci === null || row.fine_year === null ? null : { mci, year: row.fine_year, mciTenge: this.mciTable.get(row.fine_year) ?? 0, tenge: Number(row.fine_tenge) },
      schedule: { minMci: Number(row.min_mci), maxMci: Number(row.max_mci) },
      openedBy: row.opened_by,
      openedAt: new Date(row.opened_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  async schedule() {
    const rows = await this.cases.schedule();
    return rows.map((r) => ({ violationType: r.violation_type, offenderCategory: r.offender_category, description: r.description, minMci: Number(r.min_mci), maxMci: Number(r.max_mci) }));
  }

  private async scheduleEntry(violationType: string, category: OffenderCategory) {
    const row = await this.cases.scheduleEntry(violationType, category);
    if (!row) throw AppError.unprocessable('VIOLATION_TYPE_UNKNOWN', `The fine schedule has no violation type "${violationType}"; see GET /v1/violations/fine-schedule`);
    return { minMci: Number(row.min_mci), maxMci: Number(row.max_mci) };
  }

  /** Cases by year opened and violation type: how many, how many fined, fines in MCI and tenge. */
  async statistics(year?: number) {
    const rows = await this.cases.statistics(year);
    return rows.map((r) => ({ year: r.year, violationType: r.violation_type, cases: r.cases, fined: r.fined, fineMci: Number(r.fine_mci), fineTenge: Number(r.fine_tenge) }));
  }
}
