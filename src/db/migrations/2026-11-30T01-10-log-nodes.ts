import { sql, type Kysely } from 'kysely';

/**
 * The transparency log keeps the hash of every complete subtree (level L, index i: the 2^L
 * leaves from i * 2^L), so an inclusion or consistency proof reads O(log n) rows instead of
 * every leaf. The nodes of the entries already logged are computed here, level by level.
 *
 * Restrictions that end by policy (a protective restriction's `until`) are logged when they
 * pass: `restriction_expiry_log` holds how far that sweep has logged, and an index on `until`
 * finds the ones due since.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('log_nodes')
    .addColumn('level', 'smallint', (c) => c.notNull().check(sql`level between 1 and 62`))
    .addColumn('idx', 'bigint', (c) => c.notNull().check(sql`idx >= 0`))
    .addColumn('hash', 'bytea', (c) => c.notNull().check(sql`octet_length(hash) = 32`))
    .addPrimaryKeyConstraint('log_nodes_pk', ['level', 'idx'])
    .execute();
  for (let level = 1; ; level++) {
    const children =
      level === 1 ? sql`(select leaf_index as idx, leaf_hash as hash from log_entries)` : sql`(select idx, hash from log_nodes where level = ${level - 1})`;
    const result = await sql`
      insert into log_nodes (level, idx, hash)
      select ${level}::smallint, l.idx / 2, sha256(decode('01', 'hex') || l.hash || r.hash)
      from ${children} l join ${children} r on r.idx = l.idx + 1
      where l.idx % 2 = 0`.execute(db);
    if (Number(result.numAffectedRows ?? 0n) === 0) break;
  }

  await db.schema.createTable('restriction_expiry_log').addColumn('logged_until', 'timestamptz', (c) => c.notNull()).execute();
  await sql`insert into restriction_expiry_log (logged_until) values ('-infinity')`.execute(db);
  await db.schema.createIndex('restrictions_until_idx').on('restrictions').column('until').where(sql.ref('until'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('restrictions_until_idx').execute();
  await db.schema.dropTable('restriction_expiry_log').execute();
  await db.schema.dropTable('log_nodes').execute();
}
