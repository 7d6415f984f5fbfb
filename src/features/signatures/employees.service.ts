import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';

/** One spell of employment of a person (by IIN) in an organization (by BIN). */
export interface Employment {
  id: number;
  bin: string;
  iin: string;
  surname: string | null;
  givenName: string | null;
  patronymic: string | null;
  position: string;
  roles: { maySign: boolean; maySignFinancial: boolean; hr: boolean };
  startedAt: Date;
  /** null while employed (no end recorded). */
  endedAt: Date | null;
  endReason: string | null;
}

type Executor = Kysely<DB> | Transaction<DB>;

const COLUMNS = [
  'id', 'bin', 'iin', 'surname', 'given_name', 'patronymic', 'position', 'may_sign', 'may_sign_financial', 'hr', 'started_at', 'ended_at', 'end_reason',
] as const;

type Row = {
  id: number | string; bin: string; iin: string; surname: string | null; given_name: string | null; patronymic: string | null; position: string;
  may_sign: boolean; may_sign_financial: boolean; hr: boolean; started_at: Date; ended_at: Date | null; end_reason: string | null;
};

export function toEmployment(r: Row): Employment {
  return {
    id: Number(r.id),
    bin: r.bin,
    iin: r.iin,
    surname: r.surname,
    givenName: r.given_name,
    patronymic: r.patronymic,
    position: r.position,
    roles: { maySign: r.may_sign, maySignFinancial: r.may_sign_financial, hr: r.hr },
    startedAt: new Date(r.started_at),
    endedAt: r.ended_at ? new Date(r.ended_at) : null,
    endReason: r.end_reason,
  };
}

/**
 * Read side of employment records, for other features (misuse rules, sign-in): they ask here
 * and never read the `employments` table themselves.
 */
export class EmploymentService {
  constructor(private readonly db: Kysely<DB>, private readonly readDb: Kysely<DB> = db) {}

  /** The employment of `iin` in `bin` in force at `at` (started at or before, not ended by then), or null. */
  async employmentAt(bin: string, iin: string, at: Date, executor: Executor = this.db): Promise<Employment | null> {
    const row = await executor
      .selectFrom('employments')
      .select(COLUMNS)
      .where('bin', '=', bin)
      .where('iin', '=', iin)
      .where('started_at', '<=', at)
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', at)]))
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toEmployment(row) : null;
  }

  /** The latest spell of employment of `iin` in `bin` (ended or not), or null if never employed there. */
  async latestEmployment(bin: string, iin: string, executor: Executor = this.db): Promise<Employment | null> {
    const row = await executor
      .selectFrom('employments')
      .select(COLUMNS)
      .where('bin', '=', bin)
      .where('iin', '=', iin)
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toEmployment(row) : null;
  }

  /** Every spell of employment of a person, newest first (holder self-service). */
  async employmentsOf(iin: string): Promise<Employment[]> {
    const rows = await this.readDb.selectFrom('employments').select(COLUMNS).where('iin', '=', iin).orderBy('started_at', 'desc').execute();
    return rows.map(toEmployment);
  }

  /**
   * Employments that ended at or before `endedBefore` (e.g. now - 24 h), with the organization,
   * for the compliance rule on certificates left unrevoked after an employee left.
   */
  async endedBefore(endedBefore: Date, endedAfter?: Date): Promise<Employment[]> {
    let q = this.readDb.selectFrom('employments').select(COLUMNS).where('ended_at', 'is not', null).where('ended_at', '<=', endedBefore);
    if (endedAfter) q = q.where('ended_at', '>', endedAfter);
    const rows = await q.orderBy('ended_at').execute();
    return rows.map(toEmployment);
  }

  /** Whether the organization is enrolled. */
  async isEnrolled(bin: string): Promise<boolean> {
    const row = await this.readDb.selectFrom('enrolled_organizations').select('bin').where('bin', '=', bin).executeTakeFirst();
    return row !== undefined;
  }
}
