import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { parseSignedData } from '../../pkix/signed-data-parser.js';
import type { CertificateSummary } from './signature-verifier.js';

/**
 * Certificates presented at sign-in, of Qorgau's CA or any other trusted CA (the national CA),
 * kept by issuer DN and serial as the session names them, so that the IIN, BIN and roles of a
 * session's certificate can be read again. The table is pki's: certificates carry the IIN by law.
 */
export class PresentedCertificates {
  /** The primary, also for reads: a session is used right after the sign-in that stored its certificate. */
  constructor(private readonly db: Kysely<DB>) {}

  /** Stores a certificate (idempotent: a second presentation only moves last_seen_at). */
  async remember(der: Uint8Array): Promise<{ issuerDn: string; serial: string }> {
    const info = CertificateInfo.parse(der);
    const row = { issuer_dn: info.issuer, serial: info.serialHex, der: Buffer.from(info.der) };
    await this.db
      .insertInto('presented_certificates')
      .values(row)
      .onConflict((oc) => oc.columns(['issuer_dn', 'serial']).doUpdateSet({ last_seen_at: sql`now()` }))
      .execute();
    return { issuerDn: row.issuer_dn, serial: row.serial };
  }

  /**
   * Stores the signer certificate of a verified CMS: the one among the certificates it carries
   * whose fingerprint the verifier reported. A signer certificate not carried (one of Qorgau's
   * own, looked up in its certificates table) is already held, and nothing is stored.
   */
  async rememberSigner(cms: Uint8Array, signer: CertificateSummary): Promise<boolean> {
    for (const der of parseSignedData(cms).certificates) {
      if (createHash('sha256').update(der).digest('hex') === signer.sha256Fingerprint) {
        await this.remember(der);
        return true;
      }
    }
    return false;
  }

  /** The certificate presented with this issuer DN and serial (lower-case hex), if any. */
  async find(issuerDn: string, serial: string): Promise<Buffer | undefined> {
    const row = await this.db.selectFrom('presented_certificates').select('der').where('issuer_dn', '=', issuerDn).where('serial', '=', serial).executeTakeFirst();
    return row ? Buffer.from(row.der) : undefined;
  }
}
