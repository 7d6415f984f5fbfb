import type { KeyObject } from 'node:crypto';
import { CONSTRAINED_KINDS, describeGeneralName, withinSubtree, type GeneralName } from './general-names.js';
import { id_emailAddress, namesMatch, nameText } from './names.js';
import { EXT, KEY_USAGE, type PathCertificate } from './path-certificate.js';
import type { PathCrl } from './path-crl.js';
import { DEFAULT_POLICY_INPUTS, PolicyProcessor, type PolicyInputs } from './policy-tree.js';
import { checkRevocation, type RevocationSource } from './crl-processing.js';
import { verifySigned } from './signature.js';

export type PathResult = 'valid' | 'invalid' | 'indeterminate';
export type PathCheckName = 'path-building' | 'signature' | 'validity' | 'name-chaining' | 'basic-constraints' | 'key-usage' | 'name-constraints' | 'policy' | 'critical-extensions' | 'revocation' | 'trust-anchor';

/** One check that passed, failed or could not be decided, about one certificate of the path. */
export interface PathCheck {
  check: PathCheckName;
  status: 'passed' | 'failed' | 'unknown';
  code: string;
  reason: string;
  /** Subject of the certificate the check is about. */
  certificate?: string;
}

export interface PathValidationReport {
  result: PathResult;
  /** The check that decided the result: the first failure, else the first undecided check, else the last passed. */
  decidedBy: PathCheck;
  checks: PathCheck[];
  /** From the trust anchor down to the target (the path that decided the result). */
  path: { subject: string; issuer: string; serialNumber: string; sha256Fingerprint: string }[];
  trustAnchor?: string;
  /** The certificate policies the path is valid for (RFC 5280 6.1.6 user-constrained-policy-set). */
  validPolicies?: string[];
  validatedAt: string;
}

export interface PathValidationInput {
  target: PathCertificate;
  intermediates?: PathCertificate[];
  anchors: PathCertificate[];
  crls?: PathCrl[];
  at?: Date;
  policy?: Partial<PolicyInputs>;
  /** Which certificates must have a known revocation status: all below the anchor (default), only the target, or none. */
  revocation?: 'all' | 'target' | 'none';
  /** Asked when the CRLs given do not decide (online CRL distribution points, OCSP). */
  onlineRevocation?: RevocationSource;
}

/** Extensions the validator processes or knows to be informational (RFC 5280 6.1.4 (o)). */
export const RECOGNIZED_EXTENSIONS = new Set<string>([
  EXT.basicConstraints,
  EXT.keyUsage,
  EXT.extKeyUsage,
  EXT.certificatePolicies,
  EXT.policyMappings,
  EXT.policyConstraints,
  EXT.inhibitAnyPolicy,
  EXT.nameConstraints,
  EXT.subjectAltName,
  EXT.issuerAltName,
  EXT.subjectKeyIdentifier,
  EXT.authorityKeyIdentifier,
  EXT.cRLDistributionPoints,
  EXT.freshestCRL,
  EXT.authorityInfoAccess,
  EXT.subjectInfoAccess,
  EXT.ocspNoCheck,
]);

const MAX_PATH = 12;
const MAX_PATHS_TRIED = 24;
/** How deep CRL issuers' own paths are validated (a CRL issuer's CRL issuer ...). */
const MAX_NESTING = 4;

export interface ValidationContext {
  anchors: PathCertificate[];
  pool: PathCertificate[];
  crls: PathCrl[];
  at: Date;
  policy: PolicyInputs;
  revocation: 'all' | 'target' | 'none';
  online?: RevocationSource;
  /** Certificates whose validation is under way (a CRL issuer being validated for a CRL it needs itself). */
  inProgress: Set<string>;
  nesting: number;
  /** Off when the caller judges validity times itself (a signature's verifier, at signing time). */
  skipValidity?: boolean;
  /** Verdicts on CRL issuers' certificates already validated, by fingerprint and anchor. */
  crlIssuerVerdicts?: Map<string, { ok: true } | { ok: false; reason: string }>;
}

const sameKeyAndName = (a: PathCertificate, b: PathCertificate) => a.spki.equals(b.spki) && namesMatch(a.subject, b.subject);

/** The anchor a certificate stands for: the anchor itself, or a certificate with its name and key. */
export function anchorOf(certificate: PathCertificate, anchors: PathCertificate[]): PathCertificate | undefined {
  return anchors.find((a) => a.fingerprint === certificate.fingerprint) ?? anchors.find((a) => sameKeyAndName(a, certificate));
}

