import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../../db/types.js';
import type { RestrictionLiftsTable } from './lifts.tables.js';

export type LiftRow = Selectable<RestrictionLiftsTable>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** All SQL on restriction_lifts. */
export class LiftRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(db: Kysely<DB>, row: LiftRow): Promise<void> {
    await db.insertInto('restriction_lifts').values(row).execute();
  }

  async ofPerson(personHash: Buffer): Promise<LiftRow[]> {
    return this.db.selectFrom('restriction_lifts').selectAll().where('person_hash', '=', personHash).orderBy('requested_at', 'desc').orderBy('id').execute();
  }

  async findOf(db: Kysely<DB>, personHash: Buffer, id: string, options: { lock?: boolean } = {}): Promise<LiftRow | undefined> {
    if (!UUID.test(id)) return undefined;
    let q = db.selectFrom('restriction_lifts').selectAll().where('id', '=', id).where('person_hash', '=', personHash);
    if (options.lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  /** Cancels a lift still in its cooling-off; false when it is already in effect or cancelled. */
  async cancel(db: Kysely<DB>, personHash: Buffer, id: string, at: Date): Promise<boolean> {
    const result = await db
      .updateTable('restriction_lifts')
      .set({ cancelled_at: at })
      .where('id', '=', id)
      .where('person_hash', '=', personHash)
      .where('cancelled_at', 'is', null)
      .where('effective_at', '>', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
