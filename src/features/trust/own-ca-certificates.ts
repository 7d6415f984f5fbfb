import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { OwnIssuer } from './own-ca-revocation.js';

/** Where the verifier finds a signer's certificate that the CMS left out (`openssl cms -nocerts`, small sign-in CMS). */
export interface CertificateSource {
  /** DER of the certificate with this issuer Name (DER) and serialNumber (INTEGER TLV), if known. */
  byIssuerAndSerial(issuer: Buffer, serialNumber: Buffer): Promise<Buffer | undefined>;
}

/** Certificates Qorgau's own CAs issued, from the certificates table. */
export class OwnCaCertificateSource implements CertificateSource {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly issuers: OwnIssuer[],
  ) {}

  async byIssuerAndSerial(issuer: Buffer, serialNumber: Buffer): Promise<Buffer | undefined> {
    const own = this.issuers.find((i) => i.certificate.fields.subject.equals(issuer));
    if (!own) return undefined;
    const headerLength = serialNumber[1] < 0x80 ? 2 : 2 + (serialNumber[1] & 0x7f);
    const serial = serialNumber.subarray(headerLength).toString('hex');
    const row = await this.db.selectFrom('certificates').select('der').where('issuer', '=', own.name).where('serial', '=', serial).executeTakeFirst();
    return row ? Buffer.from(row.der) : undefined;
  }
}
