import { sql, type Kysely } from 'kysely';

/**
 * The live capture of an application is given only by the browser that submitted it: the
 * submission returns a secret once, the server keeps its SHA-256. Every time an operator opens
 * an applicant's pictures, who and when is recorded (proofing_capture_views), and stays after the
 * pictures are purged.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('certificate_applications').addColumn('capture_secret_sha256', 'bytea').execute();
  await db.schema
    .createTable('proofing_capture_views')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull().references('certificate_applications.id'))
    .addColumn('viewer', 'text', (c) => c.notNull())
    .addColumn('viewed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('proofing_capture_views_application_idx').on('proofing_capture_views').columns(['application_id', 'viewed_at']).execute();
  await db.schema.createIndex('proofing_capture_views_viewed_at_idx').on('proofing_capture_views').column('viewed_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('proofing_capture_views').execute();
  await db.schema.alterTable('certificate_applications').dropColumn('capture_secret_sha256').execute();
}