/** Issuer candidates of `certificate`, the most likely first: matching key identifier, then a signature that verifies. */
function issuerCandidates(certificate: PathCertificate, ctx: ValidationContext): PathCertificate[] {
  const named = [...ctx.anchors, ...ctx.pool].filter((c, i, all) => namesMatch(c.subject, certificate.issuer) && c.fingerprint !== certificate.fingerprint && all.findIndex((d) => d.fingerprint === c.fingerprint) === i);
  const score = (c: PathCertificate) => {
    let s = 0;
    if (anchorOf(c, ctx.anchors)) s += 1;
    const aki = certificate.authorityKeyIdentifier;
    if (aki && c.subjectKeyIdentifier?.equals(aki)) s += 2;
    const key = c.publicKey();
    if (key && verifySigned(certificate.tbs, certificate.signatureAlgorithm, certificate.signature, key) === 'valid') s += 4;
    // A DSA key with inherited parameters cannot be loaded alone; it may still be the issuer.
    else if (!key && c.keyParametersAbsent) s += 3;
    return s;
  };
  return named.map((c) => ({ c, s: score(c) })).sort((a, b) => b.s - a.s).map(({ c }) => c);
}

/** Candidate paths from an anchor down to `target`, the most likely first (depth-first, bounded). */
export function buildPaths(target: PathCertificate, ctx: ValidationContext): PathCertificate[][] {
  const paths: PathCertificate[][] = [];
  const walk = (chain: PathCertificate[]) => {
    if (paths.length >= MAX_PATHS_TRIED || chain.length > MAX_PATH) return;
    const top = chain[0];
    for (const candidate of issuerCandidates(top, ctx)) {
      if (chain.some((c) => c.fingerprint === candidate.fingerprint || sameKeyAndName(c, candidate))) continue;
      const anchor = anchorOf(candidate, ctx.anchors);
      if (anchor) paths.push([anchor, ...chain]);
      else walk([candidate, ...chain]);
      if (paths.length >= MAX_PATHS_TRIED) return;
    }
  };
  walk([target]);
  return paths;
}

/** Validates `target`; a certificate that is itself an anchor is valid as such. */
export async function validatePath(input: PathValidationInput): Promise<PathValidationReport> {
  const ctx: ValidationContext = {
    anchors: input.anchors,
    pool: [...(input.intermediates ?? [])],
    crls: input.crls ?? [],
    at: input.at ?? new Date(),
    policy: { ...DEFAULT_POLICY_INPUTS, ...input.policy },
    revocation: input.revocation ?? 'all',
    ...(input.onlineRevocation ? { online: input.onlineRevocation } : {}),
    inProgress: new Set(),
    nesting: 0,
    crlIssuerVerdicts: new Map(),
  };
  return validateWithin(input.target, ctx);
}

export async function validateWithin(target: PathCertificate, ctx: ValidationContext, requiredAnchor?: PathCertificate): Promise<PathValidationReport> {
  const validatedAt = ctx.at.toISOString();
  const summary = (c: PathCertificate) => ({ subject: c.subjectText, issuer: c.issuerText, serialNumber: c.serialHex, sha256Fingerprint: c.fingerprint });
  const anchor = anchorOf(target, ctx.anchors);
  if (anchor && (!requiredAnchor || anchor === requiredAnchor)) {
    const check: PathCheck = { check: 'trust-anchor', status: 'passed', code: 'TRUST_ANCHOR', reason: `"${target.subjectText}" is itself a trust anchor`, certificate: target.subjectText };
    return { result: 'valid', decidedBy: check, checks: [check], path: [summary(target)], trustAnchor: anchor.subjectText, validatedAt };
  }
  ctx.inProgress.add(target.fingerprint);
  try {
    const paths = buildPaths(target, ctx).filter((p) => !requiredAnchor || p[0] === requiredAnchor);
    if (paths.length === 0) {
      const check: PathCheck = {
        check: 'path-building',
        status: 'unknown',
        code: 'NO_TRUSTED_CHAIN',
        reason: target.selfIssued
          ? `the chain ends at "${target.subjectText}", which is not a trusted root`
          : `no path from "${target.subjectText}" to a trust anchor: no certificate named "${target.issuerText}" is known among the anchors and intermediates (${ctx.anchors.length} anchors: ${ctx.anchors.map((a) => `"${a.subjectText}"`).join(', ') || 'none'})`,
        certificate: target.subjectText,
      };
      return { result: 'indeterminate', decidedBy: check, checks: [check], path: [summary(target)], validatedAt };
    }
    let first: PathValidationReport | undefined;
    for (const path of paths) {
      const checks = await processPath(path, ctx);
      const report = reportOf(checks.checks, path.map(summary), path[0].subjectText, validatedAt, checks.policies);
      if (report.result === 'valid') return report;
      // A path that fails for a reason other than its signatures is the one people need to hear about.
      if (!first || (first.decidedBy.code === 'CHAIN_SIGNATURE_INVALID' && report.decidedBy.code !== 'CHAIN_SIGNATURE_INVALID')) first = report;
    }
    return first!;
  } finally {
    ctx.inProgress.delete(target.fingerprint);
  }
}

