import { sql, type Kysely } from 'kysely';

/**
 * A relying party's own id for each usage event it reports: a retried batch is stored once.
 * Unique per reporter (source), only where given.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('usage_events').addColumn('client_event_id', 'text', (c) => c.check(sql`char_length(client_event_id) between 1 and 100`)).execute();
  await db.schema
    .createIndex('usage_events_client_event_id_key')
    .unique()
    .on('usage_events')
    .columns(['source', 'client_event_id'])
    .where(sql.ref('client_event_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('usage_events_client_event_id_key').execute();
  await db.schema.alterTable('usage_events').dropColumn('client_event_id').execute();
}
