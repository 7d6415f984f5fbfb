import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { deliverableContacts, enqueueNotifications } from '../notifications/index.js';
import type { DeniedCheck } from './checks.service.js';

/**
 * Notices of the protective restrictions a breach's publication made, written in the
 * publishing transaction in one statement: only persons with a contact get a row, so a
 * breach of ten million persons costs a join against the (few) contacts, not a loop.
 */
export async function enqueueBreachRestrictionNotices(trx: Kysely<DB>, breach: { id: string; publishedAt: Date }): Promise<void> {
  await sql`
    insert into notification_outbox (person_hash, contact_id, event, payload, subject_id, created_at, next_attempt_at)
    select r.person_hash, c.id, 'restriction.created',
           jsonb_build_object('restrictionId', r.id::text, 'breachId', r.breach_id, 'products', to_jsonb(r.products),
                              'channels', to_jsonb(r.channels), 'since', r.since, 'until', r.until),
           r.id::text, ${breach.publishedAt}::timestamptz, ${breach.publishedAt}::timestamptz
    from restrictions r
    join ${deliverableContacts} c on c.person_hash = r.person_hash
    where r.breach_id = ${breach.id} and r.kind = 'protective'`.execute(trx);
}

/** Notices of denied lender checks, in the transaction that records the inquiries. */
export async function enqueueDeniedCheckNotices(trx: Kysely<DB>, denied: DeniedCheck[]): Promise<void> {
  if (denied.length === 0) return;
  await enqueueNotifications(
    trx,
    'check.denied',
    denied[0].checkedAt,
    denied.map((d) => ({
      personHash: d.personHash,
      payload: { checkId: d.checkId, lenderBin: d.lenderBin, lenderName: d.lenderName, product: d.product, channel: d.channel, checkedAt: d.checkedAt.toISOString() },
    })),
  );
}
