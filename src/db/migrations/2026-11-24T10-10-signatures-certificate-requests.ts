import { sql, type Kysely } from 'kysely';

/**
 * Who asked for each employee pair: HR's request is the evidence that the organization itself
 * had a certificate made for that person (the IIN in the clear: the organization's own record).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('employee_certificate_requests')
    .addColumn('pair_id', 'text', (c) => c.primaryKey())
    .addColumn('bin', 'text', (c) => c.notNull().references('enrolled_organizations.bin'))
    .addColumn('iin', 'text', (c) => c.notNull())
    .addColumn('employment_id', 'bigint', (c) => c.notNull().references('employments.id'))
    .addColumn('roles', sql`text[]`, (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('employee_certificate_requests_bin_iin_idx').on('employee_certificate_requests').columns(['bin', 'iin']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('employee_certificate_requests').execute();
}