/**
 * The structural checks of RFC 5280 6.1 over a path already built (anchor first): signatures,
 * name chaining, basic constraints and path length, key usage, name constraints, policies,
 * critical extensions; validity only when asked. Returns the first check that did not pass.
 */
export async function checkPathStructure(path: PathCertificate[], options: { at: Date; checkValidity: boolean; policy?: Partial<PolicyInputs> }): Promise<PathCheck | undefined> {
  const ctx: ValidationContext = {
    anchors: [path[0]],
    pool: [],
    crls: [],
    at: options.at,
    policy: { ...DEFAULT_POLICY_INPUTS, ...options.policy },
    revocation: 'none',
    inProgress: new Set(),
    nesting: 0,
    skipValidity: !options.checkValidity,
  };
  const { checks } = await processPath(path, ctx);
  return checks.find((c) => c.status !== 'passed');
}

function reportOf(checks: PathCheck[], path: PathValidationReport['path'], anchor: string, validatedAt: string, policies?: string[]): PathValidationReport {
  const failed = checks.find((c) => c.status === 'failed');
  const unknown = checks.find((c) => c.status === 'unknown');
  const decidedBy = failed ?? unknown ?? checks[checks.length - 1];
  return { result: failed ? 'invalid' : unknown ? 'indeterminate' : 'valid', decidedBy, checks, path, trustAnchor: anchor, ...(policies ? { validPolicies: policies } : {}), validatedAt };
}

interface Subtrees {
  permitted: GeneralName[][];
  excluded: GeneralName[];
}

function nameConstraintProblem(certificate: PathCertificate, subtrees: Subtrees): string | undefined {
  const names: GeneralName[] = [...certificate.subjectAltNames];
  if (certificate.subject.length > 0) names.push({ kind: 'directory', name: certificate.subject, der: certificate.subjectDer });
  // RFC 5280 6.1.3 (b): an emailAddress in the subject is held to rfc822Name constraints.
  if (certificate.subjectAltNames.every((n) => n.kind !== 'rfc822')) {
    for (const rdn of certificate.subject) for (const a of rdn) if (a.type === id_emailAddress) names.push({ kind: 'rfc822', value: a.text });
  }
  for (const name of names) {
    if (!CONSTRAINED_KINDS.has(name.kind)) continue;
    const excludedBy = subtrees.excluded.find((base) => withinSubtree(name, base));
    if (excludedBy) return `${describeGeneralName(name)} is in the excluded subtree ${describeGeneralName(excludedBy)}`;
    for (const permitted of subtrees.permitted) {
      const sameKind = permitted.filter((base) => base.kind === name.kind);
      if (sameKind.length > 0 && !sameKind.some((base) => withinSubtree(name, base))) return `${describeGeneralName(name)} is outside the permitted subtrees (${sameKind.map(describeGeneralName).join('; ')})`;
    }
  }
  return undefined;
}

function addConstraints(certificate: PathCertificate, subtrees: Subtrees): void {
  const nc = certificate.nameConstraints;
  if (!nc) return;
  if (nc.permitted) subtrees.permitted.push(nc.permitted);
  if (nc.excluded) subtrees.excluded.push(...nc.excluded);
}

/**
 * RFC 5280 6.1 basic path processing over `path` (anchor first, target last), then 6.3
 * revocation for every certificate below the anchor.
 */
