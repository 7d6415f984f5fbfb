import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import type { LiteracyVolunteerCertificatesTable, LiteracyVolunteersTable } from './literacy.tables.js';

/** The SQL of volunteers: applications, training modules, certificates of completion. */
export class VolunteersRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Inserts an application; false when the person already applied. */
  async insert(row: Insertable<LiteracyVolunteersTable>): Promise<boolean> {
    const r = await this.db.insertInto('literacy_volunteers').values(row).onConflict((oc) => oc.column('person_hash').doNothing()).returning('id').executeTakeFirst();
    return r !== undefined;
  }

  byPerson(personHash: Buffer) {
    return this.db.selectFrom('literacy_volunteers').selectAll().where('person_hash', '=', personHash).executeTakeFirst();
  }

  byId(id: string) {
    return this.db.selectFrom('literacy_volunteers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  modules(volunteerId: string) {
    return this.db.selectFrom('literacy_volunteer_modules').select(['module', 'completed_at', 'recorded_by']).where('volunteer_id', '=', volunteerId).orderBy('completed_at').execute();
  }

  async recordModule(volunteerId: string, module: string, recordedBy: string): Promise<void> {
    await this.db
      .insertInto('literacy_volunteer_modules')
      .values({ volunteer_id: volunteerId, module, recorded_by: recordedBy })
      .onConflict((oc) => oc.columns(['volunteer_id', 'module']).doNothing())
      .execute();
  }

  async insertCertificate(row: Insertable<LiteracyVolunteerCertificatesTable>, trx: Kysely<DB> | Transaction<DB> = this.db): Promise<void> {
    await trx.insertInto('literacy_volunteer_certificates').values(row).execute();
  }

  latestCertificate(volunteerId: string) {
    return this.db.selectFrom('literacy_volunteer_certificates').selectAll().where('volunteer_id', '=', volunteerId).orderBy('issued_at', 'desc').limit(1).executeTakeFirst();
  }

  /** Whether the person holds a certificate of completion: the fraud feature asks before a volunteer files for a victim. */
  async isTrained(personHash: Buffer): Promise<boolean> {
    const row = await this.db
      .selectFrom('literacy_volunteer_certificates as c')
      .innerJoin('literacy_volunteers as v', 'v.id', 'c.volunteer_id')
      .select('c.id')
      .where('v.person_hash', '=', personHash)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
