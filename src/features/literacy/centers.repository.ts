import { sql, type Insertable, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { LiteracyCentersTable, LiteracySessionsTable } from './literacy.tables.js';

/** Great-circle distance in km (haversine) from a point to each center, as SQL. */
const distanceKm = (latitude: number, longitude: number) => sql<number>`
  2 * 6371 * asin(sqrt(
    power(sin(radians(latitude - ${latitude}) / 2), 2) +
    cos(radians(${latitude})) * cos(radians(latitude)) * power(sin(radians(longitude - ${longitude}) / 2), 2)
  ))`;

/** The SQL of centers, their sessions, enrolments and attendance. */
export class CentersRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(row: Insertable<LiteracyCentersTable>): Promise<void> {
    await this.db.insertInto('literacy_centers').values(row).execute();
  }

  find(id: string) {
    return this.db.selectFrom('literacy_centers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(region?: string) {
    let q = this.db.selectFrom('literacy_centers').selectAll().orderBy('region').orderBy('name');
    if (region) q = q.where('region', '=', region);
    return q.execute();
  }

  /** The nearest centers to a point, or, without one, the centers of the region. */
  nearest(where: { latitude: number; longitude: number } | { region: string }, limit = 3) {
    const q = this.db.selectFrom('literacy_centers').selectAll();
    if ('latitude' in where) {
      return q.select(distanceKm(where.latitude, where.longitude).as('distance_km')).orderBy('distance_km').limit(limit).execute();
    }
    return q.select(sql<number | null>`null::float8`.as('distance_km')).where('region', '=', where.region).orderBy('name').limit(limit).execute();
  }

  async insertSession(row: Insertable<LiteracySessionsTable>): Promise<void> {
    await this.db.insertInto('literacy_sessions').values(row).execute();
  }

  sessions(centerId: string) {
    return this.db
      .selectFrom('literacy_sessions as s')
      .leftJoin('literacy_enrolments as e', 'e.session_id', 's.id')
      .select(['s.id', 's.center_id', 's.topic', 's.language', 's.starts_at', 's.capacity'])
      .select([sql<number>`count(e.id)::int`.as('enrolled'), sql<number>`count(e.id) filter (where e.attended)::int`.as('attended')])
      .where('s.center_id', '=', centerId)
      .groupBy('s.id')
      .orderBy('s.starts_at')
      .execute();
  }

  /**
   * Enrols a person unless the session is full. The session row is locked first, so two people
   * taking the last seat at once cannot both get it.
   */
  async enrol(sessionId: string, personHash: Buffer, id: string): Promise<'enrolled' | 'already' | 'full' | 'no-session'> {
    return this.db.transaction().execute(async (trx) => {
      const session = await trx.selectFrom('literacy_sessions').select(['capacity']).where('id', '=', sessionId).forUpdate().executeTakeFirst();
      if (!session) return 'no-session';
      const existing = await trx.selectFrom('literacy_enrolments').select('id').where('session_id', '=', sessionId).where('person_hash', '=', personHash).executeTakeFirst();
      if (existing) return 'already';
      const { taken } = await trx.selectFrom('literacy_enrolments').select(sql<number>`count(*)::int`.as('taken')).where('session_id', '=', sessionId).executeTakeFirstOrThrow();
      if (taken >= session.capacity) return 'full';
      await trx.insertInto('literacy_enrolments').values({ id, session_id: sessionId, person_hash: personHash }).execute();
      return 'enrolled';
    });
  }

  enrolmentsOf(sessionId: string) {
    return this.db.selectFrom('literacy_enrolments').select(['id', 'enrolled_at', 'attended']).where('session_id', '=', sessionId).orderBy('enrolled_at').execute();
  }

  /** Records attendance for enrolments of the session; returns how many it matched. */
  async recordAttendance(sessionId: string, enrolmentIds: string[], attended: boolean): Promise<number> {
    if (!enrolmentIds.length) return 0;
    const r = await this.db.updateTable('literacy_enrolments').set({ attended }).where('session_id', '=', sessionId).where('id', 'in', enrolmentIds).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
