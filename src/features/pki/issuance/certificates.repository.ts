import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../../db/types.js';

export interface IssuedCertificateRow {
  serial: string;
  issuer: string;
  profile: string;
  subject_iin: string | null;
  subject_bin: string | null;
  subject_dn: string;
  not_before: Date;
  not_after: Date;
  der: Buffer;
  pair_id: string | null;
  application_id: string | null;
}

/** The SQL of issuance: certificates go in here and nowhere else. */
export class IssuedCertificatesRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly readDb: Kysely<DB> = db,
  ) {}

  /** Inserts certificates in one statement: a pair is stored whole or not at all. */
  async insert(rows: IssuedCertificateRow[], trx: Kysely<DB> | Transaction<DB> = this.db): Promise<void> {
    if (rows.length) await trx.insertInto('certificates').values(rows).execute();
  }

  async ofApplication(applicationId: string) {
    return this.readDb
      .selectFrom('certificates')
      .select(['serial', 'issuer', 'profile', 'subject_dn', 'not_before', 'not_after', 'der', 'pair_id', 'revoked_at'])
      .where('application_id', '=', applicationId)
      .orderBy('profile')
      .execute();
  }

  async bySerial(issuer: string, serial: string) {
    return this.readDb.selectFrom('certificates').selectAll().where('issuer', '=', issuer).where('serial', '=', serial).executeTakeFirst();
  }
}
