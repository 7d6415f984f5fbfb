import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import type { AlertCandidate } from './misuse-rules.js';
import type { AlertRule, AlertStatus } from './usage.tables.js';

type Executor = Kysely<DB> | Transaction<DB>;

/** Evidence kept per alert; a misuse seen thousands of times needs no more to be proven. */
const MAX_EVIDENCE = 1000;

/** The SQL of misuse alerts (`usage_alerts`). */
export class AlertsRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Writes one alert per candidate, or adds the new evidence to the alert of the same dedupe key
   * (up to MAX_EVIDENCE ids, the higher score kept), in dedupe-key order so that concurrent
   * batches lock shared alerts in one order. Returns each row's id and whether it is new.
   */
  async upsert(candidates: (AlertCandidate & { id: string })[], at: Date): Promise<{ id: string; inserted: boolean }[]> {
    const rows = await sql<{ id: string; inserted: boolean }>`
      insert into usage_alerts (id, rule, organization_bin, person_hash, certificate_serial, certificate_issuer, evidence_event_ids, score, details, dedupe_key, created_at, updated_at)
      select q.id::uuid, q.rule, q.bin, decode(q.person, 'hex'), q.serial, q.issuer, string_to_array(q.evidence, ',')::bigint[], q.score, q.details::jsonb, q.dedupe_key, ${at}::timestamptz, ${at}::timestamptz
      from unnest(${candidates.map((c) => c.id)}::text[], ${candidates.map((c) => c.rule)}::text[], ${candidates.map((c) => c.organizationBin)}::text[], ${candidates.map((c) => c.personHash)}::text[],
                  ${candidates.map((c) => c.serial)}::text[], ${candidates.map((c) => c.issuer)}::text[], ${candidates.map((c) => c.eventIds.join(','))}::text[],
                  ${candidates.map((c) => c.score)}::real[], ${candidates.map((c) => JSON.stringify(c.details))}::text[], ${candidates.map((c) => c.dedupeKey)}::text[])
        as q(id, rule, bin, person, serial, issuer, evidence, score, details, dedupe_key)
      order by q.dedupe_key
      on conflict (dedupe_key) do update set
        evidence_event_ids = (usage_alerts.evidence_event_ids || array(select x from unnest(excluded.evidence_event_ids) x where x <> all(usage_alerts.evidence_event_ids)))[1:${MAX_EVIDENCE}],
        score = greatest(usage_alerts.score, excluded.score),
        updated_at = excluded.updated_at
      returning id::text as id, (xmax = 0) as inserted`.execute(this.db);
    return rows.rows;
  }

  async summaries(ids: string[]) {
    return this.db.selectFrom('usage_alerts').select(['id', 'rule', 'organization_bin', 'certificate_serial']).where('id', 'in', ids).execute();
  }

  async list(filter: { organizationBin?: string; rule?: AlertRule; status?: AlertStatus; limit: number }) {
    let q = this.db.selectFrom('usage_alerts').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(filter.limit);
    if (filter.organizationBin) q = q.where('organization_bin', '=', filter.organizationBin);
    if (filter.rule) q = q.where('rule', '=', filter.rule);
    if (filter.status) q = q.where('status', '=', filter.status);
    return q.execute();
  }

  async byId(id: string) {
    return this.db.selectFrom('usage_alerts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Moves a new alert to `status`; false when it was no longer new. */
  async moveFromNew(id: string, status: Exclude<AlertStatus, 'new'>, at: Date): Promise<boolean> {
    const moved = await this.db.updateTable('usage_alerts').set({ status, updated_at: at }).where('id', '=', id).where('status', '=', 'new').executeTakeFirst();
    return Number(moved.numUpdatedRows) === 1;
  }

  /** For each certificate (serial, with the end of its holder's employment), the ids of up to 100 uses since that end. */
  async usesSince(findings: { serial: string; since: Date }[]): Promise<Map<string, string[]>> {
    const rows = await sql<{ serial: string; ids: string[] }>`
      select q.serial, array(select u.id::text from usage_events u where u.certificate_serial = q.serial and u.occurred_at >= q.ended_at order by u.id limit 100) as ids
      from unnest(${findings.map((f) => f.serial)}::text[], ${findings.map((f) => f.since.toISOString())}::timestamptz[]) as q(serial, ended_at)`.execute(this.db);
    return new Map(rows.rows.map((u) => [u.serial, u.ids.map(String)]));
  }
}
