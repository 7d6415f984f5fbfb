import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { buildTestHierarchy, issuePerson, tempDir, type TestEntity, type TestPerson } from '../../../test/helpers/cms-fixtures.js';
import { buildBin, buildIin } from '../../../test/helpers/factories.js';
import { signCms } from '../../client/sign.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { buildCrl, CrlEntriesWriter } from '../ca/index.js';
import { PresentedCertificates } from '../trust/index.js';
import { kz_role_employee, kz_role_firstHead, kz_role_hr, kz_role_legalEntity } from '../../pkix/oids.js';
import type { PersonPrincipal } from '../signin/index.js';

/**
 * Organization heads and HR administer with certificates of another trusted CA (here a second
 * hierarchy acting as the national CA, trusted through the data folder's pki/trust/).
 */
describe('administering an organization with a certificate of the national CA', () => {
  let app: FastifyInstance;
  let nca: { issuing: TestEntity };
  let revoked: TestPerson;
  const bin = buildBin();
  const organization = { name: 'ТОО «Ұлттық»', bin };

  beforeAll(async () => {
    nca = await buildTestHierarchy('nca');
    revoked = await issuePerson(nca.issuing, { organization, roles: [kz_role_legalEntity, kz_role_firstHead] });
    const entries = new CrlEntriesWriter();
    entries.add({ serial: CertificateInfo.parse(revoked.auth.der).serialHex, revokedAt: Date.now() - 60_000, reason: 1 });
    const crl = await buildCrl(nca.issuing, { crlNumber: 1, thisUpdate: new Date(Date.now() - 60_000), nextUpdate: new Date(Date.now() + 86_400_000), entries });
    const dataDir = tempDir('qorgau-foreign-ca-');
    const trust = path.join(dataDir, 'pki', 'trust');
    mkdirSync(trust, { recursive: true });
    // Like the national CA's test files: its issuing CA is the anchor, with its CRL beside it.
    writeFileSync(path.join(trust, 'nca.cer'), nca.issuing.der);
    writeFileSync(path.join(trust, 'nca.crl'), crl);
    app = await buildTestApp({ dataDir });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function signIn(who: TestPerson): Promise<string> {
    const { nonce } = (await app.inject({ method: 'POST', url: '/v1/auth/challenge' })).json();
    const cms = await signCms({ content: Buffer.from(nonce), signer: who.auth.signer, certificate: who.auth.der, chain: [] });
    const response = await app.inject({ method: 'POST', url: '/v1/auth/signin', payload: { nonce, cms: cms.toString('base64') } });
    expect(response.statusCode, response.body).toBe(200);
    return String(response.headers['set-cookie']).split(';')[0];
  }

  it('lets a first head enrol the organization and put an employee; HR of that CA administers too', async () => {
    const head = await issuePerson(nca.issuing, { organization, roles: [kz_role_legalEntity, kz_role_firstHead] });
    const cookie = await signIn(head);
    const serial = CertificateInfo.parse(head.auth.der).serialHex;
    const kept = await new PresentedCertificates(app.database.db).find(CertificateInfo.parse(head.auth.der).issuer, serial);
    expect(kept?.equals(head.auth.der)).toBe(true);

    const enrolled = await app.inject({ method: 'POST', url: '/v1/orgs', headers: { cookie }, payload: { bin, name: organization.name } });
    expect(enrolled.statusCode, enrolled.body).toBe(201);
    const put = await app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${buildIin()}`, headers: { cookie }, payload: { position: 'accountant' } });
    expect(put.statusCode, put.body).toBe(201);

    const hr = await issuePerson(nca.issuing, { organization, roles: [kz_role_legalEntity, kz_role_hr] });
    const hrPut = await app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${buildIin()}`, headers: { cookie: await signIn(hr) }, payload: { position: 'driver' } });
    expect(hrPut.statusCode, hrPut.body).toBe(201);
    // Signing in again is idempotent in the store.
    await signIn(head);
    expect((await app.database.db.selectFrom('presented_certificates').select('serial').where('serial', '=', serial).execute()).length).toBe(1);
  });

  it('refuses a certificate of that CA without the first-head or HR role', async () => {
    const otherBin = buildBin();
    const clerk = await issuePerson(nca.issuing, { organization: { name: 'ТОО «Басқа»', bin: otherBin }, roles: [kz_role_legalEntity, kz_role_employee] });
    const cookie = await signIn(clerk);
    const enrol = await app.inject({ method: 'POST', url: '/v1/orgs', headers: { cookie }, payload: { bin: otherBin, name: 'X' } });
    expect(enrol.statusCode, enrol.body).toBe(403);
    expect(enrol.json().code).toBe('ORG_ENROL_FORBIDDEN');
    // An employee of the enrolled organization, without the HR or first-head role.
    const colleague = await issuePerson(nca.issuing, { organization, roles: [kz_role_legalEntity, kz_role_employee] });
    const put = await app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${buildIin()}`, headers: { cookie: await signIn(colleague) }, payload: { position: 'accountant' } });
    expect(put.statusCode, put.body).toBe(403);
    expect(put.json().code).toBe('ORG_ROLE_REQUIRED');
  });

  it('refuses a session whose kept certificate is now revoked, or names someone else', async () => {
    const presented = new PresentedCertificates(app.database.db);
    const { issuerDn, serial } = await presented.remember(revoked.auth.der);
    const principal = (iin: string): PersonPrincipal => ({
      sessionId: 'test',
      personHash: app.pseudonymizer.of(iin),
      certificateSerial: serial,
      certificateIssuer: issuerDn,
      holder: 'employee',
      displayName: 'TEST',
      expiresAt: new Date(Date.now() + 60_000),
    });
    await expect(app.certifiedPerson(principal(revoked.iin))).rejects.toMatchObject({ kind: 'forbidden', code: 'CERTIFICATE_REVOKED' });

    const good = await issuePerson(nca.issuing, { organization, roles: [kz_role_legalEntity, kz_role_hr] });
    const kept = await presented.remember(good.auth.der);
    const other: PersonPrincipal = { ...principal(buildIin()), certificateSerial: kept.serial };
    await expect(app.certifiedPerson(other)).rejects.toMatchObject({ kind: 'forbidden', code: 'CERTIFICATE_NOT_HOLDER' });
    await expect(app.certifiedPerson({ ...principal(good.iin), certificateSerial: kept.serial })).resolves.toMatchObject({ iin: good.iin, bin, roles: expect.arrayContaining(['hr']) });
  });
});
