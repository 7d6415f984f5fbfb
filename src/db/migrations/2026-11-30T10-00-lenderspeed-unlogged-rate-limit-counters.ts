import { sql, type Kysely } from 'kysely';

/**
 * Rate-limit counters are written by every lender check, and a counter is worth nothing after a
 * crash: an unlogged table writes no WAL, so a transaction that only counts commits without
 * waiting for the disk's flush (PostgreSQL skips the flush when a transaction wrote no WAL) and
 * holds a counter row's lock for the statement alone, not through a flush. Logged, the one row
 * of a busy lender key was locked through each commit's flush, and every check waited for two
 * flushes (its count, then its inquiry) where one is needed. What an unlogged table gives up:
 * after a crash of PostgreSQL (not of an API instance) the counters start again from zero, and
 * a standby has none of them (a promoted standby counts afresh), as a Redis restart would.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table rate_limit_counters set unlogged`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table rate_limit_counters set logged`.execute(db);
}
