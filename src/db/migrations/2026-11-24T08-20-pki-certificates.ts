import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('certificates')
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('subject_iin', 'text')
    .addColumn('subject_bin', 'text')
    .addColumn('subject_dn', 'text', (c) => c.notNull())
    .addColumn('not_before', 'timestamptz', (c) => c.notNull())
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    .addColumn('der', 'bytea', (c) => c.notNull())
    .addColumn('pair_id', 'text')
    .addColumn('application_id', 'text')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revocation_reason', 'text')
    .addColumn('invalidity_date', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('certificates_pk', ['issuer', 'serial'])
    .execute();
  await db.schema.createIndex('certificates_iin_idx').on('certificates').column('subject_iin').execute();
  await db.schema.createIndex('certificates_pair_idx').on('certificates').column('pair_id').execute();
  // The CRL lists revoked certificates per issuer; a partial index keeps it small.
  await db.schema
    .createIndex('certificates_revoked_idx')
    .on('certificates')
    .columns(['issuer', 'revoked_at'])
    .where(sql.ref('revoked_at'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('certificates').execute();
}
