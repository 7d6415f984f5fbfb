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
