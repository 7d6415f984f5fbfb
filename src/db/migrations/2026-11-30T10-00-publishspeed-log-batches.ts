import { sql, type Kysely } from 'kysely';

/**
 * A change made to millions of persons at once (a breach's publication) is ONE log entry that
 * commits to a Merkle root over its records (a person's pseudonym and what was decided about
 * them), sorted. Its `key` names what it is about (`breach:<id>`), so that a person's proofs
 * are found from the decisions about them without an index over every person. `log_batches` ties the entry to its records; `log_batch_blocks` keeps the
 * records in blocks of 4096 (with each block's subtree hash), so that a person's inclusion proof
 * in the batch reads one block and the block hashes, not the whole batch.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('log_batches')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('leaf_index', 'bigint', (c) => c.unique())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('record_length', 'smallint', (c) => c.notNull())
    .addColumn('size', 'bigint')
    .addColumn('root', 'bytea')
    .execute();
  await db.schema
    .createTable('log_batch_blocks')
    .addColumn('batch_id', 'bigint', (c) => c.notNull().references('log_batches.id').onDelete('cascade'))
    .addColumn('block', 'integer', (c) => c.notNull())
    .addColumn('first_record', 'bytea', (c) => c.notNull())
    .addColumn('records', 'bytea', (c) => c.notNull())
    .addColumn('hash', 'bytea')
    .addPrimaryKeyConstraint('log_batch_blocks_pk', ['batch_id', 'block'])
    .execute();
  await db.schema.createIndex('log_batch_blocks_first_idx').on('log_batch_blocks').columns(['batch_id', 'first_record']).execute();
  // Pseudonyms do not compress: do not try.
  await sql`alter table log_batch_blocks alter column records set storage external`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('log_batch_blocks').execute();
  await db.schema.dropTable('log_batches').execute();
}
