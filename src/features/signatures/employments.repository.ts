import { sql, type Expression, type Insertable, type Kysely, type RawBuilder, type Transaction, type Updateable } from 'kysely';
import type { DB } from '../../db/types.js';
import type { EmploymentsTable } from './signatures.tables.js';

type Executor = Kysely<DB> | Transaction<DB>;

/** A moment: a parameter (a Date) or a column of the surrounding query (`sql.ref('q.at')`). */
export type Instant = Date | Expression<Date>;

/**
 * Employment in force at `at`: started at or before it, and not ended by then. An employment
 * ending at `at` is no longer in force at `at`; one starting at `at` already is. This is the
 * one place the condition is written: every question "was X employed by the organization at
 * time t" (certificate authorizations, termination, staff sync, the misuse rules, alerts to HR)
 * uses it, so they cannot disagree at the edges.
 * `table` is the name or alias of the employments table in the surrounding query.
 */
export function inForceAt(at: Instant, table = 'employments'): RawBuilder<boolean> {
  const column = (name: 'started_at' | 'ended_at') => sql.ref(`${table}.${name}`);
  return sql<boolean>`(${column('started_at')} <= ${at} and (${column('ended_at')} is null or ${column('ended_at')} > ${at}))`;
}

/**
 * Not ended by `at`: in force, or starting later (a planned hire). The organization's
 * "current employees" (its list and its head count) include those who start later; the
 * questions about a use or a certificate at a moment ask `inForceAt`.
 */
export function notEndedBy(at: Instant, table = 'employments'): RawBuilder<boolean> {
  const ended = sql.ref(`${table}.ended_at`);
  return sql<boolean>`(${ended} is null or ${ended} > ${at})`;
}

export const EMPLOYMENT_COLUMNS = [
  'id', 'bin', 'iin', 'surname', 'given_name', 'patronymic', 'position', 'may_sign', 'may_sign_financial', 'hr', 'first_head', 'started_at', 'ended_at', 'end_reason',
] as const;

export type EmploymentRow = {
  id: number | string; bin: string; iin: string; surname: string | null; given_name: string | null; patronymic: string | null; position: string;
  may_sign: boolean; may_sign_financial: boolean; hr: boolean; first_head: boolean; started_at: Date; ended_at: Date | null; end_reason: string | null;
};

/** Who ended an employment and why, for the record. */
export interface Ending {
  at: Date;
  reason: string;
  actor: string;
}

/**
 * The SQL of an organization's employment records (`employments`), which hold the employee's
 * IIN in the clear (DESIGN.md allows it for an organization's own records). Reads that may
 * lag use `readDb`; reads that decide a write take the caller's transaction.
 */
