import { sql, type Kysely } from 'kysely';

/**
 * A company head applies for an employee pair with the first-head role (.2.1) and proves the
 * headship: a registration extract number of the business registry (checked by an operator) or a
 * certificate of a trusted CA that already carries the first-head role for the BIN. The roles an
 * operator granted are kept with the application; an extract number is accepted for one
 * application only. Employment records gain the first-head role, set only from such a proof.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('certificate_applications').addColumn('registration_extract', 'text').execute();
  await db.schema.alterTable('certificate_applications').addColumn('headship_proof', 'text').execute();
  await db.schema.alterTable('certificate_applications').addColumn('employee_roles', sql`text[]`).execute();
  // An extract proves one headship claim: a pending or issued application holds it; a rejected one frees it.
  await sql`create unique index certificate_applications_extract_idx on certificate_applications (registration_extract) where registration_extract is not null and status <> 'rejected'`.execute(db);
  await db.schema.alterTable('employments').addColumn('first_head', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('employments').dropColumn('first_head').execute();
  await sql`drop index if exists certificate_applications_extract_idx`.execute(db);
  await db.schema.alterTable('certificate_applications').dropColumn('employee_roles').execute();
  await db.schema.alterTable('certificate_applications').dropColumn('headship_proof').execute();
  await db.schema.alterTable('certificate_applications').dropColumn('registration_extract').execute();
}
