import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { appendManyToLog } from '../log/index.js';

/** A timestamptz as JavaScript's toISOString writes it, so logged times read the same wherever they were made. */
export const isoUtc = (column: string) => sql`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Writes a `restriction.expired` log entry for every restriction whose `until` passed since the
 * last sweep (up to `now`), unless a full lift ended it first (that was logged as its end),
 * and moves the sweep's mark to `now`, all in one transaction: set-based, whatever the count.
 * An expiry is a change of the person's protection that nobody makes; the sweep is what
 * records it, so a person can prove when their protection ended.
 */
export async function logExpiredRestrictions(db: Kysely<DB>, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // One sweep at a time (several instances run it): the mark's row is the lock.
    await sql`select logged_until from restriction_expiry_log for update`.execute(trx);
    const { count } = await appendManyToLog(
      trx,
      'restriction.expired',
      sql`
        select r.person_hash as subject,
               jsonb_build_object('restrictionId', r.id::text, 'breachId', r.breach_id, 'policyVersion', r.policy_version, 'expiredAt', ${isoUtc('r.until')}) as details,
               ${isoUtc('r.until')} || r.id::text as sort_key
        from restrictions r
        where r.until > (select logged_until from restriction_expiry_log) and r.until <= ${now}::timestamptz
          and (r.ended_at is null or r.ended_at > r.until)`,
    );
    await trx.updateTable('restriction_expiry_log').set({ logged_until: now }).execute();
    return count;
  });
}
