import { sql, type Kysely } from 'kysely';

/**
 * Certificates of any trusted CA presented at sign-in (pki/ only: they carry the IIN by law), so
 * that a session's issuer and serial can be read back as the certificate that opened it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('presented_certificates')
    .addColumn('issuer_dn', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('der', 'bytea', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('presented_certificates_pkey', ['issuer_dn', 'serial'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('presented_certificates').execute();
}
