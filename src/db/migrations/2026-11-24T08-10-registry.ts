import { sql, type Kysely } from 'kysely';

const CATEGORIES = [
  ['iin', 'Individual identification number (IIN)'],
  ['full_name', 'Full name'],
  ['birth_date', 'Date of birth'],
  ['phone', 'Phone number'],
  ['email', 'Email address'],
  ['address', 'Postal address'],
  ['id_document', 'Identity document'],
  ['bank_card', 'Bank card'],
  ['bank_account', 'Bank account'],
  ['biometric', 'Biometric data'],
  ['health', 'Health data'],
  ['credentials', 'Logins and passwords'],
];

export async function up(db: Kysely<any>): Promise<void> {
  // The list of data categories is a table so that operators can extend it without a release.
  await db.schema
    .createTable('data_categories')
    .addColumn('code', 'text', (c) => c.primaryKey().check(sql`code ~ '^[a-z][a-z0-9_]{1,39}$'`))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.insertInto('data_categories').values(CATEGORIES.map(([code, label]) => ({ code, label }))).execute();

  await db.schema
    .createTable('organizations')
    .addColumn('bin', 'text', (c) => c.primaryKey().check(sql`bin ~ '^[0-9]{12}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('breaches')
    // A small integer key keeps the affected-persons table and its indexes compact.
    .addColumn('seq', 'integer', (c) => c.generatedAlwaysAsIdentity().unique())
    .addColumn('id', 'text', (c) => c.primaryKey().check(sql`id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`))
    .addColumn('organization_bin', 'text', (c) => c.notNull().references('organizations.bin'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('occurred_at', 'timestamptz')
    .addColumn('discovered_at', 'timestamptz')
    .addColumn('disclosed_at', 'timestamptz')
    .addColumn('source', 'text', (c) =>
      c.notNull().check(sql`source in ('hack','insider','misconfiguration','lost_device','third_party','unknown')`),
    )
    .addColumn('data_categories', sql`text[]`, (c) => c.notNull())
    .addColumn('affected_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('verified', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft','published','closed','retracted')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('breaches_organization_idx').on('breaches').columns(['organization_bin', 'status']).execute();
  await db.schema.createIndex('breaches_published_idx').on('breaches').columns(['status', 'published_at']).execute();

  // Affected persons, by pseudonym only: HMAC-SHA-256(pseudonymization key, IIN).
  // The primary key leads with the pseudonym because the hot question is "which breaches include this person".
  await db.schema
    .createTable('breach_affected')
    .addColumn('person_hash', 'bytea', (c) => c.notNull().check(sql`octet_length(person_hash) = 32`))
    .addColumn('breach_seq', 'integer', (c) => c.notNull().references('breaches.seq'))
    .addColumn('categories', sql`text[]`)
    .addPrimaryKeyConstraint('breach_affected_pk', ['person_hash', 'breach_seq'])
    .execute();
  await db.schema.createIndex('breach_affected_breach_idx').on('breach_affected').column('breach_seq').execute();

  await db.schema
    .createTable('breach_imports')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('breach_id', 'text', (c) => c.notNull().references('breaches.id'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('running','completed','failed')`))
    .addColumn('lines', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('accepted', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('duplicate', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('invalid', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Set at every staged chunk; a running import whose heartbeat stopped was killed.
    .addColumn('heartbeat_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('error', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['breach_imports', 'breach_affected', 'breaches', 'organizations', 'data_categories']) {
    await db.schema.dropTable(t).execute();
  }
}
