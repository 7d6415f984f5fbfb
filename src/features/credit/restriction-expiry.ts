import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/types.js';
import { appendBatchToLog, appendManyToLog, batchEntryDetails } from '../log/index.js';
import { expiredIn, publicationKey, publicationRecordsFromRows, type ExpiryWindow, type PublicationDetails } from './policy.repository.js';

/** A timestamptz as JavaScript's toISOString writes it, so logged times read the same wherever they were made. */
export const isoUtc = (column: string) => sql`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The log batch of one sweep's expiries of a breach's publication. */
export const expiryKey = (breachId: string, upTo: Date) => `${publicationKey(breachId)}/expired/${upTo.toISOString()}`;

/**
 * Logs every restriction whose `until` passed since the last sweep (up to `now`), unless a full
 * lift ended it first (that was logged as its end), and moves the sweep's mark to `now`, all in
 * one transaction. An expiry is a change of the person's protection that nobody makes; the
 * sweep is what records it, so a person can prove when their protection ended.
 *
 * The restrictions of a breach's publication that ran out are ONE entry per publication and
 * sweep (`restrictions.expired`, appendBatchToLog): it commits to the same records as the
 * publication (pseudonym || rule tag, the tags and terms of the publication's entry) of those
 * that expired, and names the window, so a person proves it like the publication and the audit
 * recomputes it from the rows. Other restrictions with an `until` (and those of a publication
 * logged before publications were batches) get an entry each (`restriction.expired`).
 * Returns the number of restrictions logged as expired.
 */
export async function logExpiredRestrictions(db: Kysely<DB>, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    // One sweep at a time (several instances run it): the mark's row is the lock.
    const { rows: marks } = await sql<{ after: string }>`
      select case when logged_until = '-infinity' then '-infinity' else to_char(logged_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') end as after
      from restriction_expiry_log for update`.execute(trx);
    const window: ExpiryWindow = { after: marks[0].after, upTo: now.toISOString() };
    const breaches = await sql<{ breach_id: string }>`
      select distinct r.breach_id from restrictions r where ${expiredIn(window)} and r.breach_id is not null order by 1`.execute(trx);
    let count = 0;
    const batched: string[] = [];
    for (const { breach_id: breachId } of breaches.rows) {
      const publication = (await batchEntryDetails(trx, publicationKey(breachId))) as (PublicationDetails & Record<string, unknown>) | null;
      if (!publication || typeof publication.since !== 'string' || !Array.isArray(publication.rules)) continue;
      const { size } = await appendBatchToLog(trx, {
        kind: 'restrictions.expired',
        key: expiryKey(breachId, now),
        topic: publicationKey(breachId),
        details: { breachId, policyVersion: publication.policyVersion, since: publication.since, kind: publication.kind, rules: publication.rules, expired: window },
        recordLength: 33,
        records: publicationRecordsFromRows(publication, window),
      });
      count += size;
      batched.push(breachId);
    }
    const notBatched: RawBuilder<unknown> = batched.length ? sql`and (r.breach_id is null or r.breach_id <> all(${batched}::text[]))` : sql``;
    const single = await appendManyToLog(
      trx,
      'restriction.expired',
      sql`
        select r.person_hash as subject,
               jsonb_build_object('restrictionId', r.id::text, 'breachId', r.breach_id, 'policyVersion', r.policy_version, 'expiredAt', ${isoUtc('r.until')}) as details,
               ${isoUtc('r.until')} || r.id::text as sort_key
        from restrictions r
        where ${expiredIn(window)} ${notBatched}`,
    );
    await trx.updateTable('restriction_expiry_log').set({ logged_until: now }).execute();
    return count + single.count;
  });
}
