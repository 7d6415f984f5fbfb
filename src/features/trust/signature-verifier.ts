import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AppError } from '../../errors/app-error.js';
import {
  anyExtendedKeyUsage,
  id_aa_signingCertificate,
  id_kp_clientAuth,
  id_kp_emailProtection,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_certificatePolicies,
  id_ce_cRLDistributionPoints,
  id_ce_extKeyUsage,
  id_ce_freshestCRL,
  id_ce_issuerAltName,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_pe_authorityInfoAccess,
  id_pkix_ocsp_nocheck,
  id_aa_signingCertificateV2,
  id_aa_timeStampToken,
  id_contentType,
  id_ct_TSTInfo,
  id_kp_timeStamping,
  id_messageDigest,
  id_sha256,
  id_signingTime,
} from '../../pkix/oids.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import type { CertificateSource } from './own-ca-certificates.js';
import { buildCertificatePath, type CertificatePath } from './certificate-path.js';
import type { RevocationChecker } from './revocation-status.js';
import { DIGEST_ALGORITHMS, verifySignatureValue } from '../../pkix/signature-algorithms.js';
import { CmsFormatError, octets, parseSignedData, type ParsedSignedData, type ParsedSignerInfo } from '../../pkix/signed-data-parser.js';
import { signerIdentityOf, type SignerIdentity } from './signer-identity.js';
import type { TrustStore } from './trust-anchors.js';
import { parseTstInfo } from '../../pkix/time-stamp-protocol.js';
import { checkPathStructure, PathCertificate } from './path-validation/index.js';

export type VerificationResult = 'valid' | 'invalid' | 'indeterminate';
export type CheckStatus = 'passed' | 'failed' | 'unknown';
export type CheckName = 'signature' | 'signing-time' | 'certificate-validity' | 'key-usage' | 'chain' | 'revocation';

/** One check of a report: what was checked, its outcome, a stable code and a reason for people. */
export interface VerificationCheck {
  check: CheckName;
  status: CheckStatus;
  code: string;
  reason: string;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  keyUsage: string[];
  extendedKeyUsage: string[];
  policies: string[];
  sha256Fingerprint: string;
  trustAnchor?: string;
}

export interface TimeStampSummary {
  status: CheckStatus;
  genTime?: string;
  serialNumber?: string;
  policy?: string;
  tsa?: string;
  reason: string;
}

export interface SignerReport {
  result: VerificationResult;
  checks: VerificationCheck[];
  signedAt: { time: string; source: 'time-stamp' | 'signing-time' | 'verification-time' };
  timeStamp?: TimeStampSummary;
  signer?: SignerIdentity;
  certificate?: CertificateSummary;
}

export interface VerificationReport {
  result: VerificationResult;
  contentType: string;
  detached: boolean;
  verifiedAt: string;
  signers: SignerReport[];
}

export interface CertificateReport {
  result: VerificationResult;
  checks: VerificationCheck[];
  signer: SignerIdentity;
  certificate: CertificateSummary;
}

/** failed anywhere -> invalid; otherwise anything unknown -> indeterminate. */
export function resultOf(checks: { status: CheckStatus }[]): VerificationResult {
  if (checks.some((c) => c.status === 'failed')) return 'invalid';
  if (checks.some((c) => c.status === 'unknown')) return 'indeterminate';
  return 'valid';
}

const worst = (results: VerificationResult[]): VerificationResult =>
  results.includes('invalid') ? 'invalid' : results.includes('indeterminate') ? 'indeterminate' : 'valid';

export function summarize(certificate: CertificateInfo, anchor?: string): CertificateSummary {
  return {
    subject: certificate.subject,
    issuer: certificate.issuer,
    serialNumber: certificate.serialHex,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    keyUsage: certificate.keyUsage ?? [],
    extendedKeyUsage: certificate.extendedKeyUsage,
    policies: certificate.policies,
    sha256Fingerprint: createHash('sha256').update(certificate.der).digest('hex'),
    ...(anchor ? { trustAnchor: anchor } : {}),
  };
}

interface SignatureOutcome {
  certificate?: CertificateInfo;
  check: VerificationCheck;
}

