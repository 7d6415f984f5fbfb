import { normalizeSerialHex, readCrl, type ParsedCrl } from './crl-reader.js';
import type { CertificateInfo } from '../../pkix/certificate.js';
import { verifySignatureValue } from '../../pkix/signature-algorithms.js';

/**
 * Revocation status as the verifier needs it: was this certificate revoked at time `at`?
 * Sources are asked in order; the first that covers the certificate's issuer answers.
 * Qorgau's own CA answers from its certificates table (OwnCaRevocationSource); foreign CAs
 * from their CRLs (CrlRevocationSource). The CA's revocation service can take
 * the own-CA place by implementing this interface.
 */
export interface RevocationQuery {
  certificate: CertificateInfo;
  issuer: CertificateInfo;
  at: Date;
}

export interface RevocationAnswer {
  /** on-hold: certificateHold, which may be released, so neither good nor finally revoked. */
  status: 'good' | 'revoked' | 'on-hold' | 'unknown';
  revokedAt?: Date;
  /** RFC 5280 CRLReason name. */
  reason?: string;
  source: string;
  detail: string;
}

export interface RevocationStatusSource {
  /** undefined when this source knows nothing about the certificate's issuer. */
  check(query: RevocationQuery): Promise<RevocationAnswer | undefined>;
}

export class RevocationChecker {
  constructor(readonly sources: RevocationStatusSource[]) {}

  async check(query: RevocationQuery): Promise<RevocationAnswer> {
    for (const source of this.sources) {
      const answer = await source.check(query);
      if (answer) return answer;
    }
    return { status: 'unknown', source: 'none', detail: `no revocation information is configured for the issuer "${query.issuer.subject}"` };
  }
}

interface LoadedCrl {
  crl: ParsedCrl;
  /** Issuer keys this CRL's signature was already checked against. */
  verifiedWith: Map<string, boolean>;
}

/**
 * Status from CRLs. A CRL speaks for time `at` when it was current then or issued later
 * (at <= nextUpdate): a certificate not listed on it was not revoked at `at`. Older CRLs say
 * nothing about `at`, and the answer is unknown.
 */
export class CrlRevocationSource implements RevocationStatusSource {
  private crls: LoadedCrl[];

  constructor(ders: Buffer[]) {
    this.crls = ders.map((der) => ({ crl: readCrl(der), verifiedWith: new Map() }));
  }

  /** Swaps in a new set of CRLs (all parsed first, so a bad file leaves the old set in place). */
  replace(ders: Buffer[]): void {
    this.crls = ders.map((der) => ({ crl: readCrl(der), verifiedWith: new Map() }));
  }

  private signedBy(crl: LoadedCrl, issuer: CertificateInfo): boolean {
    const key = issuer.fields.subjectPublicKeyInfo.toString('base64');
    let ok = crl.verifiedWith.get(key);
    if (ok === undefined) {
      const publicKey = issuer.publicKey;
      const { signatureAlgorithm, signatureParameters, tbs, signature } = crl.crl;
      ok = !!publicKey && verifySignatureValue({ signatureAlgorithm, parameters: signatureParameters, data: tbs, signature, publicKey }).outcome === 'valid';
      crl.verifiedWith.set(key, ok);
    }
    return ok;
  }

  async check({ certificate, issuer, at }: RevocationQuery): Promise<RevocationAnswer | undefined> {
    const candidates = this.crls
      .filter((c) => c.crl.issuer.equals(certificate.fields.issuer) && this.signedBy(c, issuer))
      .sort((a, b) => b.crl.thisUpdate.getTime() - a.crl.thisUpdate.getTime());
    if (candidates.length === 0) return undefined;
    const serial = normalizeSerialHex(certificate.serialHex);
    for (const { crl } of candidates) {
      const entry = crl.entries.get(serial);
      const source = `CRL of "${issuer.subject}" (thisUpdate ${crl.thisUpdate.toISOString()})`;
      if (entry && entry.revocationDate.getTime() <= at.getTime()) {
        return {
          status: entry.reason === 'certificateHold' ? 'on-hold' : 'revoked',
          revokedAt: entry.revocationDate,
          ...(entry.reason ? { reason: entry.reason } : {}),
          source,
          detail: `listed as revoked on ${entry.revocationDate.toISOString()}${entry.reason ? ` (${entry.reason})` : ''}`,
        };
      }
      if (!crl.nextUpdate || at.getTime() <= crl.nextUpdate.getTime()) {
        return { status: 'good', source, detail: entry ? `revoked only later, on ${entry.revocationDate.toISOString()}` : 'not listed on a CRL current at that time or later' };
      }
    }
    return { status: 'unknown', source: `CRLs of "${issuer.subject}"`, detail: `no CRL issued at or after ${at.toISOString()} is known` };
  }
}
