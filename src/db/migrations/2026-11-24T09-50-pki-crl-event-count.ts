import type { Kysely } from 'kysely';

/**
 * A CRL records how many revocation events its snapshot saw. The highest event id alone
 * cannot tell whether it is current: a transaction holding a lower id may commit after a
 * higher one was seen; the count of committed events always grows when one commits.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('crls').addColumn('event_count', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('crls').dropColumn('event_count').execute();
}