async function processPath(path: PathCertificate[], ctx: ValidationContext): Promise<{ checks: PathCheck[]; policies?: string[] }> {
  const checks: PathCheck[] = [];
  const [anchor, ...certs] = path;
  const n = certs.length;
  const fail = (check: PathCheckName, code: string, reason: string, c: PathCertificate) => {
    checks.push({ check, status: 'failed', code, reason, certificate: c.subjectText });
    return { checks };
  };
  const when = ctx.at.toISOString();

  // The anchor's own constraints are applied, as OpenSSL does (and RFC 5937 allows): its validity,
  // critical extensions, path length and name constraints.
  if (!ctx.skipValidity && (anchor.notBefore > ctx.at || anchor.notAfter < ctx.at)) {
    return fail('validity', 'TRUST_ANCHOR_NOT_VALID', `at ${when} the trust anchor "${anchor.subjectText}" was outside its validity (${anchor.notBefore.toISOString()} to ${anchor.notAfter.toISOString()})`, anchor);
  }
  const anchorUnknown = anchor.extensions.find((e) => e.critical && !RECOGNIZED_EXTENSIONS.has(e.oid));
  if (anchorUnknown) return fail('critical-extensions', 'UNSUPPORTED_CRITICAL_EXTENSION', `the trust anchor "${anchor.subjectText}" has a critical extension ${anchorUnknown.oid} this validator does not process`, anchor);

  let workingKey: KeyObject | undefined = anchor.publicKey();
  let workingParameters = anchor.spkiAlgorithm.parameters;
  let workingIssuer = anchor.subject;
  let maxPathLength = anchor.basicConstraints?.pathLength !== undefined ? Math.min(n, anchor.basicConstraints.pathLength + 1) : n;
  const subtrees: Subtrees = { permitted: [], excluded: [] };
  addConstraints(anchor, subtrees);
  const policy = new PolicyProcessor(ctx.policy, n);
  let validPolicies: string[] = [];

  for (let i = 1; i <= n; i++) {
    const c = certs[i - 1];
    const last = i === n;
    const subject = c.subjectText;
    // 6.1.3 (a)(1): the signature, with the working key (DSA parameters inherited where absent).
    const key = workingKey;
    if (!key) return fail('signature', 'SIGNATURE_ALGORITHM_UNSUPPORTED', `the key of the issuer of "${subject}" cannot be used here (an algorithm without open implementation, such as GOST 34.310)`, c);
    const signature = verifySigned(c.tbs, c.signatureAlgorithm, c.signature, key);
    if (signature === 'unsupported') {
      checks.push({ check: 'signature', status: 'unknown', code: 'SIGNATURE_ALGORITHM_UNSUPPORTED', reason: `the signature algorithm ${c.signatureAlgorithm.oid} of "${subject}" is not supported (GOST algorithms have no open implementation)`, certificate: subject });
      return { checks };
    }
    if (signature === 'invalid') return fail('signature', 'CHAIN_SIGNATURE_INVALID', `the signature on "${subject}" does not verify with the key of its issuer "${nameText(workingIssuer)}"`, c);
    // (a)(2) validity.
    if (!ctx.skipValidity && (ctx.at < c.notBefore || ctx.at > c.notAfter)) {
      const early = ctx.at < c.notBefore;
      const code = last ? (early ? 'CERTIFICATE_NOT_YET_VALID' : 'CERTIFICATE_EXPIRED') : 'ISSUER_CERTIFICATE_NOT_VALID';
      return fail('validity', code, `at ${when} "${subject}" was ${early ? 'not yet valid' : 'expired'} (valid ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()})`, c);
    }
    // (a)(4) name chaining, by RFC 5280 7.1 name matching.
    if (!namesMatch(c.issuer, workingIssuer)) return fail('name-chaining', 'NAME_CHAINING_FAILED', `the issuer name of "${subject}" ("${c.issuerText}") does not match its issuer's subject "${nameText(workingIssuer)}"`, c);
    // (b), (c) name constraints; a self-issued CA certificate in the middle is exempt.
    if (last || !c.selfIssued) {
      const problem = nameConstraintProblem(c, subtrees);
      if (problem) return fail('name-constraints', 'NAME_CONSTRAINTS_VIOLATED', `"${subject}": ${problem}`, c);
    }
    // (d) to (f) certificate policies.
    const policyProblem = policy.processCertificate(c, i);
    if (policyProblem) return fail('policy', 'POLICY_CONSTRAINTS_NOT_MET', `at "${subject}": ${policyProblem}`, c);

    if (!last) {
      // 6.1.4: preparation for certificate i+1.
      const mappingProblem = policy.prepareNext(c, i);
      if (mappingProblem) return fail('policy', 'POLICY_MAPPING_INVALID', `"${subject}": ${mappingProblem}`, c);
      workingIssuer = c.subject;
      if (c.keyParametersAbsent && workingParameters) workingKey = c.publicKey(workingParameters);
      else {
        workingKey = c.publicKey();
        workingParameters = c.spkiAlgorithm.parameters;
      }
      addConstraints(c, subtrees);
      if (c.version < 3 || !c.basicConstraints?.ca) return fail('basic-constraints', 'ISSUER_NOT_A_CA', `"${subject}" issued a certificate but is not a CA (basicConstraints cA is not set)`, c);
      // (l): self-issued certificates (a CA's own key rollover) do not count against the path length.
      if (!c.selfIssued) {
        if (maxPathLength <= 0) return fail('basic-constraints', 'PATH_LENGTH_EXCEEDED', `"${subject}" is one CA certificate more than the pathLenConstraint above it allows`, c);
        maxPathLength--;
      }
      const pathLength = c.basicConstraints.pathLength;
      if (pathLength !== undefined && pathLength < maxPathLength) maxPathLength = pathLength;
      const usage = c.keyUsage;
      if (usage && !usage.has(KEY_USAGE.keyCertSign)) return fail('key-usage', 'KEY_USAGE_NO_CERT_SIGN', `"${subject}" issued a certificate, but its key usage does not include keyCertSign`, c);
    } else {
      const wrap = policy.wrapUp(c);
      if (wrap.problem) return fail('policy', 'POLICY_CONSTRAINTS_NOT_MET', wrap.problem, c);
      checks.push({ check: 'policy', status: 'passed', code: 'POLICY_OK', reason: wrap.policies.length ? `valid for the policies ${wrap.policies.join(', ')}` : 'no policy required', certificate: subject });
      validPolicies = wrap.policies;
    }
    // (o) and 6.1.5 (f): a critical extension not processed here fails the path.
    const unknown = c.extensions.find((e) => e.critical && !RECOGNIZED_EXTENSIONS.has(e.oid));
    if (unknown) return fail('critical-extensions', 'UNSUPPORTED_CRITICAL_EXTENSION', `"${subject}" has a critical extension ${unknown.oid} this validator does not process`, c);
  }
  checks.unshift({ check: 'signature', status: 'passed', code: 'PATH_STRUCTURE_VALID', reason: `${n} certificate(s) chain to the trust anchor "${anchor.subjectText}": signatures, validity at ${when}, names, constraints and extensions check out` });

  // 6.3 revocation, target first: its answer matters most to the relying party.
  if (ctx.revocation !== 'none') {
    for (let i = n; i >= 1; i--) {
      if (ctx.revocation === 'target' && i !== n) continue;
      const answer = await checkRevocation(path, i, ctx);
      const certificate = certs[i - 1].subjectText;
      const isTarget = i === n;
      if (answer.status === 'revoked') {
        checks.push({ check: 'revocation', status: 'failed', code: isTarget ? (answer.reason === 'certificateHold' ? 'CERTIFICATE_ON_HOLD' : 'REVOKED') : 'ISSUER_REVOKED', reason: `"${certificate}" ${answer.detail}`, certificate });
        break;
      }
      if (answer.status === 'unknown') {
        checks.push({ check: 'revocation', status: 'unknown', code: isTarget ? 'REVOCATION_UNKNOWN' : 'ISSUER_REVOCATION_UNKNOWN', reason: `the revocation status of "${certificate}" at ${when} is unknown: ${answer.detail}`, certificate });
        break;
      }
      checks.push({ check: 'revocation', status: 'passed', code: 'NOT_REVOKED', reason: `"${certificate}" ${answer.detail}`, certificate });
    }
  }
  if (!checks.some((c) => c.status !== 'passed')) {
    const revocation = ctx.revocation === 'none' ? 'revocation not checked' : ctx.revocation === 'target' ? 'not revoked' : `none of the ${n} certificate(s) below the anchor revoked`;
    checks.push({ check: 'path-building', status: 'passed', code: 'PATH_VALID', reason: `"${certs[n - 1].subjectText}" chains to the trust anchor "${anchor.subjectText}" and is valid at ${when} (${revocation})`, certificate: certs[n - 1].subjectText });
  }
  return { checks, policies: validPolicies };
}