/**
 * Extensions that may be critical: processed here (basic constraints, key usages, policies as
 * identifiers), or informational (names, key identifiers, CRL and OCSP pointers). Name and policy
 * constraints are not processed, so a path carrying them critically fails, as RFC 5280 asks.
 */
const PROCESSED_EXTENSIONS = new Set([
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_extKeyUsage,
  id_ce_certificatePolicies,
  id_ce_subjectAltName,
  id_ce_issuerAltName,
  id_ce_subjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLDistributionPoints,
  id_ce_freshestCRL,
  id_pe_authorityInfoAccess,
  id_pkix_ocsp_nocheck,
]);

/** EKU purposes under which a certificate signs CMS: documents (emailProtection) and sign-in (clientAuth), as the national CA issues them. */
const SIGNING_PURPOSES = new Set([id_kp_emailProtection, id_kp_clientAuth, anyExtendedKeyUsage]);

/** How far a signer's clock may run ahead of ours before its signing-time is refused. */
const CLOCK_SKEW_MS = 5 * 60_000;

const attr = (info: ParsedSignerInfo, type: string) => info.signedAttrs.find((a) => a.type === type);

function timeOf(node: asn1js.AsnType | undefined): Date | undefined {
  return node instanceof asn1js.UTCTime || node instanceof asn1js.GeneralizedTime ? node.toDate() : undefined;
}

/**
 * The verifier of CMS signatures and of the certificates behind them: signature, chain to a
 * configured anchor, validity at signing time, revocation. Sign-in and signed requests call it,
 * and read `signer.purpose` to tell AUTH certificates from SIGN ones.
 */
export class SignatureVerifier {
  constructor(
    private readonly trust: TrustStore,
    private readonly revocation: RevocationChecker,
    private readonly clock: () => Date = () => new Date(),
    private readonly certificateSources: CertificateSource[] = [],
  ) {}

  /** Verifies a CMS SignedData; throws AppError 400 only for input that is not a usable CMS. */
  async verify(cms: Uint8Array, options: { detachedContent?: Uint8Array } = {}): Promise<VerificationReport> {
    const signedData = parseSignedData(cms);
    let content = signedData.eContent;
    if (content === undefined) {
      if (options.detachedContent === undefined) {
        throw AppError.badRequest('CMS_DETACHED_DATA_REQUIRED', 'The signature is detached: send the signed data with it');
      }
      content = Buffer.from(options.detachedContent);
    } else if (options.detachedContent !== undefined && !content.equals(Buffer.from(options.detachedContent))) {
      throw AppError.badRequest('CMS_CONTENT_MISMATCH', 'The CMS carries its own content, and it differs from the data sent with it');
    }
    const now = this.clock();
    const carried = this.certificatesOf(signedData);
    const signers: SignerReport[] = [];
    for (const info of signedData.signerInfos) signers.push(await this.verifySigner(signedData, info, content, carried, now));
    return {
      result: worst(signers.map((s) => s.result)),
      contentType: signedData.eContentType,
      detached: signedData.eContent === undefined,
      verifiedAt: now.toISOString(),
      signers,
    };
  }

  /** Whether `cms` is an RFC 3161 time-stamp token (a SignedData over a TSTInfo) rather than a signed document. */
  static isTimeStampToken(cms: Uint8Array): boolean {
    try {
      return parseSignedData(cms).eContentType === id_ct_TSTInfo;
    } catch {
      return false;
    }
  }

  /**
   * A time-stamp token verified as one (RFC 3161): the TSA's signature, a TSA certificate for
   * time-stamping that chains to an anchor and was valid and not revoked at genTime, and, when
   * the stamped data is sent, that the token was made for it. Not a person's signature: the
   * report has no signer identity, so sign-in and signed requests never take one.
   */
  async verifyTimeStampTokenDocument(token: Uint8Array, stampedData?: Uint8Array): Promise<VerificationReport> {
    const summary = await this.verifyTimeStampToken(token, stampedData);
    const code = summary.status === 'passed' ? 'TIME_STAMP_VALID' : summary.status === 'failed' ? 'TIME_STAMP_INVALID' : 'TIME_STAMP_UNTRUSTED';
    const checks: VerificationCheck[] = [{ check: 'signature', status: summary.status, code, reason: summary.reason }];
    const result = resultOf(checks);
    return {
      result,
      contentType: id_ct_TSTInfo,
      detached: false,
      verifiedAt: this.clock().toISOString(),
      signers: [{ result, checks, signedAt: { time: summary.genTime ?? this.clock().toISOString(), source: summary.genTime ? 'time-stamp' : 'verification-time' }, timeStamp: summary }],
    };
  }

