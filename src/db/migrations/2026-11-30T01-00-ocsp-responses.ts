import type { Kysely } from 'kysely';

/**
 * Pre-signed OCSP answers, one per certificate: the ResponseData as signed and its signature
 * (the responder's certificate is added when served, so a row stays small). Every instance
 * serves the bytes stored here, so a CDN sees one answer per certificate and period. A row
 * states the status it was signed for (revoked_at, revocation_reason); it is served only while
 * that is the certificate's status, so a row left from before a revocation is never served.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ocsp_responses')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revocation_reason', 'text')
    .addColumn('this_update', 'timestamptz', (c) => c.notNull())
    .addColumn('next_update', 'timestamptz', (c) => c.notNull())
    .addColumn('tbs_response_data', 'bytea', (c) => c.notNull())
    .addColumn('signature', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('ocsp_responses_pk', ['issuer', 'serial'])
    .execute();
  // The refresh pass reads the answers due soonest, without walking every certificate.
  await db.schema.createIndex('ocsp_responses_due').on('ocsp_responses').columns(['issuer', 'next_update']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ocsp_responses').execute();
}
