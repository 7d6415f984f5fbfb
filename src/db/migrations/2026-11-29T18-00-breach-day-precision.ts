import { sql, type Kysely } from 'kysely';

/**
 * Breach dates given as a plain day (YYYY-MM-DD) are kept as midnight UTC and named here,
 * so the answer gives back the day that was given instead of inventing a time of day.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('breaches').addColumn('day_only_dates', sql`text[]`, (c) => c.notNull().defaultTo('{}')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('breaches').dropColumn('day_only_dates').execute();
}
