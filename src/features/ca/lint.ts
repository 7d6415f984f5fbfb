import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../../errors/app-error.js';
import { checkIin } from '../../identifiers/iin.js';
import { checkBin } from '../../identifiers/bin.js';
import * as oid from '../../pkix/oids.js';
import { keyUsageNames } from './issuance/extensions.js';
import { attributeOf, nameAttributes } from '../../pkix/names.js';
import type { KeyAlgorithm } from '../../pkix/key-signer.js';
import { PROOFING_METHODS, type Profile } from './profiles.js';
import { bufferSource } from '../../der/bytes.js';

/**
 * Lint before signing (after Boulder's linter): every to-be-signed certificate is
 * checked here, and a problem stops the CA key from ever seeing it. CRLs have their
 * own lint beside their builder (revocation/crl-lint.ts).
 */
export interface LintProblem {
  /** Stable code, also the problem document's code when it is the first. */
  code: string;
  message: string;
}

/** The algorithm of a SubjectPublicKeyInfo, or why it is not allowed. */
export function keyAlgorithmOf(spki: pkijs.PublicKeyInfo): { algorithm: KeyAlgorithm } | { problem: LintProblem } {
  const algorithmId = spki.algorithm.algorithmId;
  if (algorithmId === oid.id_ecPublicKey) {
    const curve = spki.algorithm.algorithmParams instanceof asn1js.ObjectIdentifier ? spki.algorithm.algorithmParams.valueBlock.toString() : '';
    if (curve !== oid.secp256r1) return { problem: { code: 'KEY_CURVE_NOT_ALLOWED', message: `EC keys must be on P-256 (secp256r1), not ${curve || 'unnamed parameters'}` } };
    const point = spki.subjectPublicKey.valueBlock.valueHexView;
    if (point.length !== 65 || point[0] !== 0x04) return { problem: { code: 'KEY_MALFORMED', message: 'The EC public key must be an uncompressed P-256 point' } };
    return { algorithm: 'ECDSA-P256' };
  }
  if (algorithmId === oid.rsaEncryption) {
    let bits: number;
    let exponent: number;
    try {
      const rsa = pkijs.RSAPublicKey.fromBER(bufferSource(spki.subjectPublicKey.valueBlock.valueHexView));
      const modulus = rsa.modulus.valueBlock.valueHexView;
      let i = 0;
      while (i < modulus.length && modulus[i] === 0) i++;
      bits = (modulus.length - i) * 8 - Math.clz32(modulus[i] ?? 0) + 24;
      exponent = Number(rsa.publicExponent.valueBlock.valueDec);
    } catch {
      return { problem: { code: 'KEY_MALFORMED', message: 'The RSA public key cannot be decoded' } };
    }
    if (bits < 2048 || bits > 4096) return { problem: { code: 'KEY_SIZE_NOT_ALLOWED', message: `RSA keys must have 2048 to 4096 bits, not ${bits}` } };
    if (exponent !== 65537) return { problem: { code: 'KEY_EXPONENT_NOT_ALLOWED', message: 'RSA keys must use the public exponent 65537' } };
    return { algorithm: 'RSA-2048' };
  }
  return { problem: { code: 'KEY_ALGORITHM_NOT_ALLOWED', message: `Subject keys must be ECDSA P-256 or RSA, not ${algorithmId}` } };
}

function extensionValue(certificate: pkijs.Certificate, extnID: string): { critical: boolean; value: ArrayBuffer } | undefined {
  const ext = certificate.extensions?.find((e) => e.extnID === extnID);
  return ext ? { critical: ext.critical, value: ext.extnValue.getValue() } : undefined;
}

