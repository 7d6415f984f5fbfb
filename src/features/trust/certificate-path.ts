import type { CertificateInfo } from '../../pkix/certificate.js';
import type { TrustAnchor, TrustStore } from './trust-anchors.js';
import { namesMatch } from './path-validation/names.js';
import { PathCertificate } from './path-validation/path-certificate.js';
import { verifySigned } from './path-validation/signature.js';

export interface CertificatePath {
  /**
   * trusted: reaches an anchor; untrusted: no issuer found; broken: an issuer's signature fails;
   * unsupported: an issuer is known but its algorithm (GOST) cannot be checked here.
   */
  status: 'trusted' | 'untrusted' | 'broken' | 'unsupported';
  /** From the end entity up to and including the anchor when trusted. */
  path: CertificateInfo[];
  anchor?: TrustAnchor;
  reason: string;
}

const MAX_DEPTH = 8;

/**
 * Builds a path from `leaf` up to a trust anchor, through the certificates the CMS carried
 * and the store's intermediates. Issuers are matched the way OpenSSL matches them (name and
 * key identifiers) and then proven by the signature. Validity times, CA flags and revocation
 * are checked by the caller, at the time that matters (signing time, not now).
 */
export function buildCertificatePath(leaf: CertificateInfo, carried: CertificateInfo[], trust: TrustStore): CertificatePath {
  const path: CertificateInfo[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const anchor = trust.anchorFor(current);
    if (anchor) return { status: 'trusted', path, anchor, reason: `chains to the trust anchor "${anchor.label}"` };
    const anchors = trust.anchors.map((a) => a.certificate);
    const candidates = [...anchors, ...carried, ...trust.intermediates].filter(
      (c) => !c.der.equals(current.der) && !path.some((p) => p.der.equals(c.der)) && current.namesIssuer(c),
    );
    const issuer = candidates.find((c) => current.signedBy(c));
    if (!issuer) {
      const unsupported = unsupportedIssuer(current, [...anchors, ...carried, ...trust.intermediates]);
      if (unsupported) return { status: 'unsupported', path, reason: unsupported };
      if (candidates.length > 0) {
        return { status: 'broken', path, reason: `the signature on "${current.subject}" does not verify with the key of its issuer "${candidates[0].subject}"` };
      }
      return {
        status: 'untrusted',
        path,
        reason: current.selfIssued
          ? `the chain ends at "${current.subject}", which is not a trusted root`
          : `no trusted issuer found for "${current.subject}" (issuer "${current.issuer}")`,
      };
    }
    path.push(issuer);
    current = issuer;
  }
  return { status: 'untrusted', path, reason: `no trust anchor within ${MAX_DEPTH} certificates` };
}

/**
 * An issuer of `certificate` by name whose signature cannot be checked here: a GOST key or
 * signature algorithm, which no open library implements. Said as such, rather than "no
 * trusted issuer", when the national CA's GOST certificate is configured as an anchor.
 */
function unsupportedIssuer(certificate: CertificateInfo, pool: CertificateInfo[]): string | undefined {
  try {
    return findUnsupportedIssuer(certificate, pool);
  } catch {
    return undefined;
  }
}

function findUnsupportedIssuer(certificate: CertificateInfo, pool: CertificateInfo[]): string | undefined {
  const target = PathCertificate.cached(certificate.der);
  for (const candidate of pool) {
    if (candidate.der.equals(certificate.der)) continue;
    const issuer = PathCertificate.cached(candidate.der);
    if (!namesMatch(issuer.subject, target.issuer)) continue;
    const key = issuer.publicKey();
    if (!key) return `the issuer "${candidate.subject}" is known, but its key algorithm ${issuer.spkiAlgorithm.oid} is not supported (GOST algorithms have no open implementation), so the signature on "${certificate.subject}" cannot be checked`;
    if (verifySigned(target.tbs, target.signatureAlgorithm, target.signature, key) === 'unsupported') {
      return `the signature algorithm ${target.signatureAlgorithm.oid} of "${certificate.subject}" is not supported (GOST algorithms have no open implementation)`;
    }
  }
  return undefined;
}
