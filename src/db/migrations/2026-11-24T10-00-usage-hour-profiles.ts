import { sql, type Kysely } from 'kysely';

/**
 * Hour profiles as one row per holder, the uses per local hour in an array of 24: a rule
 * reads a holder's habits with one index probe and updates them with one row, where a row
 * per hour took nine or more of each.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('usage_hour_profiles').execute();
  await db.schema
    .createTable('usage_hour_profiles')
    .addColumn('holder_key', 'text', (c) => c.primaryKey())
    .addColumn('uses', sql`integer[]`, (c) => c.notNull().check(sql`cardinality(uses) = 24`))
    .addColumn('total', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('usage_hour_profiles').execute();
  await db.schema
    .createTable('usage_hour_profiles')
    .addColumn('holder_key', 'text', (c) => c.notNull())
    .addColumn('hour', 'smallint', (c) => c.notNull().check(sql`hour between 0 and 23`))
    .addColumn('uses', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_hour_profiles_pk', ['holder_key', 'hour'])
    .execute();
}
