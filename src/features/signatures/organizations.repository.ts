import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../db/types.js';
import { notEndedBy } from './employments.repository.js';

/** The SQL of enrolled organizations. */
export class OrganizationsRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly readDb: Kysely<DB> = db,
  ) {}

  /** Enrols the organization; false when it was enrolled already (the primary key decides a race). */
  async enrol(row: { bin: string; name: string; enrolled_by: string }, executor: Kysely<DB> | Transaction<DB> = this.db): Promise<boolean> {
    const inserted = await executor.insertInto('enrolled_organizations').values(row).onConflict((oc) => oc.column('bin').doNothing()).returning('bin').executeTakeFirst();
    return inserted !== undefined;
  }

  /** Read from the primary: the CA asks this to decide an application, right after an enrolment. */
  async isEnrolled(bin: string): Promise<boolean> {
    return (await this.db.selectFrom('enrolled_organizations').select('bin').where('bin', '=', bin).executeTakeFirst()) !== undefined;
  }

  /** The enrolled name, inside the caller's transaction when given (the embedded database has one connection). */
  async nameInTransaction(bin: string, trx: Transaction<DB>): Promise<string | null> {
    return (await trx.selectFrom('enrolled_organizations').select('name').where('bin', '=', bin).executeTakeFirst())?.name ?? null;
  }

  async nameOf(bin: string): Promise<string | undefined> {
    return (await this.readDb.selectFrom('enrolled_organizations').select('name').where('bin', '=', bin).executeTakeFirst())?.name;
  }

  /** The organization with its head count at `at` (records not ended by then, planned hires included). */
  async withHeadCount(bin: string, at: Date) {
    return this.db
      .selectFrom('enrolled_organizations as o')
      .select(['o.bin', 'o.name', 'o.enrolled_at'])
      .select((eb) =>
        eb
          .selectFrom('employments as e')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('e.bin', '=', 'o.bin')
          .where(notEndedBy(at, 'e'))
          .as('current_employees'),
      )
      .where('o.bin', '=', bin)
      .executeTakeFirst();
  }
}
