import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTestHierarchy } from '../../../test/helpers/test-database.js';
import { buildEmployee, buildPerson, buildSubjectKey, openssl, tempDir, toPem, writeTemp } from '../../../test/helpers/pki-factories.js';
import { signWithProfile } from './authority/certificate-authority.js';
import type { CaHierarchy } from './authority/hierarchy.js';
import { PROFILES } from './profiles.js';

const publicUrl = 'http://localhost:8080';
let hierarchy: CaHierarchy;
let dir: string;
let chainArgs: string[];

beforeAll(async () => {
  hierarchy = await getTestHierarchy();
  dir = tempDir();
  chainArgs = ['-CAfile', writeTemp(dir, 'root.pem', toPem(hierarchy.root.der)), '-untrusted', writeTemp(dir, 'issuing.pem', toPem(hierarchy.issuing.der))];
});

async function opensslText(der: Buffer): Promise<string> {
  const file = writeTemp(dir, `c${Math.random().toString(36).slice(2)}.pem`, toPem(der));
  const verified = await openssl(['verify', '-x509_strict', ...chainArgs, file]);
  expect(verified.stderr).toBe('');
  expect(verified.stdout).toContain(`${file}: OK`);
  return (await openssl(['x509', '-in', file, '-noout', '-text', '-nameopt', 'RFC2253,-esc_msb'])).stdout;
}

describe('profiles, signed by the issuing CA, as OpenSSL reads them', () => {
  it('individual-auth: subject per DESIGN.md, clientAuth + individual role + proofing, auth policy, CRL DP and AIA', async () => {
    const person = buildPerson();
    const signed = await signWithProfile(
      { profile: PROFILES['individual-auth'], person, subjectPublicKeyInfo: buildSubjectKey().spki, proofing: 'remote' },
      { entity: hierarchy.issuing },
      publicUrl,
    );
    const text = await opensslText(signed.der);
    const surname = person.surname.toLocaleUpperCase('kk-KZ');
    const name = person.givenName.toLocaleUpperCase('kk-KZ');
    expect(text).toContain(`Subject: GN=${person.patronymic!.toLocaleUpperCase('kk-KZ')},C=KZ,serialNumber=IIN${person.iin},SN=${surname},CN=${surname} ${name}`);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Agreement/);
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Client Authentication, 1\.2\.398\.3\.3\.4\.1\.1, 1\.2\.398\.3\.3\.4\.3\.2/);
    expect(text).toContain('Policy: 1.2.398.3.3.2.2');
    expect(text).toContain(`URI:${publicUrl}/pki/crl/issuing.crl`);
    expect(text).toContain(`OCSP - URI:${publicUrl}/pki/ocsp`);
    expect(text).toContain(`CA Issuers - URI:${publicUrl}/pki/ca/issuing.cer`);
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    const days = (signed.notAfter.getTime() - signed.notBefore.getTime()) / 86_400_000;
    expect(days).toBe(365);
  });

  it('individual-sign with an RSA key: nonRepudiation, emailProtection, in-person proofing, sign policy', async () => {
    const signed = await signWithProfile(
      { profile: PROFILES['individual-sign'], person: buildPerson(), subjectPublicKeyInfo: buildSubjectKey('RSA-2048').spki, proofing: 'in-person' },
      { entity: hierarchy.issuing },
      publicUrl,
    );
    const text = await opensslText(signed.der);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation\n/);
    expect(text).toMatch(/E-mail Protection, 1\.2\.398\.3\.3\.4\.1\.1, 1\.2\.398\.3\.3\.4\.3\.1/);
    expect(text).toContain('Policy: 1.2.398.3.3.2.1');
    expect(text).toContain('Public-Key: (2048 bit)');
  });

  it('employee-auth with an RSA key keeps keyEncipherment and names the organization, BIN and roles', async () => {
    const person = buildEmployee();
    const signed = await signWithProfile(
      { profile: PROFILES['employee-auth'], person, subjectPublicKeyInfo: buildSubjectKey('RSA-2048').spki, employeeRoles: ['first-head', 'may-sign'] },
      { entity: hierarchy.issuing },
      publicUrl,
    );
    const text = await opensslText(signed.der);
    expect(text).toContain(`OU=BIN${person.bin}`);
    expect(text).toContain('O=ТОО «Qorgau Test»');
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text).toMatch(/TLS Web Client Authentication, 1\.2\.398\.3\.3\.4\.1\.2, 1\.2\.398\.3\.3\.4\.1\.2\.1, 1\.2\.398\.3\.3\.4\.1\.2\.2, 1\.2\.398\.3\.3\.4\.3\.2/);
    expect(text).toContain('Policy: 1.2.398.3.3.2.4');
  });

  it('employee-sign defaults to the plain employee role and the legal-entity signing policy', async () => {
    const signed = await signWithProfile(
      { profile: PROFILES['employee-sign'], person: buildEmployee(), subjectPublicKeyInfo: buildSubjectKey().spki },
      { entity: hierarchy.issuing },
      publicUrl,
    );
    const text = await opensslText(signed.der);
    expect(text).toMatch(/E-mail Protection, 1\.2\.398\.3\.3\.4\.1\.2, 1\.2\.398\.3\.3\.4\.1\.2\.5, 1\.2\.398\.3\.3\.4\.3\.2/);
    expect(text).toContain('Policy: 1.2.398.3.3.2.3');
    expect(path.isAbsolute(dir)).toBe(true);
  });
});
