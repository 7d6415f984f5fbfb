import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB } from '../../../db/types.js';
import type { CertificatesTable } from '../ca.tables.js';
import { appendToLog } from '../../log/index.js';

/** A certificate as issuance stores it: every column but the revocation state and creation time. */
export type IssuedCertificateRow = Omit<Insertable<CertificatesTable>, 'revoked_at' | 'revocation_reason' | 'invalidity_date' | 'created_at'>;

/** The SQL of issuance: how issued certificates are stored. */
export class IssuedCertificatesRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Inserts certificates in one statement: a pair is stored whole or not at all. */
  async insert(rows: IssuedCertificateRow[], trx: Kysely<DB> | Transaction<DB> = this.db): Promise<void> {
    if (!rows.length) return;
    const work = async (t: Kysely<DB>) => {
      await t.insertInto('certificates').values(rows).execute();
      for (const r of rows) {
        await appendToLog(t, { kind: 'certificate.issued', subjectIin: r.subject_iin ?? null, details: { issuer: r.issuer, serial: r.serial, profile: r.profile, subjectBin: r.subject_bin ?? null, notBefore: new Date(r.not_before as Date).toISOString(), notAfter: new Date(r.not_after as Date).toISOString() } });
      }
    };
    await (trx.isTransaction ? work(trx) : trx.transaction().execute(work));
  }

  /** Inserts certificates that may already be stored (the hierarchy's own, at every start). */
  async insertIfAbsent(rows: IssuedCertificateRow[]): Promise<void> {
    if (rows.length) await this.db.insertInto('certificates').values(rows).onConflict((oc) => oc.columns(['issuer', 'serial']).doNothing()).execute();
  }
}
