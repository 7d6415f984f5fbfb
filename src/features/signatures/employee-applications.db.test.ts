import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { buildBin } from '../../../test/helpers/factories.js';
import { applicationBody, buildCsrPair, buildPerson } from '../../../test/helpers/pki-factories.js';
import { AutomaticProofing } from '../ca/index.js';
import { enrolledOrganization } from '../../../test/helpers/organizations.js';

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
  it('lets the head of an organization not enrolled yet apply directly', async () => {
    const res = await applyAsEmployeeOf(buildBin());
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().status).toBe('issued');
  });

  it("sends an enrolled organization's employees to its HR", async () => {
    const org = await enrolledOrganization(app, buildBin());
    const res = await applyAsEmployeeOf(org.bin);
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ code: 'EMPLOYEE_CERTIFICATES_VIA_HR' });
    expect(res.json().detail).toContain(`/v1/orgs/${org.bin}/employees/`);
  });
});
