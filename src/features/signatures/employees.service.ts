import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import type { EmployeeUpsertInput, EmployeeViewType } from './employees.schema.js';
import { EmploymentsRepository, type EmploymentRow } from './employments.repository.js';
import { OrganizationsRepository } from './organizations.repository.js';

/** One spell of employment of a person (by IIN) in an organization (by BIN). */
export interface Employment {
  id: number;
  bin: string;
  iin: string;
  surname: string | null;
  givenName: string | null;
  patronymic: string | null;
  position: string;
  roles: { maySign: boolean; maySignFinancial: boolean; hr: boolean; firstHead: boolean };
  startedAt: Date;
  /** null while employed (no end recorded). */
  endedAt: Date | null;
  endReason: string | null;
}

type Executor = Kysely<DB> | Transaction<DB>;

/** The position recorded for a head when Qorgau records them (enrolment, a head's pair); HR may change the words. */
export const FIRST_HEAD_POSITION = 'first head';

/**
 * The first-head role of a record after an update. It is set only from a proof of headship (the
 * head's pair or enrolment), never by a request: nobody, HR included, makes a person the head. A
 * head (or an admin) may take it off a record, for instance the previous head's; HR may not.
 */
function firstHeadAfter(bin: string, now: boolean, asked: boolean | undefined, actor: { isHead: boolean }): boolean {
  if (asked === undefined || asked === now) return now;
  if (asked) {
    throw AppError.forbidden(
      'FIRST_HEAD_NEEDS_PROOF',
      `The first-head role comes only with a proof of headship of ${bin}: the person applies for the head's pair with the registration extract number or a certificate already carrying the role`,
    );
  }
  if (!actor.isHead) throw AppError.forbidden('ORG_HEAD_ROLE_REQUIRED', `Only the first head of ${bin} (or an admin) may take the first-head role off a record`);
  return false;
}

export function toEmployment(r: EmploymentRow): Employment {
  return {
    id: Number(r.id),
    bin: r.bin,
    iin: r.iin,
    surname: r.surname,
    givenName: r.given_name,
    patronymic: r.patronymic,
    position: r.position,
    roles: { maySign: r.may_sign, maySignFinancial: r.may_sign_financial, hr: r.hr, firstHead: r.first_head },
    startedAt: new Date(r.started_at),
    endedAt: r.ended_at ? new Date(r.ended_at) : null,
    endReason: r.end_reason,
  };
}

/** The organization's view of an employment record (its own record: the IIN in the clear). */
export function presentEmployment(e: Employment, now = new Date()): EmployeeViewType {
  return {
    bin: e.bin,
    iin: e.iin,
    surname: e.surname,
    givenName: e.givenName,
    patronymic: e.patronymic,
    position: e.position,
    roles: e.roles,
    startedAt: e.startedAt.toISOString(),
    endedAt: e.endedAt ? e.endedAt.toISOString() : null,
    endReason: e.endReason,
    employed: e.startedAt <= now && (e.endedAt === null || e.endedAt > now),
  };
}

/**
 * Read side of employment records, for other features (misuse rules, sign-in): they ask here
 * and never read the `employments` table themselves.
 */
export class EmploymentService {
  private readonly employments: EmploymentsRepository;

  constructor(private readonly db: Kysely<DB>, readDb: Kysely<DB> = db) {
    this.employments = new EmploymentsRepository(db, readDb);
  }

  /** The employment of `iin` in `bin` in force at `at` (started at or before, not ended by then), or null. */
  async employmentAt(bin: string, iin: string, at: Date, executor: Executor = this.db): Promise<Employment | null> {
    const row = await this.employments.inForce(bin, iin, at, { executor });
    return row ? toEmployment(row) : null;
  }

  /** The latest spell of employment of `iin` in `bin` (ended or not), or null if never employed there. */
  async latestEmployment(bin: string, iin: string, executor: Executor = this.db): Promise<Employment | null> {
    const row = await this.employments.latest(bin, iin, { executor });
    return row ? toEmployment(row) : null;
  }

  /** Every spell of employment of a person, newest first (holder self-service). */
  async employmentsOf(iin: string): Promise<Employment[]> {
    return (await this.employments.ofPerson(iin)).map(toEmployment);
  }

  /**
   * Employments that ended at or before `endedBefore` (e.g. now - 24 h), with the organization,
   * for the compliance rule on certificates left unrevoked after an employee left.
   */
  async endedBefore(endedBefore: Date, endedAfter?: Date): Promise<Employment[]> {
    return (await this.employments.endedBetween(endedBefore, endedAfter)).map(toEmployment);
  }

