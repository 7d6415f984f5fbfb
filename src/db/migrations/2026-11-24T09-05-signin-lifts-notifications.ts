import { sql, type Kysely } from 'kysely';

/**
 * Sign-in with e-signature (challenges, person sessions), lifts of restrictions, the signed
 * requests kept as evidence (pki-owned: they carry the signer's certificate, which holds the
 * IIN), and the notification outbox with the person's contacts.
 *
 * Persons appear only as pseudonyms (HMAC-SHA-256 of the IIN, 32 bytes) outside
 * `signed_documents`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // Single-use sign-in nonces. API instances are stateless, so they live here.
  await db.schema
    .createTable('auth_challenges')
    .addColumn('nonce', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('auth_challenges_expires_idx').on('auth_challenges').column('expires_at').execute();

  // Only SHA-256 of the session token is kept: a database leak opens no session.
  await db.schema
    .createTable('person_sessions')
    .addColumn('token_hash', 'bytea', (c) => c.primaryKey().check(sql`octet_length(token_hash) = 32`))
    .addColumn('id', 'uuid', (c) => c.notNull().unique())
    .addColumn('person_hash', 'bytea', (c) => c.notNull().check(sql`octet_length(person_hash) = 32`))
    .addColumn('certificate_serial', 'text', (c) => c.notNull())
    .addColumn('certificate_issuer', 'text', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull().check(sql`holder in ('individual','employee')`))
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('person_sessions_person_idx').on('person_sessions').column('person_hash').execute();

  // A signed request (placing or lifting a restriction): the CMS exactly as received and
  // the canonical JSON it signs. Lives with pki/: both hold the IIN.
  await db.schema
    .createTable('signed_documents')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('person_hash', 'bytea', (c) => c.notNull().check(sql`octet_length(person_hash) = 32`))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('cms', 'bytea', (c) => c.notNull())
    .addColumn('certificate_serial', 'text', (c) => c.notNull())
    .addColumn('certificate_sha256', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // A signed request is accepted once: its nonce is unique for the person.
  await db.schema.createIndex('signed_documents_nonce_idx').on('signed_documents').columns(['person_hash', 'nonce']).unique().execute();

  // A lift of one restriction (restriction_id) or of all the person's restrictions made before
  // it was requested (restriction_id null). It applies from effective_at (request + cooling-off)
  // until lifted_until (null: for good), for every lender or only lender_bin (a thaw).
  await db.schema
    .createTable('restriction_lifts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('person_hash', 'bytea', (c) => c.notNull().check(sql`octet_length(person_hash) = 32`))
    .addColumn('restriction_id', 'bigint', (c) => c.references('restrictions.id'))
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('entire','until','lender')`))
    .addColumn('lender_bin', 'text', (c) => c.check(sql`lender_bin ~ '^[0-9]{12}$'`))
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('effective_at', 'timestamptz', (c) => c.notNull())
    .addColumn('lifted_until', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('document_id', 'uuid', (c) => c.notNull().references('signed_documents.id'))
    .addCheckConstraint(
      'restriction_lifts_shape',
      sql`effective_at >= requested_at and (lifted_until is null or lifted_until > effective_at) and
          ((scope = 'entire' and lifted_until is null and lender_bin is null) or
           (scope = 'until' and lifted_until is not null and lender_bin is null) or
           (scope = 'lender' and lifted_until is not null and lender_bin is not null))`,
    )
    .execute();
  // The lender check looks lifts up by person, next to the person's restrictions.
  await db.schema.createIndex('restriction_lifts_person_idx').on('restriction_lifts').column('person_hash').execute();

  await db.schema
    .createTable('notification_contacts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('person_hash', 'bytea', (c) => c.notNull().check(sql`octet_length(person_hash) = 32`))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email','webhook')`))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('removed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('notification_contacts_person_idx').on('notification_contacts').column('person_hash').execute();

  // The transactional outbox: one row per event and contact, written in the transaction of
  // the change. A worker claims due rows (for update skip locked), holds them for a lease,
  // and marks them delivered; a worker that dies leaves them to be claimed again after it.
  await db.schema
    .createTable('notification_outbox')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('person_hash', 'bytea', (c) => c.notNull())
    .addColumn('contact_id', 'uuid', (c) => c.notNull().references('notification_contacts.id'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('failed_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .execute();
  await sql`create index notification_outbox_due_idx on notification_outbox (next_attempt_at)
            where delivered_at is null and failed_at is null and cancelled_at is null`.execute(db);
  await db.schema.createIndex('notification_outbox_subject_idx').on('notification_outbox').column('subject_id').where(sql.ref('subject_id'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['notification_outbox', 'notification_contacts', 'restriction_lifts', 'signed_documents', 'person_sessions', 'auth_challenges']) {
    await db.schema.dropTable(t).execute();
  }
}
