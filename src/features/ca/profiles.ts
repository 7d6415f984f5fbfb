import type * as pkijs from 'pkijs';
import type { KeyAlgorithm } from '../../pkix/key-signer.js';
import * as oid from '../../pkix/oids.js';
import {
  authorityInfoAccess,
  authorityKeyIdentifier,
  basicConstraints,
  certificatePolicies,
  crlDistributionPoints,
  extKeyUsage,
  keyUsage,
  ocspNoCheck,
  subjectKeyIdentifier,
  type KeyUsageName,
} from './issuance/extensions.js';
import type { NameAttribute } from '../../pkix/names.js';

export const PROFILE_NAMES = ['individual-auth', 'individual-sign', 'employee-auth', 'employee-sign', 'ocsp-signer', 'tsa'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
/** The CA certificates of the ceremony use profiles of their own, never offered to applicants. */
export type CaProfileName = 'root-ca' | 'issuing-ca';
/** The platform's own document-signing certificate (certificates of completion); never offered to applicants. */
export type PlatformProfileName = 'platform-sign';

export type Holder = 'individual' | 'employee' | 'service' | 'ca';

/** Sub-roles of a legal entity employee (DESIGN.md), carried in the EKU next to 1.2.398.3.3.4.1.2. */
export const EMPLOYEE_ROLES = {
  'first-head': oid.kz_role_firstHead,
  'may-sign': oid.kz_role_maySign,
  'may-sign-financial': oid.kz_role_maySignFinancial,
  hr: oid.kz_role_hr,
  employee: oid.kz_role_employee,
} as const;
export type EmployeeRole = keyof typeof EMPLOYEE_ROLES;

export const PROOFING_METHODS = { 'in-person': oid.kz_proofing_inPerson, remote: oid.kz_proofing_remote } as const;
export type ProofingMethod = keyof typeof PROOFING_METHODS;

export interface Profile {
  name: ProfileName | CaProfileName | PlatformProfileName;
  holder: Holder;
  /**
   * Key usage for RSA and for EC subject keys. RFC 5480 section 3 does not allow
   * keyEncipherment with an EC key, so the AUTH certificate's encipherment becomes
   * keyAgreement (ECDH), the EC way to agree a key with the holder.
   */
  keyUsage: { rsa: KeyUsageName[]; ec: KeyUsageName[] };
  extKeyUsage: string[];
  /** RFC 3161 section 2.3: the TSA's EKU is critical and holds timeStamping only. */
  extKeyUsageCritical: boolean;
  policies: string[];
  validityDays: number;
  /** Subject keys the profile accepts; the first is the default for generated keys. */
  allowedKeys: KeyAlgorithm[];
  /**
   * Where relying parties learn the certificate's status: the issuer's CRL and our OCSP
   * responder; the CRL alone for the issuing CA (the responder answers for the issuing
   * CA's certificates, not the root's); none for the root and the OCSP signer.
   */
  revocationInfo: 'crl-and-ocsp' | 'crl' | 'none';
  ocspNoCheck: boolean;
  ca?: { pathLenConstraint?: number };
}

const PERSON_KEYS: KeyAlgorithm[] = ['ECDSA-P256', 'RSA-2048'];

export const PROFILES: Record<ProfileName | CaProfileName | PlatformProfileName, Profile> = {
  'individual-auth': {
    name: 'individual-auth',
    holder: 'individual',
    keyUsage: { rsa: ['digitalSignature', 'keyEncipherment'], ec: ['digitalSignature', 'keyAgreement'] },
    extKeyUsage: [oid.id_kp_clientAuth, oid.kz_role_individual],
    extKeyUsageCritical: false,
    policies: [oid.kz_policy_individualAuth],
    validityDays: 365,
    allowedKeys: PERSON_KEYS,
    revocationInfo: 'crl-and-ocsp',
    ocspNoCheck: false,
  },
  'individual-sign': {
    name: 'individual-sign',
    holder: 'individual',
    keyUsage: { rsa: ['digitalSignature', 'nonRepudiation'], ec: ['digitalSignature', 'nonRepudiation'] },
    extKeyUsage: [oid.id_kp_emailProtection, oid.kz_role_individual],
    extKeyUsageCritical: false,
    policies: [oid.kz_policy_individualSign],
    validityDays: 365,
    allowedKeys: PERSON_KEYS,
    revocationInfo: 'crl-and-ocsp',
    ocspNoCheck: false,
  },
  'employee-auth': {
    name: 'employee-auth',
    holder: 'employee',
    keyUsage: { rsa: ['digitalSignature', 'keyEncipherment'], ec: ['digitalSignature', 'keyAgreement'] },
    extKeyUsage: [oid.id_kp_clientAuth, oid.kz_role_legalEntity],
    extKeyUsageCritical: false,
    policies: [oid.kz_policy_legalEntityAuth],
    validityDays: 365,
    allowedKeys: PERSON_KEYS,
    revocationInfo: 'crl-and-ocsp',
    ocspNoCheck: false,
  },
  'employee-sign': {
    name: 'employee-sign',
    holder: 'employee',
    keyUsage: { rsa: ['digitalSignature', 'nonRepudiation'], ec: ['digitalSignature', 'nonRepudiation'] },
    extKeyUsage: [oid.id_kp_emailProtection, oid.kz_role_legalEntity],
    extKeyUsageCritical: false,
    policies: [oid.kz_policy_legalEntitySign],
    validityDays: 365,
    allowedKeys: PERSON_KEYS,
    revocationInfo: 'crl-and-ocsp',
    ocspNoCheck: false,
  },
  'ocsp-signer': {
    name: 'ocsp-signer',
    holder: 'service',
    keyUsage: { rsa: ['digitalSignature'], ec: ['digitalSignature'] },
    extKeyUsage: [oid.id_kp_OCSPSigning],
    extKeyUsageCritical: false,
    policies: [],
    validityDays: 365,
    allowedKeys: PERSON_KEYS,
    // RFC 6960 4.2.2.2.1: with id-pkix-ocsp-nocheck nobody asks for the signer's own status.
    revocationInfo: 'none',
    ocspNoCheck: true,
  },
  tsa: {
    name: 'tsa',
    holder: 'service',
    keyUsage: { rsa: ['digitalSignature', 'nonRepudiation'], ec: ['digitalSignature', 'nonRepudiation'] },
    extKeyUsage: [oid.id_kp_timeStamping],
    extKeyUsageCritical: true,
    policies: [],
    validityDays: 5 * 365,
    allowedKeys: PERSON_KEYS,
    revocationInfo: 'crl-and-ocsp',
    ocspNoCheck: false,
  },
  'platform-sign': {
    name: 'platform-sign',
    holder: 'service',
    keyUsage: { rsa: ['digitalSignature', 'nonRepudiation'], ec: ['digitalSignature', 'nonRepudiation'] },
    extKeyUsage: [oid.id_kp_emailProtection],
    extKeyUsageCritical: false,
    policies: [],
    validityDays: 365,
    allowedKeys: PERSON_KEYS,
    revocationInfo: 'crl-and-ocsp',
    ocspNoCheck: false,
  },
  'root-ca': {
    name: 'root-ca',
    holder: 'ca',
    keyUsage: { rsa: ['keyCertSign', 'cRLSign'], ec: ['keyCertSign', 'cRLSign'] },
    extKeyUsage: [],
    extKeyUsageCritical: false,
    policies: [],
    validityDays: 20 * 365,
    allowedKeys: PERSON_KEYS,
    revocationInfo: 'none',
    ocspNoCheck: false,
    ca: {},
  },
  'issuing-ca': {
    name: 'issuing-ca',
    holder: 'ca',
    keyUsage: { rsa: ['digitalSignature', 'keyCertSign', 'cRLSign'], ec: ['digitalSignature', 'keyCertSign', 'cRLSign'] },
    extKeyUsage: [],
    extKeyUsageCritical: false,
    policies: [oid.anyPolicy],
    validityDays: 10 * 365,
    allowedKeys: PERSON_KEYS,
    revocationInfo: 'crl',
    ocspNoCheck: false,
    ca: { pathLenConstraint: 0 },
  },
};

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

export { personSubject, type PersonSubject } from '../../pkix/names.js';

/** A CA-side subject: CN, O = Qorgau, C = KZ. */
export function serviceSubject(commonName: string): NameAttribute[] {
  return [
    { type: oid.id_at_commonName, value: commonName },
    { type: oid.id_at_organizationName, value: 'Qorgau' },
    { type: oid.id_at_countryName, value: 'KZ' },
  ];
}

export interface ExtensionContext {
  publicUrl: string;
  /** Name of the issuing CA entity, which names its CRL and certificate URLs. */
  issuerName: string;
  issuerKeyId: Uint8Array | null;
  subjectKeyId: Uint8Array;
  subjectKey: KeyAlgorithm;
  employeeRoles?: EmployeeRole[];
  proofing?: ProofingMethod;
}

/** Certificate URLs, in one place so certificates and routes agree. */
export const pkiUrls = {
  crl: (publicUrl: string, issuerName: string) => `${publicUrl}/pki/crl/${issuerName}.crl`,
  ocsp: (publicUrl: string) => `${publicUrl}/pki/ocsp`,
  caCertificate: (publicUrl: string, name: string) => `${publicUrl}/pki/ca/${name}.cer`,
};

/** The extensions a profile puts in a certificate, in a stable order. */
export function profileExtensions(profile: Profile, ctx: ExtensionContext): pkijs.Extension[] {
  const extensions: pkijs.Extension[] = [basicConstraints(!!profile.ca, profile.ca?.pathLenConstraint)];
  extensions.push(keyUsage(ctx.subjectKey === 'ECDSA-P256' ? profile.keyUsage.ec : profile.keyUsage.rsa));
  const purposes = [...profile.extKeyUsage];
  if (profile.holder === 'employee') purposes.push(...(ctx.employeeRoles?.length ? ctx.employeeRoles : (['employee'] as const)).map((r) => EMPLOYEE_ROLES[r]));
  if (profile.holder === 'individual' || profile.holder === 'employee') purposes.push(PROOFING_METHODS[ctx.proofing ?? 'remote']);
  if (purposes.length) extensions.push(extKeyUsage([...new Set(purposes)], profile.extKeyUsageCritical));
  extensions.push(subjectKeyIdentifier(ctx.subjectKeyId));
  if (ctx.issuerKeyId) extensions.push(authorityKeyIdentifier(ctx.issuerKeyId));
  if (profile.policies.length) extensions.push(certificatePolicies(profile.policies));
  if (profile.revocationInfo !== 'none') extensions.push(crlDistributionPoints([pkiUrls.crl(ctx.publicUrl, ctx.issuerName)]));
  // A root is its own issuer: there is no issuer certificate to point at.
  if (profile.name !== 'root-ca') {
    extensions.push(
      authorityInfoAccess({
        ...(profile.revocationInfo === 'crl-and-ocsp' ? { ocsp: pkiUrls.ocsp(ctx.publicUrl) } : {}),
        caIssuers: pkiUrls.caCertificate(ctx.publicUrl, ctx.issuerName),
      }),
    );
  }
  if (profile.ocspNoCheck) extensions.push(ocspNoCheck());
  return extensions;
}
