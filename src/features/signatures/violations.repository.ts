import { sql, type Insertable, type Kysely, type Transaction, type Updateable } from 'kysely';
import type { DB } from '../../db/types.js';
import type { OffenderCategory, ViolationCasesTable, ViolationStatus } from './usage.tables.js';

/** The SQL of violation cases and the fine schedule (article 640). */
export class ViolationsRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(trx: Transaction<DB>, row: Insertable<ViolationCasesTable>): Promise<void> {
    await trx.insertInto('violation_cases').values(row).execute();
  }

  /** Moves a case on from the status it was read in; false when it changed meanwhile. */
  async update(id: string, from: ViolationStatus, changes: Updateable<ViolationCasesTable>): Promise<boolean> {
    const updated = await this.db.updateTable('violation_cases').set(changes).where('id', '=', id).where('status', '=', from).executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  /** A case with its schedule entry's range. */
  async byId(id: string) {
    return this.db
      .selectFrom('violation_cases as v')
      .innerJoin('fine_schedule as s', (j) => j.onRef('s.violation_type', '=', 'v.violation_type').onRef('s.offender_category', '=', 'v.offender_category'))
      .selectAll('v')
      .select(['s.min_mci', 's.max_mci'])
      .where('v.id', '=', id)
      .executeTakeFirst();
  }

  /** Cases newest first, with their schedule entries' ranges; optionally of one status or organization. */
  async list(query: { status?: ViolationStatus; organizationBin?: string; limit: number }) {
    let q = this.db
      .selectFrom('violation_cases as v')
      .innerJoin('fine_schedule as s', (j) => j.onRef('s.violation_type', '=', 'v.violation_type').onRef('s.offender_category', '=', 'v.offender_category'))
      .selectAll('v')
      .select(['s.min_mci', 's.max_mci'])
      .orderBy('v.opened_at', 'desc')
      .orderBy('v.id')
      .limit(query.limit);
    if (query.status) q = q.where('v.status', '=', query.status);
    if (query.organizationBin) q = q.where('v.organization_bin', '=', query.organizationBin);
    return q.execute();
  }

  async schedule() {
    return this.db.selectFrom('fine_schedule').selectAll().orderBy('violation_type').orderBy('offender_category').execute();
  }

  async scheduleEntry(violationType: string, category: OffenderCategory) {
    return this.db.selectFrom('fine_schedule').select(['min_mci', 'max_mci']).where('violation_type', '=', violationType).where('offender_category', '=', category).executeTakeFirst();
  }

  /** Cases by year opened and violation type: how many, how many fined, fines in MCI and tenge (as text: sums of numerics). */
  async statistics(year?: number) {
    const rows = await sql<{ year: number; violation_type: string; cases: number; fined: number; fine_mci: string | null; fine_tenge: string | null }>`
      select extract(year from opened_at)::int as year, violation_type, count(*)::int as cases,
        count(*) filter (where status in ('fined', 'appealed'))::int as fined,
        coalesce(sum(fine_mci) filter (where status in ('fined', 'appealed')), 0)::text as fine_mci,
        coalesce(sum(fine_tenge) filter (where status in ('fined', 'appealed')), 0)::text as fine_tenge
      from violation_cases
      ${year === undefined ? sql`` : sql`where opened_at >= make_timestamptz(${year}::int, 1, 1, 0, 0, 0, 'UTC') and opened_at < make_timestamptz(${year + 1}::int, 1, 1, 0, 0, 0, 'UTC')`}
      group by 1, 2 order by 1, 2`.execute(this.db);
    return rows.rows;
  }
}
