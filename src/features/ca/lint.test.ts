import { beforeAll, describe, expect, it } from 'vitest';
import { getTestHierarchy } from '../../../test/helpers/test-database.js';
import { buildEmployee, buildPerson, buildSubjectKey } from '../../../test/helpers/pki-factories.js';
import { issuerFactsOf, signWithProfile } from './authority/certificate-authority.js';
import type { CaHierarchy } from './authority/hierarchy.js';
import { buildCertificateTemplate } from './issuance/certificate-template.js';
import { lintCertificate } from './lint.js';
import * as oid from '../../pkix/oids.js';
import { PROFILES } from './profiles.js';

const publicUrl = 'http://localhost:8080';
let hierarchy: CaHierarchy;
beforeAll(async () => {
  hierarchy = await getTestHierarchy();
});

/** An IIN with a wrong check digit (the valid one plus one, mod 10). */
function breakCheckDigit(iin: string): string {
  return iin.slice(0, 11) + String((Number(iin[11]) + 1) % 10);
}

describe('lint before signing', () => {
  it('a clean template has no problems', () => {
    const { facts, certificate: issuer } = issuerFactsOf(hierarchy.issuing);
    const template = buildCertificateTemplate({ profile: PROFILES['individual-sign'], person: buildPerson(), subjectPublicKeyInfo: buildSubjectKey().spki }, facts, publicUrl);
    expect(lintCertificate(template.certificate, { profile: PROFILES['individual-sign'], issuer })).toEqual([]);
  });

  it('refuses an IIN with a wrong check digit, naming the reason (422)', async () => {
    const person = buildPerson();
    const request = { profile: PROFILES['individual-auth'], person: { ...person, iin: breakCheckDigit(person.iin) }, subjectPublicKeyInfo: buildSubjectKey().spki };
    await expect(signWithProfile(request, { entity: hierarchy.issuing }, publicUrl)).rejects.toMatchObject({
      kind: 'unprocessable',
      code: 'SUBJECT_IIN_INVALID_CHECKSUM',
      message: expect.stringContaining('check digit'),
    });
  });

  it('refuses an employee certificate whose BIN is invalid or missing', async () => {
    const employee = buildEmployee();
    const bad = { ...employee, bin: breakCheckDigit(employee.bin!) };
    await expect(
      signWithProfile({ profile: PROFILES['employee-sign'], person: bad, subjectPublicKeyInfo: buildSubjectKey().spki }, { entity: hierarchy.issuing }, publicUrl),
    ).rejects.toMatchObject({ code: 'SUBJECT_BIN_INVALID_CHECKSUM' });
    await expect(
      signWithProfile({ profile: PROFILES['employee-sign'], person: buildPerson(), subjectPublicKeyInfo: buildSubjectKey().spki }, { entity: hierarchy.issuing }, publicUrl),
    ).rejects.toMatchObject({ code: 'SUBJECT_ORGANIZATION_MISSING' });
  });

  it('refuses a CN longer than 64 characters (ub-common-name)', async () => {
    const request = { profile: PROFILES['individual-sign'], person: buildPerson({ surname: 'Қ'.repeat(40), givenName: 'Ә'.repeat(30) }), subjectPublicKeyInfo: buildSubjectKey().spki };
    await expect(signWithProfile(request, { entity: hierarchy.issuing }, publicUrl)).rejects.toMatchObject({ kind: 'unprocessable', code: 'SUBJECT_CN_TOO_LONG' });
  });

  it("refuses a validity outside the issuer's", async () => {
    const request = { profile: PROFILES['individual-auth'], person: buildPerson(), subjectPublicKeyInfo: buildSubjectKey().spki, validityDays: 40 * 365 };
    await expect(signWithProfile(request, { entity: hierarchy.issuing }, publicUrl)).rejects.toMatchObject({ kind: 'unprocessable', code: 'VALIDITY_OUTSIDE_ISSUER' });
  });

  it('refuses keys the profile does not allow', async () => {
    const request = { profile: PROFILES['individual-auth'], person: buildPerson(), subjectPublicKeyInfo: buildSubjectKey('ECDSA-P384').spki };
    await expect(signWithProfile(request, { entity: hierarchy.issuing }, publicUrl)).rejects.toMatchObject({ kind: 'unprocessable', code: 'KEY_CURVE_NOT_ALLOWED' });
  });

  it('finds missing and wrong extensions in a tampered template', () => {
    const { facts, certificate: issuer } = issuerFactsOf(hierarchy.issuing);
    const template = buildCertificateTemplate({ profile: PROFILES['individual-auth'], person: buildPerson(), subjectPublicKeyInfo: buildSubjectKey().spki }, facts, publicUrl);
    template.certificate.extensions = template.certificate.extensions!.filter(
      (e) => e.extnID !== oid.id_ce_keyUsage && e.extnID !== oid.id_ce_cRLDistributionPoints && e.extnID !== oid.id_ce_certificatePolicies,
    );
    const codes = lintCertificate(template.certificate, { profile: PROFILES['individual-auth'], issuer }).map((p) => p.code);
    expect(codes).toEqual(expect.arrayContaining(['EXTENSION_KEY_USAGE_MISSING', 'EXTENSION_CRL_DP_MISSING', 'EXTENSION_POLICIES']));

    // The same certificate is wrong for a profile it was not built for.
    const asOcsp = lintCertificate(template.certificate, { profile: PROFILES['ocsp-signer'], issuer }).map((p) => p.code);
    expect(asOcsp).toEqual(expect.arrayContaining(['EXTENSION_EKU', 'EXTENSION_OCSP_NOCHECK_MISSING']));
  });
});
