import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import type { Pseudonymizer } from '../../privacy/pseudonym.js';
import { enqueueNotifications, type NotificationEvent } from '../notifications/index.js';
import { AlertsRepository } from './alerts.repository.js';
import { EmploymentsRepository } from './employments.repository.js';
import { mergeCandidates, unrevokedAfterDepartureRule, type AlertCandidate } from './misuse-rules.js';
import type { AlertRule, AlertStatus } from './usage.tables.js';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * Inspectors are operators, not persons: their notices go to one shared mailbox, a fixed
 * 32-byte key in the place of a person's pseudonym, whose contacts inspectors manage.
 */
export const INSPECTORS_MAILBOX = createHash('sha256').update('qorgau:mailbox:inspectors').digest();

/** Notice events of this feature. */
export const ALERT_RAISED: NotificationEvent = 'signature.alert';
export const NEW_DEVICE: NotificationEvent = 'signature.new-device';

export interface AlertView {
  id: string;
  rule: AlertRule;
  organizationBin: string | null;
  person: string | null;
  certificateSerial: string | null;
  certificateIssuer: string | null;
  evidenceEventIds: string[];
  score: number | null;
  details: Record<string, unknown>;
  status: AlertStatus;
  createdAt: string;
  updatedAt: string;
}

type AlertRow = {
  id: string;
  rule: AlertRule;
  organization_bin: string | null;
  person_hash: Buffer | null;
  certificate_serial: string | null;
  certificate_issuer: string | null;
  evidence_event_ids: (string | number)[];
  score: number | null;
  details: Record<string, unknown>;
  status: AlertStatus;
  created_at: Date;
  updated_at: Date;
};

export function toAlertView(r: AlertRow): AlertView {
  return {
    id: r.id,
    rule: r.rule,
    organizationBin: r.organization_bin,
    person: r.person_hash ? Buffer.from(r.person_hash).toString('hex') : null,
    certificateSerial: r.certificate_serial,
    certificateIssuer: r.certificate_issuer,
    evidenceEventIds: r.evidence_event_ids.map(String),
    score: r.score === null ? null : Number(r.score),
    details: r.details,
    status: r.status,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

export interface AlertFilter {
  organizationBin?: string;
  rule?: AlertRule;
  status?: AlertStatus;
  limit?: number;
}

/**
 * Alerts: written from rule findings (one per finding, later evidence appended), and on
 * creation announced to the organization's admins (its HR staff in office) and to inspectors.
 */
export class AlertService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly options: { complianceGraceHours: number; clock?: () => Date },
  ) {}

  private now(): Date {
    return this.options.clock ? this.options.clock() : new Date();
  }

  /** Writes the findings in the caller's transaction; returns the ids of alerts created (not merely extended). */
  async save(db: Executor, found: AlertCandidate[], at: Date): Promise<string[]> {
    const candidates = mergeCandidates(found);
    if (candidates.length === 0) return [];
    const rows = await new AlertsRepository(db).upsert(candidates.map((c) => ({ ...c, id: randomUUID() })), at);
    const created = rows.filter((r) => r.inserted).map((r) => r.id);
    if (created.length > 0) await this.announce(db, created, at);
    return created;
  }

  /** Tells the organizations' admins (HR staff employed now) and the inspectors' mailbox about new alerts. */
  private async announce(db: Executor, alertIds: string[], at: Date): Promise<void> {
    const alerts = await new AlertsRepository(db).summaries(alertIds);
    const bins = [...new Set(alerts.map((a) => a.organization_bin).filter((b): b is string => b !== null))];
    const admins = await new EmploymentsRepository(db).hrInForce(bins, at);
    const entries: { personHash: Buffer; payload: Record<string, unknown> }[] = [];
    for (const a of alerts) {
      const payload = { alertId: a.id, rule: a.rule, organizationBin: a.organization_bin, certificateSerial: a.certificate_serial };
      entries.push({ personHash: INSPECTORS_MAILBOX, payload });
      for (const admin of admins) if (admin.bin === a.organization_bin) entries.push({ personHash: this.pseudonymizer.of(admin.iin), payload });
    }
    await enqueueNotifications(db, ALERT_RAISED, at, entries);
  }

  async list(filter: AlertFilter): Promise<AlertView[]> {
    return (await new AlertsRepository(this.db).list({ ...filter, limit: filter.limit ?? 50 })).map(toAlertView);
  }

  async get(id: string, db: Executor = this.db): Promise<AlertView> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await new AlertsRepository(db).byId(id) : undefined;
    if (!row) throw AppError.notFound('ALERT_NOT_FOUND', `No alert ${id}`);
    return toAlertView(row);
  }

  async dismiss(id: string): Promise<AlertView> {
    const alert = await this.get(id);
    if (alert.status !== 'new') throw AppError.conflict('ALERT_NOT_NEW', `The alert is ${alert.status}`);
    await new AlertsRepository(this.db).moveFromNew(id, 'dismissed', this.now());
    return this.get(id);
  }

  /**
   * Rule 3 as a periodic check: one alert per ended employee whose certificates of that
   * organization are still unrevoked after the grace period, with the uses made since the end.
   */
  async complianceCheck(): Promise<{ alertsCreated: number; findings: number }> {
    const now = this.now();
    return this.db.transaction().execute(async (trx) => {
      const findings = await unrevokedAfterDepartureRule(trx, now, this.options.complianceGraceHours);
      if (findings.length === 0) return { alertsCreated: 0, findings: 0 };
      const usesBySerial = await new AlertsRepository(trx).usesSince(findings.flatMap((f) => f.serials.map((serial) => ({ serial, since: f.endedAt }))));
      const candidates: AlertCandidate[] = findings.map((f) => {
        const person = this.pseudonymizer.of(f.iin).toString('hex');
        return {
          rule: 'unrevoked-after-departure',
          dedupeKey: `unrevoked-after-departure:${f.bin}:${person}:${f.endedAt.toISOString()}`,
          organizationBin: f.bin,
          personHash: person,
          serial: f.serials[0],
          issuer: f.issuers[0],
          eventIds: f.serials.flatMap((s) => usesBySerial.get(s) ?? []),
          score: null,
          details: { employmentEndedAt: f.endedAt.toISOString(), unrevokedSerials: f.serials, graceHours: this.options.complianceGraceHours },
        };
      });
      const created = await this.save(trx, candidates, now);
      return { alertsCreated: created.length, findings: findings.length };
    });
  }
}
