import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB } from '../../../db/types.js';
import type { CertificatesTable } from '../ca.tables.js';

/** A certificate as issuance stores it: every column but the revocation state and creation time. */
export type IssuedCertificateRow = Omit<Insertable<CertificatesTable>, 'revoked_at' | 'revocation_reason' | 'invalidity_date' | 'created_at'>;

/** The SQL of issuance: how issued certificates are stored. */
export class IssuedCertificatesRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Inserts certificates in one statement: a pair is stored whole or not at all. */
  async insert(rows: IssuedCertificateRow[], trx: Kysely<DB> | Transaction<DB> = this.db): Promise<void> {
    if (rows.length) await trx.insertInto('certificates').values(rows).execute();
  }

  /** Inserts certificates that may already be stored (the hierarchy's own, at every start). */
  async insertIfAbsent(rows: IssuedCertificateRow[]): Promise<void> {
    if (rows.length) await this.db.insertInto('certificates').values(rows).onConflict((oc) => oc.columns(['issuer', 'serial']).doNothing()).execute();
  }
}