function lintSubject(profile: Profile, certificate: pkijs.Certificate, problems: LintProblem[]): void {
  const subject = nameAttributes(certificate.subject);
  const cn = attributeOf(subject, oid.id_at_commonName);
  if (!cn) problems.push({ code: 'SUBJECT_CN_MISSING', message: 'The subject has no common name (CN)' });
  // RFC 5280 appendix A: ub-common-name INTEGER ::= 64 (characters).
  else if ([...cn].length > 64) problems.push({ code: 'SUBJECT_CN_TOO_LONG', message: `The CN has ${[...cn].length} characters; at most 64 are allowed` });
  if (profile.holder !== 'individual' && profile.holder !== 'employee') return;

  const surname = attributeOf(subject, oid.id_at_surname);
  if (!surname) problems.push({ code: 'SUBJECT_SURNAME_MISSING', message: 'The subject has no SURNAME' });
  else if (cn && !cn.startsWith(`${surname} `)) problems.push({ code: 'SUBJECT_CN_MISMATCH', message: 'The CN must be "SURNAME NAME", starting with the SURNAME' });
  if (attributeOf(subject, oid.id_at_countryName) !== 'KZ') problems.push({ code: 'SUBJECT_COUNTRY', message: 'The subject country (C) must be KZ' });

  const serialNumber = attributeOf(subject, oid.id_at_serialNumber);
  const iin = /^IIN(\d{12})$/.exec(serialNumber ?? '')?.[1];
  if (!iin) {
    problems.push({ code: 'SUBJECT_IIN_MISSING', message: 'The subject serialNumber must be "IIN" followed by 12 digits' });
  } else {
    const check = checkIin(iin);
    if (!check.ok) problems.push({ code: `SUBJECT_${check.problem}`, message: `The IIN in the subject is not valid: ${check.message}` });
  }
  if (profile.holder === 'employee') {
    if (!attributeOf(subject, oid.id_at_organizationName)) problems.push({ code: 'SUBJECT_ORGANIZATION_MISSING', message: 'An employee certificate names the organization (O)' });
    const bin = /^BIN(\d{12})$/.exec(attributeOf(subject, oid.id_at_organizationalUnitName) ?? '')?.[1];
    if (!bin) {
      problems.push({ code: 'SUBJECT_BIN_MISSING', message: 'An employee certificate has OU = "BIN" followed by 12 digits' });
    } else {
      const check = checkBin(bin);
      if (!check.ok) problems.push({ code: `SUBJECT_${check.problem}`, message: `The BIN in the subject is not valid: ${check.message}` });
    }
  }
}

function lintExtensions(profile: Profile, certificate: pkijs.Certificate, selfSigned: boolean, key: KeyAlgorithm | undefined, problems: LintProblem[]): void {
  const ids = (certificate.extensions ?? []).map((e) => e.extnID);
  if (new Set(ids).size !== ids.length) problems.push({ code: 'EXTENSION_DUPLICATE', message: 'An extension appears more than once (RFC 5280 4.2)' });

  const bc = extensionValue(certificate, oid.id_ce_basicConstraints);
  const isCa = bc ? pkijs.BasicConstraints.fromBER(bc.value).cA === true : false;
  if (!!profile.ca !== isCa) problems.push({ code: 'EXTENSION_BASIC_CONSTRAINTS', message: `basicConstraints cA must be ${!!profile.ca} for ${profile.name}` });

  const ku = extensionValue(certificate, oid.id_ce_keyUsage);
  if (!ku) {
    problems.push({ code: 'EXTENSION_KEY_USAGE_MISSING', message: 'keyUsage is required' });
  } else {
    const bits = (asn1js.fromBER(ku.value).result as asn1js.BitString).valueBlock.valueHexView;
    const names = keyUsageNames(bits).sort();
    const expected = [...(key === 'ECDSA-P256' ? profile.keyUsage.ec : profile.keyUsage.rsa)].sort();
    if (!ku.critical) problems.push({ code: 'EXTENSION_KEY_USAGE_NOT_CRITICAL', message: 'keyUsage must be critical' });
    if (names.join() !== expected.join()) problems.push({ code: 'EXTENSION_KEY_USAGE', message: `keyUsage must be ${expected.join(', ')} for ${profile.name}, not ${names.join(', ')}` });
    if (key === 'ECDSA-P256' && names.includes('keyEncipherment')) problems.push({ code: 'EXTENSION_KEY_USAGE', message: 'keyEncipherment is not allowed with an EC key (RFC 5480 3)' });
  }

  if (profile.extKeyUsage.length) {
    const eku = extensionValue(certificate, oid.id_ce_extKeyUsage);
    if (!eku) {
      problems.push({ code: 'EXTENSION_EKU_MISSING', message: `extendedKeyUsage is required for ${profile.name}` });
    } else {
      const purposes = pkijs.ExtKeyUsage.fromBER(eku.value).keyPurposes;
      const missing = profile.extKeyUsage.filter((p) => !purposes.includes(p));
      if (missing.length) problems.push({ code: 'EXTENSION_EKU', message: `extendedKeyUsage lacks ${missing.join(', ')}` });
      if (profile.holder === 'individual' || profile.holder === 'employee') {
        const proofing = Object.values(PROOFING_METHODS) as string[];
        if (purposes.filter((p) => proofing.includes(p)).length !== 1) {
          problems.push({ code: 'EXTENSION_PROOFING_METHOD', message: 'extendedKeyUsage must carry exactly one identity-proofing method OID' });
        }
      }
      if (profile.extKeyUsageCritical && (!eku.critical || purposes.length !== 1)) {
        problems.push({ code: 'EXTENSION_EKU_CRITICAL', message: `extendedKeyUsage must be critical with ${profile.extKeyUsage.join()} only (RFC 3161 2.3)` });
      }
    }
  }

  if (!extensionValue(certificate, oid.id_ce_subjectKeyIdentifier)) problems.push({ code: 'EXTENSION_SKI_MISSING', message: 'subjectKeyIdentifier is required' });
  if (!selfSigned && !extensionValue(certificate, oid.id_ce_authorityKeyIdentifier)) {
    problems.push({ code: 'EXTENSION_AKI_MISSING', message: 'authorityKeyIdentifier is required' });
  }
  if (profile.policies.length) {
    const cp = extensionValue(certificate, oid.id_ce_certificatePolicies);
    const policies = cp ? pkijs.CertificatePolicies.fromBER(cp.value).certificatePolicies.map((p) => p.policyIdentifier) : [];
    const missing = profile.policies.filter((p) => !policies.includes(p));
    if (missing.length) problems.push({ code: 'EXTENSION_POLICIES', message: `certificatePolicies lacks ${missing.join(', ')}` });
  }
  if (profile.revocationInfo !== 'none' && !extensionValue(certificate, oid.id_ce_cRLDistributionPoints)) {
    problems.push({ code: 'EXTENSION_CRL_DP_MISSING', message: 'cRLDistributionPoints is required' });
  }
  if (profile.revocationInfo === 'crl-and-ocsp') {
    const aia = extensionValue(certificate, oid.id_pe_authorityInfoAccess);
    const methods = aia ? pkijs.InfoAccess.fromBER(aia.value).accessDescriptions.map((d) => d.accessMethod) : [];
    if (!methods.includes(oid.id_ad_ocsp)) problems.push({ code: 'EXTENSION_AIA_OCSP_MISSING', message: 'authorityInfoAccess must name the OCSP responder' });
  }
  if (profile.ocspNoCheck && !extensionValue(certificate, oid.id_pkix_ocsp_nocheck)) {
    problems.push({ code: 'EXTENSION_OCSP_NOCHECK_MISSING', message: 'An OCSP signer certificate carries id-pkix-ocsp-nocheck' });
  }
}