  /**
   * Records or updates the current spell of employment. A person whose last spell has ended
   * starts a new one (a re-hire); the end of a spell is set only by termination.
   */
  async upsert(bin: string, iin: string, input: EmployeeUpsertInput, actor: { isHead: boolean } = { isHead: false }): Promise<{ employment: Employment; created: boolean }> {
    const now = new Date();
    const startedAt = input.startDate ? new Date(`${input.startDate}T00:00:00Z`) : now;
    if (Number.isNaN(startedAt.getTime())) throw AppError.badRequest('EMPLOYMENT_START_DATE', `"${input.startDate}" is not a date`);
    const roles = { may_sign: input.roles?.maySign ?? false, may_sign_financial: input.roles?.maySignFinancial ?? false, hr: input.roles?.hr ?? false };
    const names = { surname: input.surname?.trim() ?? null, given_name: input.givenName?.trim() ?? null, patronymic: input.patronymic?.trim() || null };
    return this.db.transaction().execute(async (trx) => {
      const latest = await this.employments.latest(bin, iin, { executor: trx, lock: true });
      const current = latest && (latest.ended_at === null || latest.ended_at > now) ? latest : undefined;
      const firstHead = firstHeadAfter(bin, current?.first_head ?? false, input.roles?.firstHead, actor);
      if (current) {
        const row = await this.employments.update(trx, current.id, {
          position: input.position.trim(),
          ...roles,
          first_head: firstHead,
          surname: names.surname ?? current.surname,
          given_name: names.given_name ?? current.given_name,
          patronymic: input.patronymic !== undefined ? names.patronymic : current.patronymic,
          ...(input.startDate ? { started_at: startedAt } : {}),
          updated_at: now,
        });
        return { employment: toEmployment(row), created: false };
      }
      if (latest?.ended_at && startedAt < latest.ended_at) {
        throw AppError.conflict('EMPLOYMENT_OVERLAP', `The previous employment ended ${latest.ended_at.toISOString()}; a new one cannot start before that`);
      }
      const row = await this.employments.insert(trx, { bin, iin, position: input.position.trim(), ...roles, ...names, started_at: startedAt, ended_by: null, end_reason: null });
      return { employment: toEmployment(row), created: true };
    });
  }

  /**
   * A head's pair was issued on a proof of headship: the organization records the person as its
   * first head, on their current employment or a new one (a new head taking over), in the issuing
   * transaction. Before enrolment there is nothing to record: enrolment records the head.
   */
  async recordHead(trx: Transaction<DB>, head: { bin: string; iin: string; surname: string; givenName: string; patronymic: string | null }): Promise<void> {
    // Everything inside the issuing transaction: the embedded database has one connection.
    if (!(await new OrganizationsRepository(trx).isEnrolled(head.bin))) return;
    const now = new Date();
    const current = await this.employments.inForce(head.bin, head.iin, now, { executor: trx, lock: true });
    if (current) {
      await this.employments.update(trx, current.id, { first_head: true, updated_at: now });
      return;
    }
    await this.employments.insert(trx, {
      bin: head.bin, iin: head.iin, position: FIRST_HEAD_POSITION, first_head: true,
      surname: head.surname, given_name: head.givenName, patronymic: head.patronymic, started_at: now, ended_by: null, end_reason: null,
    });
  }

  /**
   * A page of an organization's employment records, by IIN then start. The cursor is the last
   * record's "IIN.start-in-ms", so a person's several spells are never split across pages.
   */
  async list(bin: string, options: { status?: 'current' | 'ended' | 'all'; after?: string; limit?: number }): Promise<{ items: Employment[]; next: string | null }> {
    const limit = options.limit ?? 100;
    const now = new Date();
    let after: { iin: string; startedAt?: Date } | undefined;
    if (options.after) {
      const [iin, ms] = options.after.split('.');
      after = { iin, startedAt: ms === undefined ? undefined : new Date(Number(ms)) };
    }
    const rows = await this.employments.page(bin, { status: options.status ?? 'current', at: now, after, limit: limit + 1 });
    const items = rows.slice(0, limit).map(toEmployment);
    const last = items[items.length - 1];
    return { items, next: rows.length > limit ? `${last.iin}.${last.startedAt.getTime()}` : null };
  }
}
