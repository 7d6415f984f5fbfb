import { sql, type Kysely } from 'kysely';

/**
 * A CRL is mostly random serials and signatures: compressing it gains little and cost about
 * a second per 50 MiB CRL stored (measured with 1,000,000 entries). Store it out of line, as is.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table crls alter column der set storage external`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table crls alter column der set storage extended`.execute(db);
}
