import { namesMatch } from './names.js';
import { checkRevocation } from './crl-processing.js';
import type { PathCertificate } from './path-certificate.js';
import { PathCrl } from './path-crl.js';
import { DEFAULT_POLICY_INPUTS } from './policy-tree.js';

export interface CrlStatus {
  status: 'good' | 'revoked' | 'on-hold' | 'unknown';
  revokedAt?: Date;
  reason?: string;
  detail: string;
}

/**
 * The status of a certificate from a set of CRLs by RFC 5280 6.3 (scope, cRLSign, critical
 * extensions, 7.1 name matching, exact serials, separate CRL signers), for the signature
 * verifier's revocation check. `pool` gives the certificates a separate CRL signer may be
 * found among (anchors and known intermediates); `anchors` those it must chain to.
 */
export class CrlStatusSource {
  private crls: PathCrl[];

  constructor(
    ders: Buffer[],
    private readonly trust: () => { anchors: PathCertificate[]; pool: PathCertificate[] },
  ) {
    this.crls = ders.map((der) => new PathCrl(der));
  }

  replace(ders: Buffer[]): void {
    this.crls = ders.map((der) => new PathCrl(der));
  }

  /** undefined when no CRL of the certificate's issuer is known at all. */
  async check(certificate: PathCertificate, issuer: PathCertificate, at: Date): Promise<CrlStatus | undefined> {
    if (!this.crls.some((c) => namesMatch(c.issuer, certificate.issuer))) return undefined;
    const { anchors, pool } = this.trust();
    const answer = await checkRevocation([issuer, certificate], 1, {
      anchors: anchors.some((a) => a.fingerprint === issuer.fingerprint) ? anchors : [...anchors, issuer],
      pool,
      crls: this.crls,
      at,
      policy: DEFAULT_POLICY_INPUTS,
      revocation: 'all',
      inProgress: new Set([certificate.fingerprint]),
      nesting: 0,
      crlIssuerVerdicts: new Map(),
    });
    if (answer.status === 'revoked') return { status: answer.reason === 'certificateHold' ? 'on-hold' : 'revoked', ...(answer.revokedAt ? { revokedAt: answer.revokedAt } : {}), ...(answer.reason ? { reason: answer.reason } : {}), detail: answer.detail };
    return { status: answer.status, detail: answer.detail };
  }
}
