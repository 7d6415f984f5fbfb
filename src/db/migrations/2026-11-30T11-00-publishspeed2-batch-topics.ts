import { sql, type Kysely } from 'kysely';

/**
 * A log batch's `topic` names what it is about for a person's proofs: a breach's publication
 * (`breach:<id>`) and the batches of its expiries (one per sweep, keys `breach:<id>/expired/<time>`)
 * share the topic `breach:<id>`, so a person's proofs of both are found from the breaches that
 * restricted them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('log_batches').addColumn('topic', 'text').execute();
  await sql`update log_batches set topic = key`.execute(db);
  await sql`alter table log_batches alter column topic set not null`.execute(db);
  await db.schema.createIndex('log_batches_topic_idx').on('log_batches').column('topic').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('log_batches_topic_idx').execute();
  await db.schema.alterTable('log_batches').dropColumn('topic').execute();
}