  /** Verifies a certificate on its own at time `at` (default now): validity, key usage, chain, revocation. */
  async verifyCertificate(input: Uint8Array | string | CertificateInfo, options: { at?: Date; intermediates?: Uint8Array[] } = {}): Promise<CertificateReport> {
    const certificate = input instanceof CertificateInfo ? input : CertificateInfo.parse(input);
    const at = options.at ?? this.clock();
    const carried = (options.intermediates ?? []).map((der) => CertificateInfo.parse(der, 'intermediate certificate'));
    const path = buildCertificatePath(certificate, carried, this.trust);
    const checks = [
      this.validityCheck(path, at, false),
      this.keyUsageCheck(certificate),
      await this.chainCheck(path, at),
      await this.revocationCheck(path, at, 'the verification time'),
    ];
    return { result: resultOf(checks), checks, signer: signerIdentityOf(certificate), certificate: summarize(certificate, path.anchor?.label) };
  }

  private certificatesOf(signedData: ParsedSignedData): CertificateInfo[] {
    const certificates: CertificateInfo[] = [];
    for (const der of signedData.certificates) {
      try {
        certificates.push(CertificateInfo.parse(der));
      } catch {
        // An unreadable extra certificate is ignored; if the signer's own is unreadable, the signer is reported missing.
      }
    }
    return certificates;
  }

  private async verifySigner(signedData: ParsedSignedData, info: ParsedSignerInfo, content: Buffer, carried: CertificateInfo[], now: Date): Promise<SignerReport> {
    const checks: VerificationCheck[] = [];
    if (!this.findSignerCertificate(info, carried)) carried = [...carried, ...(await this.lookUpSignerCertificate(info))];
    const signature = this.checkSignature(signedData, info, content, carried);
    checks.push(signature.check);

    // Signing time: a valid time-stamp token over the signature is evidence; signing-time is only the signer's claim.
    const claimed = timeOf(attr(info, id_signingTime)?.parsed[0]);
    const tokenAttr = info.unsignedAttrs.find((a) => a.type === id_aa_timeStampToken);
    let timeStamp: TimeStampSummary | undefined;
    let signedAt: SignerReport['signedAt'];
    if (tokenAttr) {
      timeStamp = await this.verifyTimeStampToken(tokenAttr.values[0], info.signature, carried);
      checks.push({
        check: 'signing-time',
        status: timeStamp.status,
        code: timeStamp.status === 'passed' ? 'TIME_STAMP_VALID' : timeStamp.status === 'failed' ? 'TIME_STAMP_INVALID' : 'TIME_STAMP_UNTRUSTED',
        reason: timeStamp.reason,
      });
    }
    if (timeStamp?.status === 'passed' && timeStamp.genTime) {
      signedAt = { time: timeStamp.genTime, source: 'time-stamp' };
    } else if (claimed) {
      signedAt = { time: claimed.toISOString(), source: 'signing-time' };
      if (claimed.getTime() > now.getTime() + CLOCK_SKEW_MS) {
        checks.push({ check: 'signing-time', status: 'failed', code: 'SIGNING_TIME_IN_FUTURE', reason: `the signing-time attribute (${claimed.toISOString()}) is later than the verification time` });
      } else if (!tokenAttr) {
        checks.push({ check: 'signing-time', status: 'passed', code: 'SIGNING_TIME_CLAIMED', reason: `signed at ${claimed.toISOString()} by the signer's own claim (signing-time attribute; no time-stamp token)` });
      }
    } else {
      signedAt = { time: now.toISOString(), source: 'verification-time' };
      if (!tokenAttr) checks.push({ check: 'signing-time', status: 'passed', code: 'NO_SIGNING_TIME', reason: 'the signature carries no signing time; the certificate is judged at the verification time' });
    }

    const certificate = signature.certificate;
    if (!certificate) {
      return { result: resultOf(checks), checks, signedAt, ...(timeStamp ? { timeStamp } : {}) };
    }
    const at = new Date(signedAt.time);
    const path = buildCertificatePath(certificate, carried, this.trust);
    let validity = this.validityCheck(path, at, signedAt.source === 'verification-time');
    // A token proves the signature existed by genTime, not that it was made then: a token added after the
    // certificate expired, over a signature claimed from within its validity, proves neither way.
    if (validity.code === 'CERTIFICATE_EXPIRED' && signedAt.source === 'time-stamp' && claimed && certificate.validAt(claimed)) {
      validity = {
        check: 'certificate-validity',
        status: 'unknown',
        code: 'CERTIFICATE_EXPIRED_BEFORE_TIME_STAMP',
        reason: `the time-stamp (${signedAt.time}) is later than the certificate's expiry (${certificate.notAfter.toISOString()}); the claimed signing time ${claimed.toISOString()} is not proven`,
      };
    }
    checks.push(validity);
    checks.push(this.keyUsageCheck(certificate));
    checks.push(await this.chainCheck(path, at));
    // Without a time-stamp the signing time is a claim a key thief could backdate: revocation is then judged now.
    const revocationAt = signedAt.source === 'time-stamp' ? at : now;
    checks.push(await this.revocationCheck(path, revocationAt, signedAt.source === 'time-stamp' ? 'the time-stamped signing time' : 'the verification time (no time-stamp)'));
    return {
      result: resultOf(checks),
      checks,
      signedAt,
      ...(timeStamp ? { timeStamp } : {}),
      signer: signerIdentityOf(certificate),
      certificate: summarize(certificate, path.anchor?.label),
    };
  }

