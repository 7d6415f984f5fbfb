import { sql, type Kysely } from 'kysely';

/**
 * Contacts get the language of their notices, and e-mail contacts a confirmation: an address
 * receives notices only once its owner typed the code sent to it. Contacts made before this
 * were already receiving notices and are kept as confirmed (webhooks need no code).
 * Codes are stored as keyed hashes only; every code sent is a row, which also counts sends
 * for the rate limits (per contact, per person, per address).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('notification_contacts')
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('kk').check(sql`language in ('kk','ru','en')`))
    .execute();
  await db.schema.alterTable('notification_contacts').addColumn('verified_at', 'timestamptz').execute();
  await sql`update notification_contacts set verified_at = created_at`.execute(db);

  await db.schema
    .createTable('contact_verification_codes')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('contact_id', 'uuid', (c) => c.notNull().references('notification_contacts.id'))
    .addColumn('person_hash', 'bytea', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'bytea', (c) => c.notNull().check(sql`octet_length(code_hash) = 32`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('contact_verification_codes_contact_idx').on('contact_verification_codes').columns(['contact_id', 'created_at']).execute();
  await db.schema.createIndex('contact_verification_codes_person_idx').on('contact_verification_codes').columns(['person_hash', 'created_at']).execute();
  await db.schema.createIndex('contact_verification_codes_address_idx').on('contact_verification_codes').columns(['address', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('contact_verification_codes').execute();
  await db.schema.alterTable('notification_contacts').dropColumn('verified_at').execute();
  await db.schema.alterTable('notification_contacts').dropColumn('language').execute();
}
