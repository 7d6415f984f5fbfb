import type { KeyObject } from 'node:crypto';
import { tlv } from '../../../der/writer.js';
import type { GeneralName } from './general-names.js';
import { namesMatch, nameText, parseName, type Rdn } from './names.js';
import { KEY_USAGE, type DistributionPoint, type PathCertificate } from './path-certificate.js';
import { CRL_REASONS, type PathCrl } from './path-crl.js';
import { verifySigned } from './signature.js';
import { validateWithin, type ValidationContext } from './path-validator.js';

export interface RevocationAnswer {
  status: 'good' | 'revoked' | 'unknown';
  /** CRLReason name, when revoked. */
  reason?: string;
  revokedAt?: Date;
  /** Completes a sentence about the certificate: "is not listed on ...", "was revoked on ...". */
  detail: string;
}

/** Asked when the CRLs at hand do not decide: CRLs fetched from the certificate's distribution points, then OCSP. */
export interface RevocationSource {
  /** CRLs from the certificate's distribution points (cached until their nextUpdate), and why some could not be had. */
  fetchCrls(certificate: PathCertificate, at: Date): Promise<{ crls: PathCrl[]; problems: string[] }>;
  /** A status service (OCSP at the authorityInfoAccess, or a CA's own records); undefined when it has nothing to say. */
  status(certificate: PathCertificate, issuer: PathCertificate, issuerKey: KeyObject | undefined, at: Date): Promise<RevocationAnswer | undefined>;
}

/** ReasonFlags bits 1..8 (keyCompromise .. aACompromise); bit 0 is unused. */
const ALL_REASONS = [1, 2, 3, 4, 5, 6, 7, 8];

/** The key of path[j], with DSA parameters inherited down the path (RFC 5280 6.1.4 (j)). */
function keyOfPathMember(path: PathCertificate[], j: number): KeyObject | undefined {
  let parameters = path[0].spkiAlgorithm.parameters;
  for (let k = 1; k <= j; k++) if (!path[k].keyParametersAbsent) parameters = path[k].spkiAlgorithm.parameters;
  return path[j].keyParametersAbsent && parameters ? path[j].publicKey(parameters) : path[j].publicKey();
}

const directoryNames = (names: GeneralName[] | undefined): Rdn[][] => (names ?? []).flatMap((n) => (n.kind === 'directory' ? [n.name] : []));

/** The names a DistributionPointName stands for; a relative name is appended to `base` (the CRL issuer). */
function pointNames(point: Pick<DistributionPoint, 'fullName' | 'relativeName'>, base: Rdn[]): GeneralName[] {
  if (point.fullName) return point.fullName;
  if (point.relativeName) {
    const [rdn] = parseName(tlv(0x30, point.relativeName));
    return [{ kind: 'directory', name: [...base, rdn], der: Buffer.alloc(0) }];
  }
  return [];
}

function sameGeneralName(a: GeneralName, b: GeneralName): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'directory') return namesMatch(a.name, (b as typeof a).name);
  if (a.kind === 'ip') return a.bytes.equals((b as typeof a).bytes);
  if (a.kind === 'other') return a.der.equals((b as typeof a).der);
  return a.value === (b as typeof a).value;
}

/** RFC 5280 6.3.3 (b): whether `crl` speaks for `certificate` through distribution point `dp`. */
function scopeProblem(crl: PathCrl, certificate: PathCertificate, dp: DistributionPoint): string | undefined {
  const dpIssuers = directoryNames(dp.crlIssuer);
  if (dp.crlIssuer) {
    if (!dpIssuers.some((name) => namesMatch(name, crl.issuer))) return 'its issuer is not the CRL issuer the certificate names';
    if (!crl.idp?.indirectCRL) return 'the certificate names another CRL issuer, and this CRL is not an indirect CRL';
  } else if (!namesMatch(crl.issuer, certificate.issuer)) {
    return 'its issuer is not the certificate issuer';
  }
  const idp = crl.idp;
  if (!idp) return undefined;
  if (idp.distributionPoint) {
    const crlNames = pointNames(idp.distributionPoint, crl.issuer);
    const certificateNames = dp.fullName || dp.relativeName ? pointNames(dp, dp.crlIssuer ? dpIssuers[0] ?? certificate.issuer : certificate.issuer) : (dp.crlIssuer ?? [{ kind: 'directory', name: certificate.issuer, der: certificate.issuerDer }]);
    if (!crlNames.some((a) => certificateNames.some((b) => sameGeneralName(a, b)))) return 'it covers a distribution point the certificate does not name (issuingDistributionPoint)';
  }
  if (idp.onlyContainsUserCerts && certificate.isCa) return 'it covers only end-entity certificates (onlyContainsUserCerts), and this is a CA certificate';
  if (idp.onlyContainsCACerts && !certificate.isCa) return 'it covers only CA certificates (onlyContainsCACerts)';
  if (idp.onlyContainsAttributeCerts) return 'it covers only attribute certificates';
  return undefined;
}

