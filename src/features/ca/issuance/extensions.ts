import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  id_ad_caIssuers,
  id_ad_ocsp,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_certificatePolicies,
  id_ce_cRLDistributionPoints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
  id_pe_authorityInfoAccess,
  id_pkix_ocsp_nocheck,
} from '../../../pkix/oids.js';
import { bufferSource } from '../../../der/bytes.js';

function extension(extnID: string, critical: boolean, value: asn1js.AsnType): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

/**
 *   KeyUsage ::= BIT STRING {
 *        digitalSignature        (0),
 *        nonRepudiation          (1),
 *        keyEncipherment         (2),
 *        dataEncipherment        (3),
 *        keyAgreement            (4),
 *        keyCertSign             (5),
 *        cRLSign                 (6),
 *        encipherOnly            (7),
 *        decipherOnly            (8) }
 */
export const KEY_USAGE_BITS = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsageName = keyof typeof KEY_USAGE_BITS;

/** DER of a named BIT STRING: trailing zero bits are dropped (X.690 11.2.2). */
export function keyUsageBits(usages: KeyUsageName[]): { bytes: Uint8Array; unusedBits: number } {
  const highest = Math.max(...usages.map((u) => KEY_USAGE_BITS[u]));
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const u of usages) bytes[KEY_USAGE_BITS[u] >> 3] |= 0x80 >> (KEY_USAGE_BITS[u] & 7);
  return { bytes, unusedBits: 7 - (highest & 7) };
}

/** The names of the bits set in a KeyUsage BIT STRING. */
export function keyUsageNames(bits: Uint8Array): KeyUsageName[] {
  return (Object.keys(KEY_USAGE_BITS) as KeyUsageName[]).filter((name) => {
    const bit = KEY_USAGE_BITS[name];
    return (bits[bit >> 3] ?? 0) & (0x80 >> (bit & 7));
  });
}

export function keyUsage(usages: KeyUsageName[]): pkijs.Extension {
  const { bytes, unusedBits } = keyUsageBits(usages);
  const value = new asn1js.BitString({ valueHex: bytes, unusedBits });
  return extension(id_ce_keyUsage, true, value);
}

/**
 *   BasicConstraints ::= SEQUENCE {
 *        cA                      BOOLEAN DEFAULT FALSE,
 *        pathLenConstraint       INTEGER (0..MAX) OPTIONAL }
 */
export function basicConstraints(cA: boolean, pathLenConstraint?: number): pkijs.Extension {
  const value = cA ? new pkijs.BasicConstraints({ cA: true, ...(pathLenConstraint !== undefined ? { pathLenConstraint } : {}) }) : new pkijs.BasicConstraints({});
  return extension(id_ce_basicConstraints, true, value.toSchema());
}

/**
 *   ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
 *   KeyPurposeId ::= OBJECT IDENTIFIER
 */
export function extKeyUsage(purposes: string[], critical = false): pkijs.Extension {
  return extension(id_ce_extKeyUsage, critical, new pkijs.ExtKeyUsage({ keyPurposes: purposes }).toSchema());
}

/**
 *   SubjectKeyIdentifier ::= KeyIdentifier
 *   KeyIdentifier ::= OCTET STRING
 * RFC 7093 section 2 method 1: the leftmost 160 bits of SHA-256 of the subjectPublicKey BIT STRING value.
 */
export function keyIdentifierOf(spki: Uint8Array): Buffer {
  const info = pkijs.PublicKeyInfo.fromBER(bufferSource(spki));
  const subjectPublicKey = Buffer.from(info.subjectPublicKey.valueBlock.valueHexView);
  return createHash('sha256').update(subjectPublicKey).digest().subarray(0, 20);
}

export function subjectKeyIdentifier(keyIdentifier: Uint8Array): pkijs.Extension {
  return extension(id_ce_subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyIdentifier }));
}

/**
 *   AuthorityKeyIdentifier ::= SEQUENCE {
 *       keyIdentifier             [0] KeyIdentifier           OPTIONAL,
 *       authorityCertIssuer       [1] GeneralNames            OPTIONAL,
 *       authorityCertSerialNumber [2] CertificateSerialNumber OPTIONAL  }
 */
export function authorityKeyIdentifier(keyIdentifier: Uint8Array): pkijs.Extension {
  const value = new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: keyIdentifier }) });
  return extension(id_ce_authorityKeyIdentifier, false, value.toSchema());
}

/**
 *   certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation
 *   PolicyInformation ::= SEQUENCE {
 *        policyIdentifier   CertPolicyId,
 *        policyQualifiers   SEQUENCE SIZE (1..MAX) OF PolicyQualifierInfo OPTIONAL }
 */
export function certificatePolicies(policyIds: string[]): pkijs.Extension {
  const value = new pkijs.CertificatePolicies({
    certificatePolicies: policyIds.map((policyIdentifier) => new pkijs.PolicyInformation({ policyIdentifier })),
  });
  return extension(id_ce_certificatePolicies, false, value.toSchema());
}

/**
 *   CRLDistributionPoints ::= SEQUENCE SIZE (1..MAX) OF DistributionPoint
 *   DistributionPoint ::= SEQUENCE {
 *        distributionPoint       [0]     DistributionPointName OPTIONAL,
 *        reasons                 [1]     ReasonFlags OPTIONAL,
 *        cRLIssuer               [2]     GeneralNames OPTIONAL }
 *   DistributionPointName ::= CHOICE {
 *        fullName                [0]     GeneralNames,
 *        nameRelativeToCRLIssuer [1]     RelativeDistinguishedName }
 */
export function crlDistributionPoints(urls: string[]): pkijs.Extension {
  const value = new pkijs.CRLDistributionPoints({
    distributionPoints: urls.map((url) => new pkijs.DistributionPoint({ distributionPoint: [new pkijs.GeneralName({ type: 6, value: url })] })),
  });
  return extension(id_ce_cRLDistributionPoints, false, value.toSchema());
}

/**
 *   AuthorityInfoAccessSyntax  ::= SEQUENCE SIZE (1..MAX) OF AccessDescription
 *   AccessDescription  ::=  SEQUENCE {
 *           accessMethod          OBJECT IDENTIFIER,
 *           accessLocation        GeneralName  }
 */
export function authorityInfoAccess(access: { ocsp?: string; caIssuers?: string }): pkijs.Extension {
  const descriptions: pkijs.AccessDescription[] = [];
  if (access.ocsp) descriptions.push(new pkijs.AccessDescription({ accessMethod: id_ad_ocsp, accessLocation: new pkijs.GeneralName({ type: 6, value: access.ocsp }) }));
  if (access.caIssuers) {
    descriptions.push(new pkijs.AccessDescription({ accessMethod: id_ad_caIssuers, accessLocation: new pkijs.GeneralName({ type: 6, value: access.caIssuers }) }));
  }
  return extension(id_pe_authorityInfoAccess, false, new pkijs.InfoAccess({ accessDescriptions: descriptions }).toSchema());
}

/**
 * RFC 6960 section 4.2.2.2.1:
 *   id-pkix-ocsp-nocheck OBJECT IDENTIFIER ::= { id-pkix-ocsp 5 }
 *   extnValue is NULL
 * Relying parties then do not ask for the OCSP signer's own status.
 */
export function ocspNoCheck(): pkijs.Extension {
  return extension(id_pkix_ocsp_nocheck, false, new asn1js.Null());
}