  /** The signer's certificate from the configured sources, when the CMS does not carry it. */
  private async lookUpSignerCertificate(info: ParsedSignerInfo): Promise<CertificateInfo[]> {
    if (info.sid.kind !== 'issuerAndSerialNumber') return [];
    for (const source of this.certificateSources) {
      const der = await source.byIssuerAndSerial(info.sid.issuer, info.sid.serialNumber);
      if (der) return [CertificateInfo.parse(der)];
    }
    return [];
  }

  private findSignerCertificate(info: ParsedSignerInfo, carried: CertificateInfo[]): CertificateInfo | undefined {
    const pool = [...carried, ...this.trust.intermediates, ...this.trust.anchors.map((a) => a.certificate)];
    if (info.sid.kind === 'issuerAndSerialNumber') {
      const { issuer, serialNumber } = info.sid;
      return pool.find((c) => c.fields.serialNumber.equals(serialNumber) && c.fields.issuer.equals(issuer));
    }
    const keyId = info.sid.keyIdentifier;
    return pool.find((c) => c.subjectKeyIdentifier?.equals(keyId));
  }

  /** The cryptographic check of one SignerInfo: message digest, content type, ESS signing certificate, signature. */
  private checkSignature(signedData: ParsedSignedData, info: ParsedSignerInfo, content: Buffer, carried: CertificateInfo[]): SignatureOutcome {
    const check = (status: CheckStatus, code: string, reason: string): VerificationCheck => ({ check: 'signature', status, code, reason });
    const certificate = this.findSignerCertificate(info, carried);
    if (!certificate) return { check: check('unknown', 'SIGNER_CERTIFICATE_MISSING', "the signer's certificate is neither in the CMS nor known to the verifier") };
    const hash = DIGEST_ALGORITHMS[info.digestAlgorithm];
    if (!hash) return { certificate, check: check('unknown', 'DIGEST_ALGORITHM_UNSUPPORTED', `digest algorithm ${info.digestAlgorithm} is not supported`) };

    let signed: Buffer = content;
    if (info.signedAttrsBytes) {
      const contentType = attr(info, id_contentType)?.parsed[0];
      if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== signedData.eContentType) {
        return { certificate, check: check('failed', 'CONTENT_TYPE_MISMATCH', 'the content-type attribute is missing or differs from the encapsulated content type') };
      }
      const digest = attr(info, id_messageDigest)?.parsed[0];
      if (!(digest instanceof asn1js.OctetString)) return { certificate, check: check('failed', 'MESSAGE_DIGEST_MISSING', 'the message-digest attribute is missing') };
      if (!octets(digest, 'messageDigest').equals(createHash(hash).update(content).digest())) {
        return { certificate, check: check('failed', 'MESSAGE_DIGEST_MISMATCH', 'the data does not match the message digest the signer signed (the document was changed, or the wrong data was sent)') };
      }
      const essProblem = this.signingCertificateProblem(info, certificate);
      if (essProblem) return { certificate, check: check('failed', 'SIGNING_CERTIFICATE_MISMATCH', essProblem) };
      // RFC 5652 5.4: the signature covers signedAttrs encoded as a SET OF, not under its [0] tag.
      signed = Buffer.from(info.signedAttrsBytes);
      signed[0] = 0x31;
    }
    const publicKey = certificate.publicKey;
    if (!publicKey) return { certificate, check: check('unknown', 'SIGNATURE_ALGORITHM_UNSUPPORTED', "the signer's public key algorithm is not supported (GOST algorithms have no open implementation)") };
    const outcome = verifySignatureValue({
      signatureAlgorithm: info.signatureAlgorithm,
      parameters: info.signatureAlgorithmParameters,
      digestAlgorithm: info.digestAlgorithm,
      data: signed,
      signature: info.signature,
      publicKey,
    });
    if (outcome.outcome === 'unsupported') return { certificate, check: check('unknown', 'SIGNATURE_ALGORITHM_UNSUPPORTED', outcome.reason) };
    if (outcome.outcome === 'invalid') return { certificate, check: check('failed', 'SIGNATURE_INVALID', "the signature does not verify with the signer's public key") };
    return { certificate, check: check('passed', 'SIGNATURE_VALID', `signed by "${certificate.subject}"; the data is unchanged`) };
  }

  /*
   * ESS signing-certificate attributes bind the signature to one certificate (RFC 2634, RFC 5035):
   * SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies ... OPTIONAL }
   * ESSCertID ::= SEQUENCE { certHash Hash (SHA-1), issuerSerial IssuerSerial OPTIONAL }
   * ESSCertIDv2 ::= SEQUENCE { hashAlgorithm DEFAULT sha256, certHash Hash, issuerSerial OPTIONAL }
   * The first ESSCertID names the signer's certificate.
   */
  private signingCertificateProblem(info: ParsedSignerInfo, certificate: CertificateInfo): string | undefined {
    const v2 = attr(info, id_aa_signingCertificateV2);
    const v1 = attr(info, id_aa_signingCertificate);
    const value = (v2 ?? v1)?.parsed[0];
    if (!value) return undefined;
    try {
      const certs = (value as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
      const first = (certs.valueBlock.value[0] as asn1js.Sequence).valueBlock.value;
      let hashOid = v2 ? id_sha256 : '1.3.14.3.2.26';
      let at = 0;
      if (v2 && first[0] instanceof asn1js.Sequence) hashOid = (first[at++] as asn1js.Sequence).valueBlock.value[0].valueBlock.toString();
      const hash = DIGEST_ALGORITHMS[hashOid];
      if (!hash) return `the signing-certificate attribute uses an unsupported hash ${hashOid}`;
      const certHash = Buffer.from((first[at] as asn1js.OctetString).valueBlock.valueHexView);
      return certHash.equals(createHash(hash).update(certificate.der).digest()) ? undefined : 'the signing-certificate attribute names another certificate than the one the signature verifies with';
    } catch {
      return 'the signing-certificate attribute is malformed';
    }
  }

  private validityCheck(path: CertificatePath, at: Date, atVerificationTime: boolean): VerificationCheck {
    const [leaf, ...issuers] = path.path;
    const when = at.toISOString();
    if (!leaf.validAt(at)) {
      const early = at.getTime() < leaf.notBefore.getTime();
      // Expired now, but with no signing time it may have been signed while valid: unknown, not invalid.
      if (!early && atVerificationTime) {
        return { check: 'certificate-validity', status: 'unknown', code: 'CERTIFICATE_EXPIRED_NO_SIGNING_TIME', reason: `the certificate expired on ${leaf.notAfter.toISOString()} and the signature does not say when it was made` };
      }
      return {
        check: 'certificate-validity',
        status: 'failed',
        code: early ? 'CERTIFICATE_NOT_YET_VALID' : 'CERTIFICATE_EXPIRED',
        reason: `at ${when} the certificate was ${early ? 'not yet valid' : 'expired'} (valid ${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()})`,
      };
    }
    const expiredIssuer = issuers.find((c) => !c.validAt(at));
    if (expiredIssuer) {
      return { check: 'certificate-validity', status: 'failed', code: 'ISSUER_CERTIFICATE_NOT_VALID', reason: `at ${when} the issuer certificate "${expiredIssuer.subject}" was outside its validity` };
    }
    return { check: 'certificate-validity', status: 'passed', code: 'CERTIFICATE_VALID', reason: `the certificate${issuers.length ? ' and its issuers were' : ' was'} valid at ${when}` };
  }

  private keyUsageCheck(certificate: CertificateInfo): VerificationCheck {
    const usage = certificate.keyUsage;
    if (usage && !usage.includes('digitalSignature') && !usage.includes('nonRepudiation')) {
      return { check: 'key-usage', status: 'failed', code: 'KEY_USAGE_NOT_FOR_SIGNING', reason: `the key usage (${usage.join(', ')}) does not allow signatures` };
    }
    // A certificate limited to other purposes (the TSA's, the OCSP responder's) must not pass for a person's signature.
    const eku = certificate.extendedKeyUsage;
    if (eku.length > 0 && !eku.some((purpose) => SIGNING_PURPOSES.has(purpose))) {
      return { check: 'key-usage', status: 'failed', code: 'EXTENDED_KEY_USAGE_NOT_FOR_SIGNING', reason: `the extended key usage (${eku.join(', ')}) is for other purposes than signing documents or signing in` };
    }
    return { check: 'key-usage', status: 'passed', code: 'KEY_USAGE_ALLOWS_SIGNING', reason: usage ? `key usage: ${usage.join(', ')}` : 'no key usage restriction' };
  }

  /**
   * The path's structure by RFC 5280 6.1 (path-validation's checkPathStructure): signatures,
   * name chaining by 7.1 rules, basicConstraints and pathLen (self-issued certificates not
   * counted), keyCertSign, name constraints (the anchor's too), policies and critical
   * extensions. Validity times are judged by validityCheck, at signing time.
   */
  private async chainCheck(path: CertificatePath, at: Date): Promise<VerificationCheck> {
    if (path.status === 'broken') return { check: 'chain', status: 'failed', code: 'CHAIN_SIGNATURE_INVALID', reason: path.reason };
    if (path.status === 'unsupported') return { check: 'chain', status: 'unknown', code: 'SIGNATURE_ALGORITHM_UNSUPPORTED', reason: path.reason };
    if (path.status === 'untrusted') return { check: 'chain', status: 'unknown', code: 'NO_TRUSTED_CHAIN', reason: path.reason };
    const isAnchor = (c: CertificateInfo) => !!path.anchor && c.sameEntity(path.anchor.certificate);
    const chain = [...path.path].reverse().map((c) => PathCertificate.cached(c.der));
    if (path.path.length === 1 && isAnchor(path.path[0])) return { check: 'chain', status: 'passed', code: 'CHAIN_TRUSTED', reason: path.reason };
    const problem = await checkPathStructure(chain, { at, checkValidity: false });
    if (problem) return { check: 'chain', status: problem.status === 'unknown' ? 'unknown' : 'failed', code: problem.code, reason: problem.reason };
    return { check: 'chain', status: 'passed', code: 'CHAIN_TRUSTED', reason: path.reason };
  }

  private async revocationCheck(path: CertificatePath, at: Date, when: string): Promise<VerificationCheck> {
    const check = (status: CheckStatus, code: string, reason: string): VerificationCheck => ({ check: 'revocation', status, code, reason });
    if (path.status === 'trusted' && path.path.length === 1) return check('passed', 'TRUST_ANCHOR', 'the certificate is itself a trust anchor');
    if (path.path.length < 2) return check('unknown', 'REVOCATION_NOT_CHECKED', 'the issuer is unknown, so revocation cannot be checked');
    // Issuing CAs below the anchor: a revoked one voids everything under it; no information about them is not held against the signer.
    for (let i = 1; i < path.path.length - 1; i++) {
      const ca = path.path[i];
      if (path.anchor && ca.sameEntity(path.anchor.certificate)) break;
      const answer = await this.revocation.check({ certificate: ca, issuer: path.path[i + 1], at });
      if (answer.status === 'revoked') return check('failed', 'ISSUER_REVOKED', `the issuing CA "${ca.subject}" is ${answer.detail} per ${answer.source}`);
    }
    const answer = await this.revocation.check({ certificate: path.path[0], issuer: path.path[1], at });
    const about = `at ${when} ${at.toISOString()}`;
    switch (answer.status) {
      case 'good':
        return check('passed', 'NOT_REVOKED', `not revoked ${about}: ${answer.detail} (${answer.source})`);
      case 'revoked':
        return check('failed', 'REVOKED', `revoked ${about}: ${answer.detail} (${answer.source})`);
      case 'on-hold':
        return check('unknown', 'ON_HOLD', `on hold ${about}: ${answer.detail} (${answer.source})`);
      default:
        return check('unknown', 'REVOCATION_UNKNOWN', `status unknown ${about}: ${answer.detail}`);
    }
  }

  /**
   * An RFC 3161 token over a signature value (RFC 3161 appendix A): the token's own signature,
   * the imprint of the signature bytes, a TSA certificate for time-stamping that chains to an
   * anchor and was valid, and not revoked, at genTime.
   */
  async verifyTimeStampToken(token: Uint8Array, stampedData: Uint8Array | undefined, outerCertificates: CertificateInfo[] = []): Promise<TimeStampSummary> {
    let signedData: ParsedSignedData;
    try {
      signedData = parseSignedData(token);
    } catch (err) {
      if (err instanceof CmsFormatError) return { status: 'failed', reason: `the time-stamp token is malformed: ${err.message}` };
      throw err;
    }
    if (signedData.eContentType !== id_ct_TSTInfo || !signedData.eContent) return { status: 'failed', reason: 'the time-stamp token does not carry a TSTInfo' };
    let tstInfo: ReturnType<typeof parseTstInfo>;
    try {
      tstInfo = parseTstInfo(signedData.eContent);
    } catch (err) {
      return { status: 'failed', reason: `the TSTInfo is malformed: ${(err as Error).message}` };
    }
    const facts = { genTime: tstInfo.genTime.toISOString(), serialNumber: tstInfo.serialNumber, policy: tstInfo.policy };
    const imprintHash = DIGEST_ALGORITHMS[tstInfo.hashAlgorithm];
    if (!imprintHash) return { status: 'unknown', ...facts, reason: `the time-stamp imprint uses unsupported hash ${tstInfo.hashAlgorithm}` };
    if (stampedData !== undefined && !tstInfo.hashedMessage.equals(createHash(imprintHash).update(stampedData).digest())) {
      return { status: 'failed', ...facts, reason: 'the time-stamp token was made for other data than this signature' };
    }
    // The signed document's certificates may hold the TSA's issuer too (the same issuing CA, often).
    const carried = [...this.certificatesOf(signedData), ...outerCertificates];
    const signature = this.checkSignature(signedData, signedData.signerInfos[0], signedData.eContent, carried);
    const tsa = signature.certificate;
    const withTsa = { ...facts, ...(tsa ? { tsa: tsa.subject } : {}) };
    if (signature.check.status !== 'passed') return { status: signature.check.status, ...withTsa, reason: `time-stamp token: ${signature.check.reason}` };
    if (!tsa!.extendedKeyUsage.includes(id_kp_timeStamping)) return { status: 'failed', ...withTsa, reason: 'the time-stamp token is signed by a certificate not meant for time-stamping' };
    const path = buildCertificatePath(tsa!, carried, this.trust);
    const checks = [this.validityCheck(path, tstInfo.genTime, false), await this.chainCheck(path, tstInfo.genTime)];
    const problem = checks.find((c) => c.status !== 'passed');
    if (problem) return { status: problem.status, ...withTsa, reason: `time-stamp authority: ${problem.reason}` };
    const revocation = await this.revocationCheck(path, tstInfo.genTime, 'the time-stamp');
    if (revocation.status === 'failed') return { status: 'failed', ...withTsa, reason: `time-stamp authority: ${revocation.reason}` };
    const imprint = stampedData === undefined ? ' (the stamped data was not sent, so which data it covers was not checked)' : '';
    return { status: 'passed', ...withTsa, reason: `time-stamped at ${facts.genTime} by "${tsa!.subject}"${imprint}` };
  }
}
