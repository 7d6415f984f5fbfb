import { sql, type Kysely } from 'kysely';

/**
 * An organization authorizes an employee's certificate pair; the employee applies with their own
 * keys and proves who they are. The authorization is the organization's own record of its
 * employee (the IIN in the clear, as in employments). An application made with a signature of the
 * applicant's individual certificate has no ID document number: the signature is the proof.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('employee_certificate_authorizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bin', 'text', (c) => c.notNull().references('enrolled_organizations.bin'))
    .addColumn('iin', 'text', (c) => c.notNull())
    .addColumn('employment_id', 'bigint', (c) => c.notNull().references('employments.id'))
    .addColumn('roles', sql`text[]`, (c) => c.notNull())
    .addColumn('authorized_by', 'text', (c) => c.notNull())
    .addColumn('authorized_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'used', 'withdrawn')`))
    .addColumn('closed_at', 'timestamptz')
    .addColumn('application_id', 'text')
    .addColumn('pair_id', 'text')
    .execute();
  // One open authorization per employee and organization.
  await sql`create unique index employee_certificate_authorizations_open_idx on employee_certificate_authorizations (bin, iin) where status = 'open'`.execute(db);
  await db.schema.createIndex('employee_certificate_authorizations_bin_iin_idx').on('employee_certificate_authorizations').columns(['bin', 'iin']).execute();

  await db.schema.alterTable('certificate_applications').addColumn('authorization_id', 'text').execute();
  await db.schema.alterTable('certificate_applications').addColumn('proof', 'text').execute();
  await db.schema.alterTable('certificate_applications').alterColumn('id_document_number', (c) => c.dropNotNull()).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('certificate_applications').dropColumn('proof').execute();
  await db.schema.alterTable('certificate_applications').dropColumn('authorization_id').execute();
  await db.schema.dropTable('employee_certificate_authorizations').execute();
}