function reasonsOf(crl: PathCrl, dp: DistributionPoint): number[] {
  const crlReasons = crl.idp?.onlySomeReasons;
  const dpReasons = dp.reasons;
  return ALL_REASONS.filter((r) => (!crlReasons || crlReasons.has(r)) && (!dpReasons || dpReasons.has(r)));
}

type SignerOutcome = { ok: true; key: KeyObject } | { ok: false; problem: string };

/**
 * RFC 5280 6.3.3 (f), (g): a certificate named as the CRL's issuer, with cRLSign when it has a key
 * usage, whose key verifies the CRL, and whose own path leads to the same trust anchor. It is
 * the target's issuer in the usual case; a separate CRL-signing certificate or a CA's other key
 * (rollover) is validated on its own.
 */
async function crlSigner(crl: PathCrl, path: PathCertificate[], i: number, ctx: ValidationContext): Promise<SignerOutcome> {
  const inPath = path.slice(0, i).map((c, j) => ({ c, j })).filter(({ c }) => namesMatch(c.subject, crl.issuer)).reverse();
  const others = [...ctx.anchors, ...ctx.pool].filter((c) => namesMatch(c.subject, crl.issuer) && !path.some((p) => p.fingerprint === c.fingerprint));
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const { c, j } of [...inPath, ...others.map((c) => ({ c, j: -1 }))]) {
    if (seen.has(c.fingerprint)) continue;
    seen.add(c.fingerprint);
    const key = j >= 0 ? keyOfPathMember(path, j) : c.publicKey();
    if (!key || verifySigned(crl.tbs, crl.signatureAlgorithm, crl.signature, key) !== 'valid') continue;
    const usage = c.keyUsage;
    if (usage && !usage.has(KEY_USAGE.cRLSign)) {
      problems.push(`it is signed by "${c.subjectText}", whose key usage does not include cRLSign`);
      continue;
    }
    if (j >= 0) return { ok: true, key };
    if (ctx.inProgress.has(c.fingerprint) || ctx.nesting >= 4) continue;
    const cacheKey = `${c.fingerprint}|${path[0].fingerprint}`;
    let verdict = ctx.crlIssuerVerdicts?.get(cacheKey);
    if (!verdict) {
      const report = await validateWithin(c, { ...ctx, nesting: ctx.nesting + 1 }, path[0]);
      verdict = report.result === 'valid' ? { ok: true } : { ok: false, reason: report.decidedBy.reason };
      ctx.crlIssuerVerdicts?.set(cacheKey, verdict);
    }
    if (verdict.ok) return { ok: true, key };
    problems.push(`its signer "${c.subjectText}" is not valid: ${verdict.reason}`);
  }
  return { ok: false, problem: problems[0] ?? 'no certificate of its issuer that chains to the same trust anchor verifies its signature' };
}

/**
 * RFC 5280 6.3: the revocation status of path[i] (path is anchor first) at ctx.at, from the
 * CRLs at hand, then from the online source when they do not decide.
 */
export async function checkRevocation(path: PathCertificate[], i: number, ctx: ValidationContext): Promise<RevocationAnswer> {
  const local = await fromCrls(ctx.crls, path, i, ctx);
  if (local.status !== 'unknown' || !ctx.online) return local;
  const notes = [local.detail];
  // A status service first (the CA's own records, OCSP): fresher than a CRL, and one small request.
  const status = await ctx.online.status(path[i], path[i - 1], keyOfPathMember(path, i - 1), ctx.at);
  if (status && status.status !== 'unknown') return status;
  if (status) notes.push(status.detail);
  const fetched = await ctx.online.fetchCrls(path[i], ctx.at);
  notes.push(...fetched.problems);
  if (fetched.crls.length > 0) {
    const online = await fromCrls([...ctx.crls, ...fetched.crls], path, i, ctx);
    if (online.status !== 'unknown') return online;
    notes.push(online.detail);
  }
  return { status: 'unknown', detail: [...new Set(notes)].join('; ') };
}

