import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Every revocation and release, in order: the audit trail, and how a CRL publisher
  // knows whether anything changed since the CRL it last signed.
  await db.schema
    .createTable('certificate_revocation_events')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('revoke', 'release-hold')`))
    .addColumn('reason', 'text')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('invalidity_date', 'timestamptz')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('certificate_revocation_events_issuer_idx').on('certificate_revocation_events').columns(['issuer', 'id']).execute();

  // The latest signed CRLs, served as they are; the number is the CRL's cRLNumber.
  await db.schema
    .createTable('crls')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('crl_number', 'bigint', (c) => c.notNull())
    .addColumn('this_update', 'timestamptz', (c) => c.notNull())
    .addColumn('next_update', 'timestamptz', (c) => c.notNull())
    .addColumn('entries', 'integer', (c) => c.notNull())
    .addColumn('last_event_id', 'bigint', (c) => c.notNull())
    .addColumn('der', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('crls_pk', ['issuer', 'crl_number'])
    .execute();

  // CRL entries are listed in byte order of the serial whatever the database's collation,
  // read in pages through this partial index of revoked certificates only.
  await sql`create index certificates_crl_order_idx on certificates (issuer, (serial collate "C")) where revoked_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists certificates_crl_order_idx`.execute(db);
  await db.schema.dropTable('crls').execute();
  await db.schema.dropTable('certificate_revocation_events').execute();
}
