import type { CertificateInfo } from '../../pkix/certificate.js';
import type { TrustStore } from './trust-anchors.js';
import { CrlStatusSource, PathCertificate } from './path-validation/index.js';

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

/**
 * Status from CRLs, processed as RFC 5280 6.3 says (path-validation's CrlStatusSource): the
 * CRL's scope (issuingDistributionPoint), its signer's cRLSign and path, unknown critical
 * extensions, issuer names by 7.1 matching and serials as integers. A CRL speaks for time `at`
 * when it was current then or issued later (at <= nextUpdate): a certificate not listed on it
 * was not revoked at `at`. Older CRLs say nothing about `at`, and the answer is unknown.
 */
export class CrlRevocationSource implements RevocationStatusSource {
  private readonly source: CrlStatusSource;

  /** `trust` gives the anchors and intermediates a separate CRL-signing certificate may be found among. */
  constructor(ders: Buffer[], trust?: TrustStore) {
    this.source = new CrlStatusSource(ders, () => ({
      anchors: (trust?.anchors ?? []).map((a) => asPathCertificate(a.certificate)),
      pool: (trust?.intermediates ?? []).map(asPathCertificate),
    }));
  }

  /** Swaps in a new set of CRLs (all parsed first, so a bad file leaves the old set in place). */
  replace(ders: Buffer[]): void {
    this.source.replace(ders);
  }

  async check({ certificate, issuer, at }: RevocationQuery): Promise<RevocationAnswer | undefined> {
    const answer = await this.source.check(asPathCertificate(certificate), asPathCertificate(issuer), at);
    if (!answer) return undefined;
    return { ...answer, source: `CRLs of "${issuer.subject}"`, detail: answer.detail.replace(/^is /, '').replace(/^was /, '') };
  }
}

const asPathCertificate = (certificate: CertificateInfo) => PathCertificate.cached(certificate.der);
