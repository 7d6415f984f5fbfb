import { sql, type Kysely } from 'kysely';

/**
 * Remote identity proofing in the browser: the liveness challenge given to an application, the
 * captured images (encrypted, removed once the retention period after the decision has passed),
 * and the fingerprints of every live frame ever accepted, so that a capture cannot be replayed
 * for another application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('proofing_captures')
    .addColumn('application_id', 'text', (c) => c.primaryKey().references('certificate_applications.id'))
    .addColumn('prompts', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('challenge_expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('captured_at', 'timestamptz')
    .addColumn('images', 'bytea')
    .addColumn('face_match_score', 'double precision')
    .addColumn('face_match_provider', 'text')
    .addColumn('liveness', 'text')
    .addColumn('purged_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('proofing_capture_frames')
    .addColumn('sha256', 'bytea', (c) => c.primaryKey())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('proofing_capture_frames').execute();
  await db.schema.dropTable('proofing_captures').execute();
}