async function fromCrls(crls: PathCrl[], path: PathCertificate[], i: number, ctx: ValidationContext): Promise<RevocationAnswer> {
  const certificate = path[i];
  const at = ctx.at;
  const dps: DistributionPoint[] = certificate.crlDistributionPoints.length > 0 ? certificate.crlDistributionPoints : [{}];
  const covered = new Set<number>();
  const notes: string[] = [];
  const complete = crls.filter((c) => !c.isDelta).sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime());
  let good: string | undefined;
  for (const dp of dps) {
    for (const crl of complete) {
      if (covered.size === ALL_REASONS.length) break;
      const about = `the CRL of "${crl.issuerText}" of ${crl.thisUpdate.toISOString()}`;
      const scope = scopeProblem(crl, certificate, dp);
      if (scope) {
        if (!/its issuer is not the certificate issuer/.test(scope)) notes.push(`${about} cannot be used: ${scope}`);
        continue;
      }
      if (crl.unusable) {
        notes.push(`${about} cannot be used: ${crl.unusable}`);
        continue;
      }
      if (crl.nextUpdate && crl.nextUpdate < at) {
        notes.push(`${about} was superseded by ${crl.nextUpdate.toISOString()} (its nextUpdate) and no later CRL is known`);
        continue;
      }
      const reasons = reasonsOf(crl, dp);
      if (!reasons.some((r) => !covered.has(r))) continue;
      const signer = await crlSigner(crl, path, i, ctx);
      if (!signer.ok) {
        notes.push(`${about} cannot be used: ${signer.problem}`);
        continue;
      }
      // 6.3.3 (c), (h): a delta CRL of the same issuer and scope, based on this CRL or an earlier one.
      const delta = crls
        .filter((d) => d.isDelta && !d.unusable && namesMatch(d.issuer, crl.issuer) && (d.idp?.der.equals(crl.idp?.der ?? Buffer.alloc(0)) ?? !crl.idp) && crl.crlNumber !== undefined && d.deltaBase! <= crl.crlNumber && (d.crlNumber ?? 0n) > crl.crlNumber && (!d.nextUpdate || d.nextUpdate >= at))
        .filter((d) => verifySigned(d.tbs, d.signatureAlgorithm, d.signature, signer.key) === 'valid')
        .sort((a, b) => Number((b.crlNumber ?? 0n) - (a.crlNumber ?? 0n)))[0];
      const fromDelta = delta?.entryFor(certificate.issuer, certificate.serialHex);
      const entry = fromDelta ?? crl.entryFor(certificate.issuer, certificate.serialHex);
      const source = fromDelta ? `the delta CRL of "${delta!.issuerText}" of ${delta!.thisUpdate.toISOString()}` : about;
      if (entry && entry.reason !== 8 && entry.revocationDate <= at) {
        const reason = entry.reason !== undefined ? CRL_REASONS[entry.reason] ?? String(entry.reason) : undefined;
        return { status: 'revoked', revokedAt: entry.revocationDate, ...(reason ? { reason } : {}), detail: `was revoked on ${entry.revocationDate.toISOString()}${reason ? ` (${reason})` : ''} per ${source}` };
      }
      for (const r of reasons) covered.add(r);
      good = entry ? `was revoked only after ${at.toISOString()} per ${source}` : `is not listed on ${about}${delta ? ' nor on its delta CRL' : ''}`;
    }
  }
  if (covered.size === ALL_REASONS.length) return { status: 'good', detail: good! };
  if (covered.size > 0) notes.unshift('the CRLs found cover only some revocation reasons (onlySomeReasons)');
  if (notes.length === 0) notes.push(`no CRL of "${nameText(certificate.issuer)}" is known`);
  return { status: 'unknown', detail: notes.join('; ') };
}

/** Several sources as one: CRLs from all of them, and the first status service with an answer. */
export class RevocationSources implements RevocationSource {
  constructor(private readonly sources: RevocationSource[]) {}

  async fetchCrls(certificate: PathCertificate, at: Date): Promise<{ crls: PathCrl[]; problems: string[] }> {
    const results = await Promise.all(this.sources.map((s) => s.fetchCrls(certificate, at)));
    return { crls: results.flatMap((r) => r.crls), problems: results.flatMap((r) => r.problems) };
  }

  async status(certificate: PathCertificate, issuer: PathCertificate, issuerKey: KeyObject | undefined, at: Date): Promise<RevocationAnswer | undefined> {
    let unknown: RevocationAnswer | undefined;
    for (const source of this.sources) {
      const answer = await source.status(certificate, issuer, issuerKey, at);
      if (answer && answer.status !== 'unknown') return answer;
      unknown ??= answer;
    }
    return unknown;
  }
}
