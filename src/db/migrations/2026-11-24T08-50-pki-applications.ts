import { sql, type Kysely } from 'kysely';

/** Remote certificate applications: a CSR pair, the identity-proofing decision, and the pair issued. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('certificate_applications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('iin', 'text', (c) => c.notNull())
    .addColumn('id_document_number', 'text', (c) => c.notNull())
    .addColumn('surname', 'text', (c) => c.notNull())
    .addColumn('given_name', 'text', (c) => c.notNull())
    .addColumn('patronymic', 'text')
    .addColumn('organization', 'text')
    .addColumn('bin', 'text')
    .addColumn('auth_csr', 'bytea', (c) => c.notNull())
    .addColumn('sign_csr', 'bytea', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('proofing_provider', 'text', (c) => c.notNull())
    .addColumn('proofing_method', 'text')
    .addColumn('review_reason', 'text')
    .addColumn('decision_reason', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('pair_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('certificate_applications_iin_idx').on('certificate_applications').column('iin').execute();
  // The operator queue reads pending applications oldest first.
  await db.schema
    .createIndex('certificate_applications_review_idx')
    .on('certificate_applications')
    .column('created_at')
    .where(sql.ref('status'), '=', 'pending_review')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('certificate_applications').execute();
}
