import { sql, type Kysely } from 'kysely';

/**
 * Over-correlation by connections: a spoofed number that everybody is called from is named
 * alongside the identifiers of many unrelated operations, while a large operation's own number
 * is named alongside that operation's few others. connection_count is how many distinct other
 * identifiers (themselves named in other reports) its reports name; connections_checked_reports
 * the report count when that was last counted, so it is counted again only when the report
 * count has doubled (O(log n) counts per identifier).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table fraud_identifiers add column connection_count integer, add column connections_checked_reports integer not null default 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table fraud_identifiers drop column connection_count, drop column connections_checked_reports`.execute(db);
}
