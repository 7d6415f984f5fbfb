import { sql, type Kysely } from 'kysely';

/**
 * The transparency log: an append-only list of entries (leaf i of an RFC 9162 Merkle tree)
 * and the signed tree heads published over it. Entries name persons only by pseudonym.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('log_entries')
    .addColumn('leaf_index', 'bigint', (c) => c.primaryKey().check(sql`leaf_index >= 0`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('entry', 'text', (c) => c.notNull())
    .addColumn('leaf_hash', 'bytea', (c) => c.notNull())
    .addColumn('logged_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('log_entries_subject_idx').on('log_entries').column('subject').execute();
  await db.schema
    .createTable('log_tree_heads')
    .addColumn('tree_size', 'bigint', (c) => c.primaryKey().check(sql`tree_size >= 0`))
    .addColumn('root_hash', 'bytea', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('log_tree_heads').execute();
  await db.schema.dropTable('log_entries').execute();
}
