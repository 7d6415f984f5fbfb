import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { CertificateInfo } from '../../pkix/certificate.js';
import type { RevocationAnswer, RevocationQuery, RevocationStatusSource } from './revocation-status.js';

export interface OwnIssuer {
  /** The issuer column of the certificates table, e.g. "issuing". */
  name: string;
  certificate: CertificateInfo;
}

/**
 * Status of certificates Qorgau's own CAs issued, read from the certificates table (the
 * record the CRL and OCSP are made from), so a revocation counts the moment it is written.
 * It reads the primary: a replica a second behind could call a just-revoked certificate good.
 */
export class OwnCaRevocationSource implements RevocationStatusSource {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly issuers: OwnIssuer[],
  ) {}

  async check({ certificate, issuer, at }: RevocationQuery): Promise<RevocationAnswer | undefined> {
    const own = this.issuers.find((i) => i.certificate.sameEntity(issuer));
    if (!own) return undefined;
    const serial = certificate.serialHex;
    // The table keeps the serial as encoded; accept it with or without a leading 00 octet.
    const variants = [...new Set([serial, serial.replace(/^(00)+/, ''), serial.length % 2 === 0 && /^[89a-f]/.test(serial) ? `00${serial}` : serial])];
    const row = await this.db
      .selectFrom('certificates')
      .select(['der', 'revoked_at', 'revocation_reason'])
      .where('issuer', '=', own.name)
      .where('serial', 'in', variants)
      .executeTakeFirst();
    const source = `certificates of Qorgau CA "${own.name}"`;
    if (!row || !Buffer.from(row.der).equals(certificate.der)) {
      return { status: 'unknown', source, detail: `serial ${serial} is not in the records of the CA that signed it` };
    }
    if (!row.revoked_at || new Date(row.revoked_at).getTime() > at.getTime()) {
      return { status: 'good', source, detail: row.revoked_at ? `revoked only later, on ${new Date(row.revoked_at).toISOString()}` : 'not revoked' };
    }
    const revokedAt = new Date(row.revoked_at);
    const reason = row.revocation_reason ?? undefined;
    return {
      status: reason === 'certificateHold' ? 'on-hold' : 'revoked',
      revokedAt,
      ...(reason ? { reason } : {}),
      source,
      detail: `revoked on ${revokedAt.toISOString()}${reason ? ` (${reason})` : ''}`,
    };
  }
}
