import 'reflect-metadata';
import * as asn1js from 'asn1js';
import { fromBerSafely } from './der.js';
import * as x509 from '@peculiar/x509';
import type { CertificateInfo } from './certificate.js';
import { verifySignatureValue } from './signature-algorithms.js';

/**
 * Revocation status as the verifier needs it: was this certificate revoked at time `at`?
 * Sources are asked in order; the first that covers the certificate's issuer answers.
 * Qorgau's own CA answers from its certificates table (OwnCaRevocationSource); foreign CAs
 * from their CRLs (CrlRevocationSource). The revocation service of pki/revocation can take
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

const REASONS: Record<number, string> = {
  0: 'unspecified',
  1: 'keyCompromise',
  2: 'cACompromise',
  3: 'affiliationChanged',
  4: 'superseded',
  5: 'cessationOfOperation',
  6: 'certificateHold',
  8: 'removeFromCRL',
  9: 'privilegeWithdrawn',
  10: 'aACompromise',
};

interface LoadedCrl {
  der: Buffer;
  crl: x509.X509Crl;
  tbs: Buffer;
  signatureAlgorithm: string;
  parameters?: asn1js.AsnType;
  signature: Buffer;
  /** Issuer keys this CRL's signature was already checked against. */
  verifiedWith: Map<string, boolean>;
}

const normalizeSerial = (hex: string) => hex.toLowerCase().replace(/^0+(?=.)/, '');

/*
 * CertificateList ::= SEQUENCE {
 *   tbsCertList TBSCertList,
 *   signatureAlgorithm AlgorithmIdentifier,
 *   signatureValue BIT STRING }
 */
function loadCrl(der: Buffer): LoadedCrl {
  const parsed = fromBerSafely(der);
  const [tbs, algorithm, signature] = (parsed.result as asn1js.Sequence).valueBlock.value as [asn1js.Sequence, asn1js.Sequence, asn1js.BitString];
  const [oid, parameters] = algorithm.valueBlock.value;
  return {
    der,
    crl: new x509.X509Crl(new Uint8Array(der)),
    tbs: Buffer.from(tbs.valueBeforeDecodeView),
    signatureAlgorithm: (oid as asn1js.ObjectIdentifier).valueBlock.toString(),
    parameters,
    signature: Buffer.from(signature.valueBlock.valueHexView),
    verifiedWith: new Map(),
  };
}

/**
 * Status from CRLs. A CRL speaks for time `at` when it was current then or issued later
 * (at <= nextUpdate): a certificate not listed on it was not revoked at `at`. Older CRLs say
 * nothing about `at`, and the answer is unknown.
 */
export class CrlRevocationSource implements RevocationStatusSource {
  private readonly crls: LoadedCrl[];

  constructor(ders: Buffer[]) {
    this.crls = ders.map(loadCrl);
  }

  private signedBy(crl: LoadedCrl, issuer: CertificateInfo): boolean {
    const key = issuer.fields.subjectPublicKeyInfo.toString('base64');
    let ok = crl.verifiedWith.get(key);
    if (ok === undefined) {
      const publicKey = issuer.publicKey;
      ok = !!publicKey && verifySignatureValue({ signatureAlgorithm: crl.signatureAlgorithm, parameters: crl.parameters, data: crl.tbs, signature: crl.signature, publicKey }).outcome === 'valid';
      crl.verifiedWith.set(key, ok);
    }
    return ok;
  }

  async check({ certificate, issuer, at }: RevocationQuery): Promise<RevocationAnswer | undefined> {
    const issuerName = certificate.fields.issuer;
    const candidates = this.crls
      .filter((c) => Buffer.from(c.crl.issuerName.toArrayBuffer()).equals(issuerName) && this.signedBy(c, issuer))
      .sort((a, b) => b.crl.thisUpdate.getTime() - a.crl.thisUpdate.getTime());
    if (candidates.length === 0) return undefined;
    const serial = normalizeSerial(certificate.serialHex);
    for (const loaded of candidates) {
      const entry = loaded.crl.entries.find((e) => normalizeSerial(e.serialNumber) === serial);
      const reason = entry?.reason !== undefined ? REASONS[entry.reason] ?? String(entry.reason) : undefined;
      const source = `CRL of "${issuer.subject}" (thisUpdate ${loaded.crl.thisUpdate.toISOString()})`;
      if (entry && entry.revocationDate.getTime() <= at.getTime()) {
        return { status: reason === 'certificateHold' ? 'on-hold' : 'revoked', revokedAt: entry.revocationDate, ...(reason ? { reason } : {}), source, detail: `listed as revoked on ${entry.revocationDate.toISOString()}${reason ? ` (${reason})` : ''}` };
      }
      const nextUpdate = loaded.crl.nextUpdate;
      if (!nextUpdate || at.getTime() <= nextUpdate.getTime()) {
        return {
          status: 'good',
          source,
          detail: entry ? `revoked only later, on ${entry.revocationDate.toISOString()}` : 'not listed on a CRL current at that time or later',
        };
      }
    }
    return { status: 'unknown', source: `CRLs of "${issuer.subject}"`, detail: `no CRL issued at or after ${at.toISOString()} is known` };
  }
}
