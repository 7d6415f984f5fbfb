import { sql } from 'kysely';
import { deliverableContacts } from '../notifications/index.js';
import type { DeniedChecksSql } from './checks.repository.js';

/**
 * Every denied check notifies the person: one `check.denied` row in the notification outbox
 * per active contact, written by the very statement that records the inquiries (so it is
 * durable with them and costs no round trip). The payload is the one the outbox's messages
 * render (notifications/messages.ts): checkId, lenderBin, lenderName, product, channel, checkedAt.
 */
export const deniedCheckNotices: DeniedChecksSql = (denied) => sql`
  insert into notification_outbox (person_hash, contact_id, event, payload, created_at, next_attempt_at)
  select c.person_hash, c.id, 'check.denied',
         jsonb_build_object('checkId', d.check_id::text, 'lenderBin', d.lender_bin, 'lenderName', d.lender_name,
                            'product', d.product, 'channel', d.channel, 'checkedAt', d.checked_at_iso),
         d.checked_at, d.checked_at
  from ${denied} d
  join ${deliverableContacts} c on c.person_hash = d.person_hash`;
