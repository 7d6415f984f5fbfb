import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CertificateInfo } from '../../pkix/certificate.js';
import { signerIdentityOf } from '../trust/index.js';
import { buildApp } from '../../http/app.js';
import { getTestDatabase, getTestHierarchy } from '../../../test/helpers/test-database.js';
import { buildBin, buildIin } from '../../../test/helpers/factories.js';
import { buildOcspRequest, openssl, tempDir, writeTemp } from '../../../test/helpers/revocation-fixtures.js';
import { certifyPerson, signAs, signIn } from '../../../test/helpers/person-sessions.js';
import { adminToken, certifyEmployee, enrolledOrganization, hireAndCertify, signedEmployeeApplication } from '../../../test/helpers/organizations.js';

describe('organizations, employees, their certificates and termination', () => {
  let app: FastifyInstance;
  let admin: { authorization: string };
  let dir: string;

  beforeAll(async () => {
    const shared = await getTestDatabase();
    // On PostgreSQL the app runs with its LISTEN/NOTIFY OCSP status cache, as in production.
    app = await buildApp({ config: { ...shared.config, databaseUrl: shared.databaseUrl }, database: shared.database, logger: false, pki: await getTestHierarchy() });
    await app.ready();
    admin = { authorization: `Bearer ${await adminToken(app)}` };
    dir = tempDir();
  });
  afterAll(async () => {
    await app?.close();
  });

  async function ocspText(serial: string): Promise<string> {
    const request = buildOcspRequest(app.pki!.issuing.der, serial);
    const response = await app.inject({ method: 'POST', url: '/pki/ocsp', headers: { 'content-type': 'application/ocsp-request' }, payload: request });
    const text = await openssl(['ocsp', '-respin', writeTemp(dir, `resp-${randomUUID()}.der`, response.rawPayload), '-resp_text', '-noverify']);
    return text.stdout + text.stderr;
  }

  /** The status cache hears of a revocation by NOTIFY; the benchmark measures how soon. */
  async function ocspEventually(serial: string, expected: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const text = await ocspText(serial);
      if (text.includes(expected) || attempt >= 100) return text;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const employee = (bin: string, iin: string, cookie: string, payload: Record<string, unknown> = { position: 'accountant' }) =>
    app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${iin}`, headers: { cookie }, payload });

  async function hireWithCertificates(org: { bin: string; hrCookie: string }, roles: Record<string, boolean> = { maySign: true }) {
    const hired = await hireAndCertify(app, org, roles);
    const pair = { pairId: hired.application.pairId, certificates: hired.application.certificates, roles: hired.authorization.roles };
    return { person: hired.person, pair, holder: hired.holder, citizen: hired.citizen, authorization: hired.authorization };
  }

  it('documents every route in the OpenAPI description', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/orgs',
        '/v1/orgs/{bin}',
        '/v1/orgs/{bin}/credentials',
        '/v1/orgs/{bin}/employees',
        '/v1/orgs/{bin}/employees/{iin}',
        '/v1/orgs/{bin}/employees/{iin}/certificates',
        '/v1/orgs/{bin}/employees/{iin}/certificate-authorizations',
        '/v1/orgs/{bin}/employees/{iin}/certificate-authorizations/{id}',
        '/v1/pki/applications/signed',
        '/v1/orgs/{bin}/employees/{iin}/terminate',
        '/v1/orgs/{bin}/staff-sync',
        '/v1/me/certificates',
        '/v1/me/certificates/{serial}/revoke',
        '/v1/me/certificate-usage',
      ]),
    );
    expect(Object.keys(spec.paths['/v1/orgs/{bin}/staff-sync'].post.requestBody.content)).toEqual(expect.arrayContaining(['application/json', 'text/csv']));
  });

  it('gives every organization and holder route the security its declaration states, and refuses a caller without a credential', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const routes = Object.entries(spec.paths as Record<string, Record<string, { security?: unknown }>>)
      .filter(([path]) => path.startsWith('/v1/orgs') || path.startsWith('/v1/me/certificate'))
      .flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]) => ({ path, method, security: operation.security })));
    expect(routes.length).toBeGreaterThan(15);
    for (const { path, method, security } of routes) {
      expect(security, `${method} ${path}`).toEqual(path.startsWith('/v1/me') ? [{ personSession: [] }] : [{ personSession: [] }, { operatorToken: [] }]);
      const url = path.replace('{bin}', buildBin()).replace('{iin}', buildIin()).replace(/\{[a-z]+\}/g, randomUUID());
      const answer = await app.inject({ method: method.toUpperCase() as 'GET', url, headers: { 'content-type': 'application/json' }, payload: method === 'get' || method === 'delete' ? undefined : '{}' });
      expect(answer.statusCode, `${method} ${path}: ${answer.body}`).toBe(401);
    }
  });

  describe('enrolment', () => {
    it('lets the first head enrol the BIN in their certificate, once', async () => {
      const bin = buildBin();
      const head = await certifyEmployee(app, bin, ['first-head']);
      const cookie = await signIn(app, head);
      const first = await app.inject({ method: 'POST', url: '/v1/orgs', headers: { cookie }, payload: { bin, name: 'ТОО «Алатау»' } });
      expect(first.statusCode, first.body).toBe(201);
      // The head who enrols is its first employment record, as first head.
      expect(first.json()).toMatchObject({ bin, name: 'ТОО «Алатау»', currentEmployees: 1 });
      const record = await app.inject({ method: 'GET', url: `/v1/orgs/${bin}/employees/${head.iin}`, headers: { cookie } });
      expect(record.json()).toMatchObject({ position: 'first head', roles: { firstHead: true }, employed: true });
      const again = await app.inject({ method: 'POST', url: '/v1/orgs', headers: { cookie }, payload: { bin, name: 'ТОО «Алатау»' } });
      expect(again.statusCode, again.body).toBe(409);
      expect(again.json().code).toBe('ORG_ALREADY_ENROLLED');
      const other = await app.inject({ method: 'POST', url: '/v1/orgs', headers: { cookie }, payload: { bin: buildBin(), name: 'Someone else' } });
      expect(other.statusCode).toBe(403);
      expect(other.json().code).toBe('ORG_ENROL_FORBIDDEN');
    });

    it('refuses an employee who is not the first head, and takes an admin operator', async () => {
      const bin = buildBin();
      const clerk = await certifyEmployee(app, bin, ['employee', 'hr']);
      const refused = await app.inject({ method: 'POST', url: '/v1/orgs', headers: { cookie: await signIn(app, clerk) }, payload: { bin, name: 'X' } });
      expect(refused.statusCode).toBe(403);
      const byAdmin = await app.inject({ method: 'POST', url: '/v1/orgs', headers: admin, payload: { bin, name: 'X' } });
      expect(byAdmin.statusCode).toBe(201);
    });

    it('answers a malformed BIN with 400 and no sign-in with 401', async () => {
      const bad = await app.inject({ method: 'POST', url: '/v1/orgs', headers: admin, payload: { bin: '940140000386', name: 'X' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toMatch(/^BIN_/);
      expect((await app.inject({ method: 'POST', url: '/v1/orgs', payload: { bin: buildBin(), name: 'X' } })).statusCode).toBe(401);
    });
  });

  describe('employees', () => {
    it('records, updates and lists employees; HR of another organization is refused', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const iin = buildIin();
      const created = await employee(org.bin, iin, org.hrCookie, { position: 'accountant', roles: { maySign: true }, startDate: '2025-02-01' });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toMatchObject({ bin: org.bin, iin, position: 'accountant', roles: { maySign: true, maySignFinancial: false, hr: false }, employed: true, endedAt: null });
      const updated = await employee(org.bin, iin, org.headCookie, { position: 'chief accountant', roles: { maySignFinancial: true } });
      expect(updated.statusCode).toBe(200);
      expect(updated.json()).toMatchObject({ position: 'chief accountant', startedAt: '2025-02-01T00:00:00.000Z', roles: { maySign: false, maySignFinancial: true } });

      const list = await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees`, headers: { cookie: org.hrCookie } });
      expect(list.statusCode).toBe(200);
      // The head who enrolled is the organization's first record; the list is by IIN.
      expect(list.json().items.map((e: { iin: string }) => e.iin)).toEqual([iin, org.head.iin].sort());

      const stranger = await enrolledOrganization(app, buildBin());
      for (const response of [
        await employee(org.bin, buildIin(), stranger.hrCookie),
        await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees`, headers: { cookie: stranger.hrCookie } }),
      ]) {
        expect(response.statusCode).toBe(403);
        expect(response.json().code).toBe('ORG_FORBIDDEN');
      }
    });

    it('re-hires a former employee as a new record, and pages through every record without splitting a person', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const iins = [buildIin(), buildIin(), buildIin()].sort();
      for (const iin of iins) await employee(org.bin, iin, org.hrCookie, { position: 'clerk', startDate: '2024-01-01' });
      expect((await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${iins[1]}/terminate`, headers: { cookie: org.hrCookie } })).statusCode).toBe(200);
      const early = await employee(org.bin, iins[1], org.hrCookie, { position: 'clerk again', startDate: '2024-06-01' });
      expect(early.statusCode).toBe(409);
      expect(early.json().code).toBe('EMPLOYMENT_OVERLAP');
      const rehired = await employee(org.bin, iins[1], org.hrCookie, { position: 'clerk again' });
      expect(rehired.statusCode).toBe(201);
      expect(rehired.json()).toMatchObject({ employed: true, endedAt: null, position: 'clerk again' });

      const seen: string[] = [];
      let after: string | null = null;
      do {
        const query: string = `status=all&limit=1${after ? `&after=${after}` : ''}`;
        const page = await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees?${query}`, headers: { cookie: org.hrCookie } });
        expect(page.statusCode, page.body).toBe(200);
        seen.push(...page.json().items.map((e: { iin: string; position: string }) => `${e.iin} ${e.position}`));
        after = page.json().next;
      } while (after);
      // With the head who enrolled (the first record), by IIN then start.
      const expected = [`${iins[0]} clerk`, `${iins[1]} clerk`, `${iins[1]} clerk again`, `${iins[2]} clerk`, `${org.head.iin} first head`];
      expect(seen).toEqual(expected.sort((a, b) => a.slice(0, 12).localeCompare(b.slice(0, 12))));
      const current = await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees?status=ended`, headers: { cookie: org.hrCookie } });
      expect(current.json().items.map((e: { iin: string }) => e.iin)).toEqual([iins[1]]);
    });

    it('refuses an employee of the organization without an admin role', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const clerk = await certifyEmployee(app, org.bin, ['employee', 'may-sign']);
      const response = await employee(org.bin, buildIin(), await signIn(app, clerk));
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('ORG_ROLE_REQUIRED');
    });

    it('answers unknown BIN 404, malformed BIN or IIN 400, and a person never employed 404', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const unknown = await employee(buildBin(), buildIin(), org.hrCookie);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().code).toBe('ORG_NOT_ENROLLED');
      const badBin = await employee('123456789012', buildIin(), org.hrCookie);
      expect(badBin.statusCode).toBe(400);
      const badIin = await employee(org.bin, '880515300121', org.hrCookie);
      expect(badIin.statusCode).toBe(400);
      expect(badIin.json().code).toBe('IIN_INVALID_CHECKSUM');
      const notDigits = await employee(org.bin, 'abc', org.hrCookie);
      expect(notDigits.statusCode).toBe(400);
      const notEmployed = await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees/${buildIin()}`, headers: { cookie: org.hrCookie } });
      expect(notEmployed.statusCode).toBe(404);
      expect(notEmployed.json().code).toBe('EMPLOYEE_NOT_FOUND');
      const badBody = await employee(org.bin, buildIin(), org.hrCookie, { position: '', extra: 1 });
      expect(badBody.statusCode).toBe(400);
    });
  });

  describe('certificates authorized by HR, applied for by the employee', () => {
    it("issues a pair bound to (BIN, the employee's own IIN) with the authorization's roles; one active pair at a time", async () => {
      const org = await enrolledOrganization(app, buildBin());
      const { person, pair, holder, citizen, authorization } = await hireWithCertificates(org, { maySign: true, maySignFinancial: true });
      expect(authorization).toMatchObject({ status: 'open', roles: ['employee', 'may-sign', 'may-sign-financial'], authorizedBy: expect.stringMatching(/^person:/) });
      expect(authorization.next).toContain('--signed-with');
      for (const kind of ['auth', 'sign'] as const) {
        const identity = signerIdentityOf(CertificateInfo.parse(holder.issued[kind].der));
        expect(identity.iin?.value).toBe(person.iin);
        expect(identity.organization?.bin?.value).toBe(org.bin);
        expect(identity.organization?.name).toBe('ТОО «Test»');
        expect(identity.roles).toEqual(expect.arrayContaining(['employee', 'may-sign', 'may-sign-financial']));
      }
      // A second authorization while the pair is good is refused; so is a second application under a used one.
      const second = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${person.iin}/certificate-authorizations`, headers: { cookie: org.hrCookie }, payload: {} });
      expect(second.statusCode).toBe(409);
      expect(second.json().code).toBe('EMPLOYEE_CERTIFICATE_ACTIVE');
      const again = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: (await signedEmployeeApplication(app, citizen, org.bin)).body });
      expect(again.statusCode).toBe(403);
      expect(again.json().code).toBe('EMPLOYEE_NOT_AUTHORIZED');

      const listed = await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees/${person.iin}/certificates`, headers: { cookie: org.hrCookie } });
      expect(listed.json().items.map((c: { serial: string }) => c.serial).sort()).toEqual(pair.certificates.map((c: { serial: string }) => c.serial).sort());
      expect(listed.json().requests).toEqual([expect.objectContaining({ pairId: pair.pairId, roles: ['employee', 'may-sign', 'may-sign-financial'], requestedBy: expect.stringMatching(/^person:/) })]);
      const authorizations = await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees/${person.iin}/certificate-authorizations`, headers: { cookie: org.hrCookie } });
      expect(authorizations.json().items).toEqual([expect.objectContaining({ id: authorization.id, status: 'used', pairId: pair.pairId, next: null })]);
    });

    it('issues one pair when several applications under one authorization race', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const citizen = await certifyPerson(app);
      await employee(org.bin, citizen.iin, org.hrCookie, { position: 'driver', surname: citizen.person.surname, givenName: citizen.person.givenName });
      expect((await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}/certificate-authorizations`, headers: { cookie: org.hrCookie } })).statusCode).toBe(201);
      const applications = await Promise.all(Array.from({ length: 4 }, () => signedEmployeeApplication(app, citizen, org.bin)));
      const answers = await Promise.all(applications.map((a) => app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: a.body })));
      const codes = answers.map((r) => r.statusCode).sort();
      expect(codes.filter((c) => c === 201)).toHaveLength(1);
      expect(answers.filter((r) => r.statusCode !== 201).every((r) => r.statusCode === 403 || r.statusCode === 409)).toBe(true);
      const listed = await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}/certificates`, headers: { cookie: org.hrCookie } });
      expect(listed.json().items).toHaveLength(2);
    });

    it('refuses to authorize a person not employed, and withdraws an open authorization', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const notEmployed = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${buildIin()}/certificate-authorizations`, headers: { cookie: org.hrCookie } });
      expect(notEmployed.statusCode).toBe(404);
      expect(notEmployed.json().code).toBe('EMPLOYEE_NOT_EMPLOYED');
      const citizen = await certifyPerson(app);
      await employee(org.bin, citizen.iin, org.hrCookie, { position: 'driver' });
      const open = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}/certificate-authorizations`, headers: { cookie: org.hrCookie }, payload: { validDays: 3 } });
      expect(open.statusCode, open.body).toBe(201);
      const twice = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}/certificate-authorizations`, headers: { cookie: org.hrCookie } });
      expect(twice.statusCode).toBe(409);
      expect(twice.json().code).toBe('EMPLOYEE_AUTHORIZATION_OPEN');
      const withdrawn = await app.inject({ method: 'DELETE', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}/certificate-authorizations/${open.json().id}`, headers: { cookie: org.hrCookie } });
      expect(withdrawn.statusCode, withdrawn.body).toBe(200);
      expect(withdrawn.json().status).toBe('withdrawn');
      const applied = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: (await signedEmployeeApplication(app, citizen, org.bin)).body });
      expect(applied.statusCode).toBe(403);
      expect(applied.json().code).toBe('EMPLOYEE_NOT_AUTHORIZED');
      const badId = await app.inject({ method: 'DELETE', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}/certificate-authorizations/not-a-uuid`, headers: { cookie: org.hrCookie } });
      expect(badId.statusCode).toBe(400);
    });
  });

  describe('termination', () => {
    it("by the HR system's credential: ends the employment, revokes the pair (affiliationChanged), OCSP says revoked, the old certificate no longer signs in", async () => {
      const org = await enrolledOrganization(app, buildBin());
      const { person, pair, holder } = await hireWithCertificates(org);
      const oldCookie = await signIn(app, holder);
      for (const c of pair.certificates) expect(await ocspText(c.serial)).toContain('Cert Status: good');

      const created = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/credentials`, headers: { cookie: org.headCookie }, payload: { name: '1C payroll' } });
      expect(created.statusCode, created.body).toBe(201);
      const hrSystem = { authorization: `Bearer ${created.json().credential}` };

      const terminated = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${person.iin}/terminate`, headers: hrSystem, payload: { reason: 'resigned' } });
      expect(terminated.statusCode, terminated.body).toBe(200);
      const body = terminated.json();
      expect(body.revoked.map((r: { serial: string }) => r.serial).sort()).toEqual(pair.certificates.map((c: { serial: string }) => c.serial).sort());
      expect(body.revoked.every((r: { reason: string }) => r.reason === 'affiliationChanged')).toBe(true);
      for (const c of pair.certificates) expect(await ocspEventually(c.serial, 'Cert Status: revoked')).toContain('Revocation Reason: affiliationChanged');

      const record = await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees/${person.iin}`, headers: hrSystem });
      expect(record.json()).toMatchObject({ employed: false, endReason: 'resigned' });
      expect(await app.employment.employmentAt(org.bin, person.iin, new Date())).toBeNull();

      // A new worker handed the old certificate: sign-in is refused, the old session is over.
      const { nonce } = (await app.inject({ method: 'POST', url: '/v1/auth/challenge' })).json();
      const cms = await signAs(app, holder, 'auth', nonce);
      const signin = await app.inject({ method: 'POST', url: '/v1/auth/signin', payload: { nonce, cms: cms.toString('base64') } });
      expect(signin.statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/v1/me/certificates', headers: { cookie: oldCookie } })).statusCode).toBe(401);

      const again = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${person.iin}/terminate`, headers: hrSystem });
      expect(again.statusCode, again.body).toBe(409);
      expect(again.json().code).toBe('EMPLOYMENT_ALREADY_ENDED');
    });

    it('refuses a person not employed (404), another organization\'s HR system (403) and a revoked credential (401)', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const other = await enrolledOrganization(app, buildBin());
      const otherSystem = (await app.inject({ method: 'POST', url: `/v1/orgs/${other.bin}/credentials`, headers: { cookie: other.headCookie }, payload: { name: 'hr' } })).json();
      const iin = buildIin();
      await employee(org.bin, iin, org.hrCookie);

      const notEmployed = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${buildIin()}/terminate`, headers: { cookie: org.hrCookie } });
      expect(notEmployed.statusCode).toBe(404);
      expect(notEmployed.json().code).toBe('EMPLOYEE_NOT_EMPLOYED');
      const foreign = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${iin}/terminate`, headers: { authorization: `Bearer ${otherSystem.credential}` } });
      expect(foreign.statusCode).toBe(403);
      const cannotManage = await app.inject({ method: 'POST', url: `/v1/orgs/${other.bin}/credentials`, headers: { authorization: `Bearer ${otherSystem.credential}` }, payload: { name: 'x' } });
      expect(cannotManage.statusCode).toBe(403);

      const removed = await app.inject({ method: 'DELETE', url: `/v1/orgs/${other.bin}/credentials/${otherSystem.id}`, headers: { cookie: other.headCookie } });
      expect(removed.statusCode).toBe(204);
      const revoked = await app.inject({ method: 'POST', url: `/v1/orgs/${other.bin}/employees/${iin}/terminate`, headers: { authorization: `Bearer ${otherSystem.credential}` } });
      expect(revoked.statusCode).toBe(401);
      expect(revoked.json().code).toBe('AUTH_INVALID_CREDENTIAL');
      const unknownBin = await app.inject({ method: 'POST', url: `/v1/orgs/${buildBin()}/employees/${iin}/terminate`, headers: admin });
      expect(unknownBin.statusCode).toBe(404);
      expect(unknownBin.json().code).toBe('ORG_NOT_ENROLLED');
    });
  });

  describe('staff sync', () => {
    it('shows who would be terminated (dry run), then terminates them on confirmation (CSV)', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const stays = buildIin();
      await employee(org.bin, stays, org.hrCookie);
      const { person: leaver, pair } = await hireWithCertificates(org);
      const newcomer = buildIin();

      const dry = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/staff-sync`, headers: { cookie: org.hrCookie }, payload: { staff: [{ iin: stays }, { iin: newcomer }, { iin: stays }, { iin: org.head.iin }] } });
      expect(dry.statusCode, dry.body).toBe(200);
      expect(dry.json()).toMatchObject({ dryRun: true, listed: 3, wouldTerminate: [{ iin: leaver.iin, position: 'manager' }], terminated: [], notRecorded: [newcomer] });
      expect(await app.employment.employmentAt(org.bin, leaver.iin, new Date())).not.toBeNull();

      const csv = `\uFEFFФИО;IIN;Должность\r\n"Иванов; И.";${stays};бухгалтер\r\nБасшы;${org.head.iin};директор\r\n\r\n`;
      const changed = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/staff-sync?confirm=true&expectTerminations=2`, headers: { cookie: org.hrCookie, 'content-type': 'text/csv' }, payload: csv });
      expect(changed.statusCode).toBe(409);
      expect(changed.json().code).toBe('STAFF_SYNC_CHANGED');
      expect(await app.employment.employmentAt(org.bin, leaver.iin, new Date())).not.toBeNull();

      const confirmed = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/staff-sync?confirm=true&expectTerminations=1`, headers: { cookie: org.hrCookie, 'content-type': 'text/csv' }, payload: csv });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      const result = confirmed.json();
      expect(result.terminated).toHaveLength(1);
      expect(result.terminated[0].iin).toBe(leaver.iin);
      expect(result.terminated[0].revoked.map((r: { serial: string }) => r.serial).sort()).toEqual(pair.certificates.map((c: { serial: string }) => c.serial).sort());
      expect(await app.employment.employmentAt(org.bin, leaver.iin, new Date())).toBeNull();
      expect(await app.employment.employmentAt(org.bin, stays, new Date())).not.toBeNull();
      expect(await ocspEventually(pair.certificates[0].serial, 'Cert Status: revoked')).toContain('affiliationChanged');
    });

    it('answers a malformed staff file with 400 and a clear code, changing nothing', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const iin = buildIin();
      await employee(org.bin, iin, org.hrCookie);
      const sync = (payload: string, contentType = 'text/csv') =>
        app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/staff-sync?confirm=true`, headers: { cookie: org.hrCookie, 'content-type': contentType }, payload });
      const cases: [string, string, string?][] = [
        ['name,position\nIvanov,driver\n', 'STAFF_FILE_NO_IIN_COLUMN'],
        [`iin\n${iin}\n12345\n`, 'STAFF_FILE_INVALID_IIN'],
        [`iin\n"${iin}\n`, 'STAFF_FILE_MALFORMED_CSV'],
        ['', 'STAFF_FILE_EMPTY'],
        ['iin\n\n', 'STAFF_FILE_EMPTY'],
        ['{"staff": [{"iin": "1"}]}', 'STAFF_FILE_INVALID_IIN', 'application/json'],
        ['{"staff": []}', 'STAFF_FILE_EMPTY', 'application/json'],
        ['{"staff": [', '', 'application/json'],
        ['{"people": []}', '', 'application/json'],
      ];
      for (const [payload, code, type] of cases) {
        const response = await sync(payload, type);
        expect(response.statusCode, `${payload}: ${response.body}`).toBe(400);
        if (code) expect(response.json().code).toBe(code);
      }
      expect(await app.employment.employmentAt(org.bin, iin, new Date())).not.toBeNull();
    });
  });

  describe('holder self-service', () => {
    it('shows the holder their certificates, revokes a lost one (keyCompromise), and HR can authorize a new pair', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const { person, pair, holder, citizen } = await hireWithCertificates(org);
      const cookie = await signIn(app, holder);
      const mine = await app.inject({ method: 'GET', url: '/v1/me/certificates', headers: { cookie } });
      expect(mine.statusCode, mine.body).toBe(200);
      expect(mine.json().items).toHaveLength(2);
      expect(mine.json().items[0]).toMatchObject({ organizationBin: org.bin, status: 'good' });
      expect(mine.json().items[0].daysLeft).toBeGreaterThan(0);

      const others = await app.inject({ method: 'POST', url: `/v1/me/certificates/${org.hr.issued.sign.serial}/revoke`, headers: { cookie } });
      expect(others.statusCode).toBe(404);
      const sign = pair.certificates.find((c: { kind: string }) => c.kind === 'sign')!;
      const lost = await app.inject({ method: 'POST', url: `/v1/me/certificates/${sign.serial}/revoke`, headers: { cookie }, payload: {} });
      expect(lost.statusCode, lost.body).toBe(200);
      expect(lost.json().revoked).toHaveLength(2);
      expect(lost.json().revoked.every((r: { reason: string }) => r.reason === 'keyCompromise')).toBe(true);
      expect(await ocspEventually(sign.serial, 'Cert Status: revoked')).toContain('keyCompromise');

      expect(lost.json().next).toContain('authorize');
      const authorized = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${person.iin}/certificate-authorizations`, headers: { cookie: org.hrCookie } });
      expect(authorized.statusCode, authorized.body).toBe(201);
      const again = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: (await signedEmployeeApplication(app, citizen, org.bin)).body });
      expect(again.statusCode, again.body).toBe(201);
      const badSerial = await app.inject({ method: 'POST', url: '/v1/me/certificates/not-hex/revoke', headers: { cookie: await signIn(app, org.hr) } });
      expect(badSerial.statusCode).toBe(400);
    });

    it('shows where the holder\'s certificates were used', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const usage = await app.inject({ method: 'GET', url: '/v1/me/certificate-usage', headers: { cookie: org.hrCookie } });
      expect(usage.statusCode, usage.body).toBe(200);
      expect(usage.json().recorded).toBe(true);
      expect(usage.json().items).toEqual(expect.arrayContaining([expect.objectContaining({ certificateSerial: org.hr.issued.auth.serial, purpose: 'signin', outcome: 'accepted' })]));
      const one = await app.inject({ method: 'GET', url: `/v1/me/certificate-usage?serial=${org.hr.issued.sign.serial}`, headers: { cookie: org.hrCookie } });
      expect(one.json().items).toEqual([]);
    });
  });
});
