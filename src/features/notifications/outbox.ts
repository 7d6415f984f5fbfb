import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';

/** What the person is told about. Payloads never hold an IIN. Every one has a text in kk, ru and en (messages.ts). */
export const NOTIFICATION_EVENTS = [
  'restriction.placed',
  'restriction.created',
  'lift.requested',
  'lift.effective',
  'lift.cancelled',
  'check.denied',
  'contact.added',
  'signature.alert',
  'signature.new-device',
  'fraud.report-status',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export interface OutboxEntry {
  personHash: Buffer;
  event: NotificationEvent;
  payload: Record<string, unknown>;
  /** What it is about (a lift id), so that a pending notice can be cancelled with it. */
  subjectId?: string;
  at: Date;
  /** Not before this time (a lift's notice "now effective" waits for its cooling-off). */
  availableAt?: Date;
}

/**
 * The contacts notices go to: not removed, and confirmed (an e-mail address whose owner typed
 * the code; a webhook at once). Every statement that writes the outbox joins this, also those
 * of other features that write notices set-based in their own SQL (credit's breach and check notices).
 */
export const deliverableContacts = sql`(select id, person_hash from notification_contacts where removed_at is null and verified_at is not null)`;

/**
 * Writes the notices of a change in the caller's transaction (the transactional outbox): one
 * row per contact of the person, set-based, so the notice exists exactly when the change does.
 * A person without a contact gets no row; they see the change in /v1/me.
 */
export async function enqueueNotification(db: Kysely<DB>, entry: OutboxEntry): Promise<number> {
  const payload = JSON.stringify(entry.payload);
  const result = await db
    .insertInto('notification_outbox')
    .columns(['person_hash', 'contact_id', 'event', 'payload', 'subject_id', 'created_at', 'next_attempt_at'])
    .expression(
      db
        .selectFrom('notification_contacts as c')
        .select([
          'c.person_hash',
          'c.id',
          sql.val(entry.event).as('event'),
          sql`${payload}::jsonb`.as('payload'),
          sql`${entry.subjectId ?? null}::text`.as('subject_id'),
          sql`${entry.at}::timestamptz`.as('created_at'),
          sql`${entry.availableAt ?? entry.at}::timestamptz`.as('next_attempt_at'),
        ])
        .where('c.person_hash', '=', entry.personHash)
        .where('c.removed_at', 'is', null)
        .where('c.verified_at', 'is not', null),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * The same notice for many persons at once, in one statement (e.g. a denied check per
 * person in a batch): `entries` pairs each pseudonym with its payload.
 */
export async function enqueueNotifications(db: Kysely<DB>, event: NotificationEvent, at: Date, entries: { personHash: Buffer; payload: Record<string, unknown> }[]): Promise<number> {
  if (entries.length === 0) return 0;
  const hashes = entries.map((e) => e.personHash.toString('hex'));
  const payloads = entries.map((e) => JSON.stringify(e.payload));
  const result = await sql`
    insert into notification_outbox (person_hash, contact_id, event, payload, created_at, next_attempt_at)
    select c.person_hash, c.id, ${event}, q.payload::jsonb, ${at}::timestamptz, ${at}::timestamptz
    from unnest(${hashes}::text[], ${payloads}::text[]) as q(person_hash, payload)
    join ${deliverableContacts} c on c.person_hash = decode(q.person_hash, 'hex')`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Withdraws notices not yet sent about a subject (a cancelled lift will never take effect). */
export async function cancelPendingNotifications(db: Kysely<DB>, subjectId: string, event: NotificationEvent, at: Date): Promise<number> {
  const result = await db
    .updateTable('notification_outbox')
    .set({ cancelled_at: at })
    .where('subject_id', '=', subjectId)
    .where('event', '=', event)
    .where('delivered_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
