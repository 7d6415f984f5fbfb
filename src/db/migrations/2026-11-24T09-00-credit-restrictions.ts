import { sql, type Kysely } from 'kysely';

/**
 * Credit protection: restrictions (protective from breaches, voluntary from persons),
 * the versioned restriction policy, lenders with their API keys, lender checks
 * (inquiries) and loans reported as issued despite a restriction.
 *
 * Persons appear only as pseudonyms (HMAC-SHA-256 of the IIN, 32 bytes).
 */
const DEFAULT_POLICY = {
  rules: [
    {
      name: 'iin-with-identity-or-payment-data',
      // A breach (or a person's record in it) triggers the rule when it includes every
      // category of `all` and at least one of `any`.
      all: ['iin'],
      any: ['id_document', 'phone', 'bank_card', 'bank_account'],
      products: ['bank_loan', 'microcredit'],
      channels: ['online', 'in_person'],
      days: 180,
    },
  ],
};

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('credit_policies')
    .addColumn('version', 'integer', (c) => c.primaryKey().check(sql`version > 0`))
    .addColumn('rules', 'jsonb', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db
    .insertInto('credit_policies')
    .values({ version: 1, rules: JSON.stringify(DEFAULT_POLICY.rules), note: 'Default policy (issue 4)', created_by: 'migration' })
    .execute();

  // One row per person and cause. Several rows may apply to a person at once; the person
  // is protected while any applies (so until the latest end). Expiry is `until`, compared
  // at query time: no job ends a restriction. `ended_at` records a full lift.
  // breach_id and policy_version carry no foreign key on purpose: publishing a breach of
  // ten million persons inserts ten million rows, and a per-row referential check would
  // double its cost. The publish statement writes them from the rows it reads.
  await db.schema
    .createTable('restrictions')
    .addColumn('id', 'bigint', (c) => c.generatedAlwaysAsIdentity().primaryKey())
    .addColumn('person_hash', 'bytea', (c) => c.notNull().check(sql`octet_length(person_hash) = 32`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('protective','voluntary')`))
    .addColumn('products', sql`text[]`, (c) =>
      c.notNull().check(sql`cardinality(products) > 0 and products <@ array['bank_loan','microcredit']`),
    )
    .addColumn('channels', sql`text[]`, (c) =>
      c.notNull().check(sql`cardinality(channels) > 0 and channels <@ array['online','in_person']`),
    )
    .addColumn('since', 'timestamptz', (c) => c.notNull())
    .addColumn('until', 'timestamptz')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('breach_id', 'text')
    .addColumn('policy_version', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('ended_at', 'timestamptz')
    .addCheckConstraint('restrictions_kind_shape', sql`(kind = 'voluntary' and until is null and breach_id is null) or (kind = 'protective' and until is not null)`)
    .execute();
  // The hot lookup of a lender check: the restrictions of one pseudonym.
  await db.schema.createIndex('restrictions_person_idx').on('restrictions').column('person_hash').execute();
  // No index on breach_id: publishing ten million persons would fill it too (measured: it
  // nearly doubles the publish), and only a rare retraction asks for a breach's restrictions.

  await db.schema
    .createTable('lenders')
    .addColumn('bin', 'text', (c) => c.primaryKey().check(sql`bin ~ '^[0-9]{12}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('licence', 'text', (c) => c.notNull().check(sql`licence in ('bank','mfo')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('disabled_at', 'timestamptz')
    .execute();

  // Only SHA-256 of the secret is kept; the key is shown once.
  await db.schema
    .createTable('lender_api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('lender_bin', 'text', (c) => c.notNull().references('lenders.bin'))
    .addColumn('scopes', sql`text[]`, (c) => c.notNull())
    .addColumn('secret_hash', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('lender_api_keys_lender_idx').on('lender_api_keys').column('lender_bin').execute();

  // Every lender check, written before its answer leaves (group commit). No foreign key to
  // lenders: the insert is on the hot path and the key that authenticated it names the lender.
  await db.schema
    .createTable('credit_inquiries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('lender_bin', 'text', (c) => c.notNull())
    .addColumn('person_hash', 'bytea', (c) => c.notNull().check(sql`octet_length(person_hash) = 32`))
    .addColumn('product', 'text', (c) => c.notNull().check(sql`product in ('bank_loan','microcredit')`))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('online','in_person')`))
    .addColumn('amount', 'numeric')
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('allow','deny')`))
    .addColumn('restriction_ids', sql`bigint[]`, (c) => c.notNull())
    .addColumn('checked_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('credit_inquiries_lender_idx').on('credit_inquiries').columns(['lender_bin', 'checked_at']).execute();
  await db.schema.createIndex('credit_inquiries_person_idx').on('credit_inquiries').columns(['person_hash', 'checked_at']).execute();

  // A loan issued despite a restriction: a case for write-off (since 1 Sept 2024 in Kazakhstan).
  await db.schema
    .createTable('credit_loan_reports')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('check_id', 'uuid', (c) => c.notNull().references('credit_inquiries.id'))
    .addColumn('lender_bin', 'text', (c) => c.notNull().references('lenders.bin'))
    .addColumn('person_hash', 'bytea', (c) => c.notNull())
    .addColumn('amount', 'numeric', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('issued_on', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open','written_off','rejected')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('credit_loan_reports_check_idx').on('credit_loan_reports').column('check_id').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['credit_loan_reports', 'credit_inquiries', 'lender_api_keys', 'lenders', 'restrictions', 'credit_policies']) {
    await db.schema.dropTable(t).execute();
  }
}
