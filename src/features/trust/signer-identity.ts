import { checkIin } from '../../identifiers/iin.js';
import { checkBin } from '../../identifiers/bin.js';
import {
  id_at_commonName,
  id_at_countryName,
  id_at_givenName,
  id_at_organizationalUnitName,
  id_at_organizationName,
  id_at_serialNumber,
  id_at_surname,
  id_emailAddress,
  id_kp_clientAuth,
  id_kp_emailProtection,
  kz_policy_individualAuth,
  kz_policy_individualSign,
  kz_policy_legalEntityAuth,
  kz_policy_legalEntitySign,
  kz_proofing_inPerson,
  kz_proofing_remote,
  kz_role_employee,
  kz_role_firstHead,
  kz_role_hr,
  kz_role_individual,
  kz_role_legalEntity,
  kz_role_maySign,
  kz_role_maySignFinancial,
} from '../../pkix/oids.js';
import type { CertificateInfo } from '../../pkix/certificate.js';

/** Role names for the national CA's role OIDs carried in the EKU (DESIGN.md). */
export const ROLE_NAMES: Record<string, string> = {
  [kz_role_individual]: 'individual',
  [kz_role_legalEntity]: 'legal-entity-employee',
  [kz_role_firstHead]: 'first-head',
  [kz_role_maySign]: 'may-sign',
  [kz_role_maySignFinancial]: 'may-sign-financial',
  [kz_role_hr]: 'hr',
  [kz_role_employee]: 'employee',
};

/** AUTH certificates sign in; SIGN certificates sign documents (non-repudiation). */
export type CertificatePurpose = 'AUTH' | 'SIGN' | 'UNKNOWN';

export interface CheckedIdentifier {
  value: string;
  /** false when the check digit (or the form) is wrong, as in the national CA's test IIN 123456789011. */
  valid: boolean;
  /** Why it is invalid: the identifier check's stable code, e.g. IIN_INVALID_CHECKSUM. */
  problem?: string;
}

export interface SignerIdentity {
  iin?: CheckedIdentifier;
  commonName?: string;
  surname?: string;
  /** The first name: what remains of CN = "SURNAME NAME" after the surname. */
  givenName?: string;
  /** The national CA puts the patronymic in GIVENNAME (2.5.4.42). */
  patronymic?: string;
  country?: string;
  email?: string;
  organization?: { name?: string; bin?: CheckedIdentifier };
  roles: string[];
  identityProofing?: 'in-person' | 'remote';
  purpose: CertificatePurpose;
}

function checked(value: string, check: (v: string) => { ok: true } | { ok: false; problem: string }): CheckedIdentifier {
  const result = check(value);
  return result.ok ? { value, valid: true } : { value, valid: false, problem: result.problem };
}

/**
 * Why both key usage and EKU: the national CA marks SIGN certificates with nonRepudiation and
 * emailProtection, AUTH ones with keyEncipherment and clientAuth; the policy OID says it too.
 * A certificate with nonRepudiation is never taken for sign-in, whatever else it carries.
 */
export function purposeOf(certificate: CertificateInfo): CertificatePurpose {
  const keyUsage = certificate.keyUsage ?? [];
  const eku = certificate.extendedKeyUsage;
  const policies = certificate.policies;
  if (keyUsage.includes('nonRepudiation') || eku.includes(id_kp_emailProtection) || policies.some((p) => p === kz_policy_individualSign || p === kz_policy_legalEntitySign)) {
    return 'SIGN';
  }
  if (eku.includes(id_kp_clientAuth) || keyUsage.includes('keyEncipherment') || policies.some((p) => p === kz_policy_individualAuth || p === kz_policy_legalEntityAuth)) {
    return 'AUTH';
  }
  return 'UNKNOWN';
}

/** The person (and organization) a certificate names, read as the national CA writes subjects. */
export function signerIdentityOf(certificate: CertificateInfo): SignerIdentity {
  const name = certificate.x509.subjectName;
  const first = (oid: string) => name.getField(oid)[0];
  const serialNumber = first(id_at_serialNumber);
  const commonName = first(id_at_commonName);
  const surname = first(id_at_surname);
  const organizationName = first(id_at_organizationName);
  const binUnit = name.getField(id_at_organizationalUnitName).find((ou) => /^BIN/i.test(ou));
  let givenName: string | undefined;
  if (commonName && surname && commonName.startsWith(surname + ' ')) givenName = commonName.slice(surname.length + 1).trim() || undefined;
  const eku = certificate.extendedKeyUsage;
  const proofing = eku.includes(kz_proofing_inPerson) ? 'in-person' : eku.includes(kz_proofing_remote) ? 'remote' : undefined;
  const iinValue = serialNumber && /^IIN/i.test(serialNumber) ? serialNumber.slice(3) : undefined;
  const binValue = binUnit?.slice(3);
  return {
    ...(iinValue !== undefined ? { iin: checked(iinValue, checkIin) } : {}),
    ...(commonName ? { commonName } : {}),
    ...(surname ? { surname } : {}),
    ...(givenName ? { givenName } : {}),
    ...(first(id_at_givenName) ? { patronymic: first(id_at_givenName) } : {}),
    ...(first(id_at_countryName) ? { country: first(id_at_countryName) } : {}),
    ...(first(id_emailAddress) ? { email: first(id_emailAddress) } : {}),
    ...(organizationName || binValue
      ? { organization: { ...(organizationName ? { name: organizationName } : {}), ...(binValue !== undefined ? { bin: checked(binValue, checkBin) } : {}) } }
      : {}),
    roles: eku.filter((oid) => ROLE_NAMES[oid]).map((oid) => ROLE_NAMES[oid]),
    ...(proofing ? { identityProofing: proofing } : {}),
    purpose: purposeOf(certificate),
  };
}