export class EmploymentsRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly readDb: Kysely<DB> = db,
  ) {}

  /** The spell of `iin` in `bin` in force at `at`, newest first; `lock` takes its row lock (the caller's transaction). */
  async inForce(bin: string, iin: string, at: Date, options: { executor?: Executor; lock?: boolean } = {}): Promise<EmploymentRow | undefined> {
    const query = (options.executor ?? this.db)
      .selectFrom('employments')
      .select(EMPLOYMENT_COLUMNS)
      .where('bin', '=', bin)
      .where('iin', '=', iin)
      .where(inForceAt(at))
      .orderBy('started_at', 'desc')
      .limit(1);
    return (options.lock ? query.forUpdate() : query).executeTakeFirst();
  }

  /** Whether `iin` has an employment in force at `at` in `bin`. */
  async isInForce(bin: string, iin: string, at: Date, executor: Executor = this.db): Promise<boolean> {
    const row = await executor.selectFrom('employments').select('id').where('bin', '=', bin).where('iin', '=', iin).where(inForceAt(at)).executeTakeFirst();
    return row !== undefined;
  }

  /** The latest spell of `iin` in `bin`, ended or not; `lock` takes its row lock before a change. */
  async latest(bin: string, iin: string, options: { executor?: Executor; lock?: boolean } = {}): Promise<EmploymentRow | undefined> {
    const query = (options.executor ?? this.db)
      .selectFrom('employments')
      .select(EMPLOYMENT_COLUMNS)
      .where('bin', '=', bin)
      .where('iin', '=', iin)
      .orderBy('started_at', 'desc')
      .limit(1);
    return (options.lock ? query.forUpdate() : query).executeTakeFirst();
  }

  /** Every spell of a person, newest first. */
  async ofPerson(iin: string): Promise<EmploymentRow[]> {
    return this.readDb.selectFrom('employments').select(EMPLOYMENT_COLUMNS).where('iin', '=', iin).orderBy('started_at', 'desc').execute();
  }

  /** Spells that ended at or before `endedBefore` (and after `endedAfter`, when given), oldest end first. */
  async endedBetween(endedBefore: Date, endedAfter?: Date): Promise<EmploymentRow[]> {
    let q = this.readDb.selectFrom('employments').select(EMPLOYMENT_COLUMNS).where('ended_at', 'is not', null).where('ended_at', '<=', endedBefore);
    if (endedAfter) q = q.where('ended_at', '>', endedAfter);
    return q.orderBy('ended_at').execute();
  }

  async insert(trx: Transaction<DB>, values: Insertable<EmploymentsTable>): Promise<EmploymentRow> {
    return trx.insertInto('employments').values(values).returning(EMPLOYMENT_COLUMNS).executeTakeFirstOrThrow();
  }

  async update(trx: Transaction<DB>, id: number | string, changes: Updateable<EmploymentsTable>): Promise<EmploymentRow> {
    return trx.updateTable('employments').set(changes).where('id', '=', Number(id)).returning(EMPLOYMENT_COLUMNS).executeTakeFirstOrThrow();
  }

  /**
   * A page of an organization's records by IIN then start, after the cursor (IIN, start).
   * "current" is every record not ended by `at` (planned hires too), "ended" those ended by then.
   */
  async page(bin: string, options: { status: 'current' | 'ended' | 'all'; at: Date; after?: { iin: string; startedAt?: Date }; limit: number }): Promise<EmploymentRow[]> {
    let q = this.readDb.selectFrom('employments').select(EMPLOYMENT_COLUMNS).where('bin', '=', bin);
    if (options.status === 'current') q = q.where(notEndedBy(options.at));
    if (options.status === 'ended') q = q.where('ended_at', 'is not', null).where('ended_at', '<=', options.at);
    const after = options.after;
    if (after) q = after.startedAt === undefined ? q.where('iin', '>', after.iin) : q.where(sql<boolean>`(iin, started_at) > (${after.iin}, ${after.startedAt})`);
    return q.orderBy('iin').orderBy('started_at').limit(options.limit).execute();
  }

  /** Records of `bin` not ended by `at` (the head count an organization sees). */
  async countNotEnded(bin: string, at: Date): Promise<number> {
    const row = await this.db.selectFrom('employments').select(sql<number>`count(*)::int`.as('n')).where('bin', '=', bin).where(notEndedBy(at)).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Ends the employment of `iin` in `bin` in force at the ending's moment; the ids ended (none if none was in force). */
  async end(trx: Transaction<DB>, bin: string, iin: string, ending: Ending): Promise<number[]> {
    const rows = await trx
      .updateTable('employments')
      .set({ ended_at: ending.at, end_reason: ending.reason, ended_by: ending.actor, updated_at: ending.at })
      .where('bin', '=', bin)
      .where('iin', '=', iin)
      .where(inForceAt(ending.at))
      .returning('id')
      .execute();
    return rows.map((r) => Number(r.id));
  }

  /** Who in `bin` is employed at `at` and absent from `keep`: those a confirmed staff sync ends. */
  async inForceNotListed(bin: string, keep: string[], at: Date, executor: Executor = this.db): Promise<{ iin: string; position: string }[]> {
    return executor.selectFrom('employments').select(['iin', 'position']).where('bin', '=', bin).where(inForceAt(at)).where(notListed(keep)).orderBy('iin').execute();
  }

  /** Ends, set-based, every employment of `bin` in force at the ending's moment whose IIN is not in `keep`; the IINs ended. */
  async endAllBut(trx: Transaction<DB>, bin: string, keep: string[], ending: Ending): Promise<string[]> {
    const rows = await trx
      .updateTable('employments')
      .set({ ended_at: ending.at, end_reason: ending.reason, ended_by: ending.actor, updated_at: ending.at })
      .where('bin', '=', bin)
      .where(inForceAt(ending.at))
      .where(notListed(keep))
      .returning('iin')
      .execute();
    return rows.map((r) => r.iin);
  }

  /** The IINs of `listed` with no employment in force at `at` in `bin` (a staff list naming people HR never recorded). */
  async listedNotInForce(bin: string, listed: string[], at: Date): Promise<string[]> {
    const rows = await sql<{ iin: string }>`
      select l.iin from unnest(${listed}::text[]) as l(iin)
      where not exists (select 1 from employments e where e.bin = ${bin} and e.iin = l.iin and ${inForceAt(at, 'e')})
      order by l.iin`.execute(this.db);
    return rows.rows.map((r) => r.iin);
  }

  /** HR staff of the organizations `bins` employed at `at`: who hears of an alert. */
  async hrInForce(bins: string[], at: Date): Promise<{ bin: string; iin: string }[]> {
    if (bins.length === 0) return [];
    return this.db.selectFrom('employments').select(['bin', 'iin']).where('bin', 'in', bins).where('hr', '=', true).where(inForceAt(at)).execute();
  }

  /**
   * Misuse rules 1 and 4, for a batch of uses: for each use (by id) of a holder's certificate
   * of an organization, when the holder was not employed there at the time of use (or at the
   * signing time), the end of their last employment before then. One pass over each holder's
   * records (one index range); the IINs travel only as a parameter. Run it on a repository
   * made over the ingest's transaction.
   */
  async departuresAt(uses: { id: string; bin: string; iin: string; at: Date; signedAt: Date | null }[]): Promise<{ id: string; endedAtUse: Date | null; endedAtSigning: Date | null }[]> {
    if (uses.length === 0) return [];
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    const atUse = sql.ref<Date>('q.at');
    const atSigning = sql.ref<Date>('q.signed_at');
    const rows = await sql<{ id: string; ended_at_use: Date | null; ended_at_signing: Date | null }>`
      select q.id, e.ended_at_use, e.ended_at_signing
      from unnest(${uses.map((u) => u.id)}::text[], ${uses.map((u) => u.bin)}::text[], ${uses.map((u) => u.iin)}::text[],
                  ${uses.map((u) => u.at.toISOString())}::timestamptz[], ${uses.map((u) => iso(u.signedAt))}::timestamptz[])
        as q(id, bin, iin, at, signed_at)
      cross join lateral (
        select
          case when not coalesce(bool_or(${inForceAt(atUse, 'e')}), false)
            then max(e.ended_at) filter (where e.ended_at <= q.at) end as ended_at_use,
          case when q.signed_at is not null and not coalesce(bool_or(${inForceAt(atSigning, 'e')}), false)
            then max(e.ended_at) filter (where e.ended_at <= q.signed_at) end as ended_at_signing
        from employments e where e.bin = q.bin and e.iin = q.iin) e`.execute(this.db);
    return rows.rows.map((r) => ({
      id: String(r.id),
      endedAtUse: r.ended_at_use ? new Date(r.ended_at_use) : null,
      endedAtSigning: r.ended_at_signing ? new Date(r.ended_at_signing) : null,
    }));
  }

  /**
   * Misuse rule 3: ended employees (not employed there again by `now`) whose certificates of the
   * organization, given by `unrevokedCertificates` (the CA's exported subquery, never its
   * table), are still unrevoked `graceHours` after the end.
   */
  async departedWithUnrevoked(
    now: Date,
    graceHours: number,
    unrevokedCertificates: Expression<unknown>,
  ): Promise<{ bin: string; iin: string; endedAt: Date; serials: string[]; issuers: string[] }[]> {
    const rows = await sql<{ bin: string; iin: string; ended_at: Date; serials: string[]; issuers: string[] }>`
      select e.bin, e.iin, max(e.ended_at) as ended_at, array_agg(distinct c.serial) as serials, array_agg(distinct c.issuer) as issuers
      from employments e
      join ${unrevokedCertificates} c on c.subject_bin = e.bin and c.subject_iin = e.iin
      where e.ended_at <= ${now}::timestamptz - make_interval(secs => ${graceHours * 3600}::double precision)
        and not exists (select 1 from employments n where n.bin = e.bin and n.iin = e.iin and ${notEndedBy(now, 'n')})
      group by e.bin, e.iin`.execute(this.db);
    return rows.rows.map((r) => ({ bin: r.bin, iin: r.iin, endedAt: new Date(r.ended_at), serials: r.serials, issuers: r.issuers }));
  }
}

/** An anti-join against an uploaded staff list (a hash anti-join, not a comparison with every element). */
const notListed = (keep: string[]) => sql<boolean>`not exists (select 1 from unnest(${keep}::text[]) as k(iin) where k.iin = employments.iin)`;