export interface CertificateLintContext {
  profile: Profile;
  /** The issuer's certificate; null when the certificate is self-signed (a root). */
  issuer: pkijs.Certificate | null;
}

/** Every problem of a to-be-signed certificate; empty when it may be signed. */
export function lintCertificate(certificate: pkijs.Certificate, { profile, issuer }: CertificateLintContext): LintProblem[] {
  const problems: LintProblem[] = [];
  const serial = certificate.serialNumber.valueBlock.valueHexView;
  if (serial.length === 0 || serial.length > 20 || serial[0] & 0x80 || serial.every((b) => b === 0)) {
    problems.push({ code: 'SERIAL_NUMBER', message: 'The serial number must be positive and at most 20 octets (RFC 5280 4.1.2.2)' });
  }
  const notBefore = certificate.notBefore.value.getTime();
  const notAfter = certificate.notAfter.value.getTime();
  if (!(notBefore < notAfter)) problems.push({ code: 'VALIDITY_EMPTY', message: 'notBefore must be before notAfter' });
  if (issuer) {
    if (notBefore < issuer.notBefore.value.getTime() || notAfter > issuer.notAfter.value.getTime()) {
      problems.push({
        code: 'VALIDITY_OUTSIDE_ISSUER',
        message: `The validity must lie inside the issuer's (${issuer.notBefore.value.toISOString()} to ${issuer.notAfter.value.toISOString()})`,
      });
    }
  }
  const key = keyAlgorithmOf(certificate.subjectPublicKeyInfo);
  if ('problem' in key) problems.push(key.problem);
  else if (!profile.allowedKeys.includes(key.algorithm)) {
    problems.push({ code: 'KEY_ALGORITHM_NOT_ALLOWED', message: `The profile ${profile.name} allows ${profile.allowedKeys.join(' or ')} keys, not ${key.algorithm}` });
  }
  lintSubject(profile, certificate, problems);
  lintExtensions(profile, certificate, issuer === null, 'algorithm' in key ? key.algorithm : undefined, problems);
  return problems;
}

/** Throws a 422 with the first problem's code and every reason, or returns when clean. */
export function assertLintClean(problems: LintProblem[], what = 'certificate'): void {
  if (problems.length === 0) return;
  throw AppError.unprocessable(problems[0].code, `The ${what} was refused before signing: ${problems.map((p) => p.message).join('; ')}`, { problems });
}
