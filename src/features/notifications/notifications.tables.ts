import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, TimestampDefault } from '../../db/types.js';

export type ContactChannel = 'email' | 'webhook';

export interface NotificationContactsTable {
  id: string;
  person_hash: Buffer;
  channel: ContactChannel;
  address: string;
  /** The language of this contact's notices. */
  language: ColumnType<'kk' | 'ru' | 'en', 'kk' | 'ru' | 'en' | undefined, 'kk' | 'ru' | 'en'>;
  created_at: TimestampDefault;
  /** When the owner confirmed the code sent to it; null: nothing but codes is sent to it. */
  verified_at: Timestamp | null;
  removed_at: Timestamp | null;
}

/** A code sent to confirm an e-mail contact: only its keyed hash is kept. */
export interface ContactVerificationCodesTable {
  id: Generated<string>;
  contact_id: string;
  person_hash: Buffer;
  address: string;
  code_hash: Buffer;
  created_at: Timestamp;
  expires_at: Timestamp;
  attempts: ColumnType<number, number | undefined, number>;
  used_at: Timestamp | null;
}

/** The transactional outbox: one row per event and contact. Payloads never hold an IIN. */
export interface NotificationOutboxTable {
  id: Generated<string>;
  person_hash: Buffer;
  contact_id: string;
  event: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  /** What the event is about (a lift id), so that a pending event can be cancelled. */
  subject_id: string | null;
  created_at: Timestamp;
  next_attempt_at: Timestamp;
  attempts: ColumnType<number, number | undefined, number>;
  locked_until: Timestamp | null;
  delivered_at: Timestamp | null;
  failed_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  last_error: string | null;
}

export interface NotificationTables {
  notification_contacts: NotificationContactsTable;
  notification_outbox: NotificationOutboxTable;
  contact_verification_codes: ContactVerificationCodesTable;
}
