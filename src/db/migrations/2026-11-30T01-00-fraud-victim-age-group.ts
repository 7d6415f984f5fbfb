import { sql, type Kysely } from 'kysely';

/**
 * A fraud report may say the victim's age group (optional, one of the literacy index's groups), so
 * that fraud can be counted by region and age group beside the digital literacy index. Older
 * reports stay without it (null) and count only in regional totals.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('fraud_reports')
    .addColumn('victim_age_group', 'text', (c) => c.check(sql`victim_age_group in ('15-24','25-34','35-44','45-54','55-64','65+')`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('fraud_reports').dropColumn('victim_age_group').execute();
}
