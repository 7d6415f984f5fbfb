import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { buildBin } from '../../../test/helpers/factories.js';
import { applicationBody, buildCsrPair, buildPerson, giveCapture } from '../../../test/helpers/pki-factories.js';
import { AutomaticProofing, OperatorReviewProofing } from '../ca/index.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { signerIdentityOf } from '../trust/index.js';
import { adminToken, enrolledOrganization } from '../../../test/helpers/organizations.js';

let app: FastifyInstance;

beforeAll(async () => {
  app = await buildTestApp();
  app.certificateApplications!.proofing = new AutomaticProofing();
});
afterAll(async () => app.close());

async function applyAsEmployeeOf(bin: string) {
  const person = buildPerson({ organization: 'ТОО «Test»', bin });
  return app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, await buildCsrPair(person)) });
}

describe('employee certificates and enrolled organizations', () => {
  it('refuses an employee pair for an organization not enrolled yet: its head applies first, with a proof of headship that an operator checks', async () => {
    const res = await applyAsEmployeeOf(buildBin());
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json().code).toBe('ORG_NOT_ENROLLED');
    const head = buildPerson({ organization: 'ТОО «Test»', bin: buildBin() });
    const claimed = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(head, await buildCsrPair(head), { registrationExtract: `E-${Date.now()}` }) });
    expect(claimed.statusCode, claimed.body).toBe(201);
    // Automatic proofing checked the person; the headship still waits for an operator.
    expect(claimed.json()).toMatchObject({ status: 'pending_review', headship: 'registration-extract' });
  });

  it("refuses an enrolled organization's employee its HR has not authorized, and says how to get authorized", async () => {
    const org = await enrolledOrganization(app, buildBin());
    const res = await applyAsEmployeeOf(org.bin);
    expect(res.statusCode, res.body).toBe(403);
    expect(res.json()).toMatchObject({ code: 'EMPLOYEE_NOT_AUTHORIZED' });
    expect(res.json().detail).toContain(`/v1/orgs/${org.bin}/employees/{iin}/certificate-authorizations`);
  });

  it('issues an authorized employee pair through identity proofing, with the organization and roles of the authorization', async () => {
    const org = await enrolledOrganization(app, buildBin());
    const person = buildPerson({ organization: 'A name the applicant typed', bin: org.bin });
    const hr = { cookie: org.hrCookie };
    await app.inject({ method: 'PUT', url: `/v1/orgs/${org.bin}/employees/${person.iin}`, headers: hr, payload: { position: 'accountant', roles: { maySignFinancial: true } } });
    expect((await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${person.iin}/certificate-authorizations`, headers: hr })).statusCode).toBe(201);
    const res = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, await buildCsrPair(person)) });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ status: 'issued', holder: 'employee', proofingMethod: 'remote' });
    const der = Buffer.from((await app.inject({ method: 'GET', url: `/v1/pki/applications/${res.json().id}/certificates/sign` })).rawPayload);
    const identity = signerIdentityOf(CertificateInfo.parse(der));
    expect(identity.organization).toMatchObject({ name: 'ТОО «Test»', bin: { value: org.bin } });
    expect(identity.roles).toEqual(expect.arrayContaining(['employee', 'may-sign-financial']));
    // Used up: a second application under the same authorization is refused.
    const again = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, await buildCsrPair(person)) });
    expect(again.statusCode).toBe(403);
  });

  it('an application waiting for an operator is issued only while the authorization is open', async () => {
    const org = await enrolledOrganization(app, buildBin());
    const person = buildPerson({ organization: 'ТОО «Test»', bin: org.bin });
    const hr = { cookie: org.hrCookie };
    await app.inject({ method: 'PUT', url: `/v1/orgs/${org.bin}/employees/${person.iin}`, headers: hr, payload: { position: 'clerk' } });
    const authorization = (await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${person.iin}/certificate-authorizations`, headers: hr })).json();
    app.certificateApplications!.proofing = new OperatorReviewProofing();
    try {
      const pending = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, await buildCsrPair(person)) });
      expect(pending.json().status).toBe('pending_review');
      await app.inject({ method: 'DELETE', url: `/v1/orgs/${org.bin}/employees/${person.iin}/certificate-authorizations/${authorization.id}`, headers: hr });
      const operator = { authorization: `Bearer ${await adminToken(app)}` };
      await giveCapture(app, pending.json().id, pending.json().captureSecret);
      const approved = await app.inject({ method: 'POST', url: `/v1/pki/applications/${pending.json().id}/approve`, headers: operator, payload: {} });
      expect(approved.statusCode, approved.body).toBe(409);
      expect(approved.json().code).toBe('EMPLOYEE_AUTHORIZATION_GONE');
      expect((await app.inject({ method: 'GET', url: `/v1/pki/applications/${pending.json().id}` })).json().status).toBe('pending_review');
    } finally {
      app.certificateApplications!.proofing = new AutomaticProofing();
    }
  });
});
