import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../errors/app-error.js';
import { CertificateHoldings } from '../ca/index.js';
import { EmployeeCertificates as EmployeeCertificateService, howToApply } from './employees.certificates.js';
import { personalSessionRequired } from '../../errors/personal-session.js';
import type { CertifiedPerson } from './organizations.auth.js';
import {
  AuthorizationCreate,
  AuthorizationList,
  AuthorizationParams,
  AuthorizationView,
  EmployeeCertificateRequest,
  EmployeeListQuery,
  EmployeePage,
  EmployeeUpsert,
  EmployeeView,
  TerminationBody,
  TerminationView,
} from './employees.schema.js';
import { EmploymentService, presentEmployment } from './employees.service.js';
import { EmployeeCertificates, HeldCertificates, HolderSerialParams, HolderUsage, LostCertificateBody, LostCertificateResult, RenewalBody, UsageQuery } from './holder.schema.js';
import { ApplicationView } from '../ca/index.js';
import { HolderService, type UsageReader } from './holder.service.js';
import { actorLabel, installOrgAuth, type OrgActor } from './organizations.auth.js';
import { orgAccess } from './organizations.access.js';
import {
  BinParams,
  CredentialCreate,
  CredentialCreated,
  CredentialParams,
  CredentialView,
  EmployeeParams,
  Enrolment,
  OrganizationView,
} from './organizations.schema.js';
import { problems } from '../../schemas/problem.js';
import { OrganizationsService } from './organizations.service.js';
import { StaffSyncBody, StaffSyncQuery, StaffSyncResult } from './staff-sync.schema.js';
import { StaffSyncService } from './staff-sync.service.js';
import { presentTermination, TerminationService } from './termination.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** On the holder's own routes (/v1/me/certificates...): who they are and what their session may manage. */
    holder: { me: CertifiedPerson; scope: { iin: string; bin: string | null } } | null;
  }
  interface FastifyInstance {
    /** Employment records, for other features (misuse rules): employmentAt(bin, iin, at). */
    employment: EmploymentService;
    organizations: OrganizationsService;
    termination: TerminationService;
  }
}

/** What a holder's session may manage: everything of the person's (individual session), or its organization's only (employee session). */
const scopeOf = (me: CertifiedPerson) => {
  if (me.session.holder === 'employee' && !me.bin) throw personalSessionRequired('manage certificates');
  return { iin: me.iin, bin: me.bin };
};

const personSecurity: Record<string, string[]>[] = [{ personSession: [] }];

/** The actor set by requireOrgActor (the preHandler guarantees it). */
const actorOf = (request: { orgActor: OrgActor | null }): OrgActor => {
  if (!request.orgActor) throw AppError.unauthorized('AUTH_REQUIRED', 'Sign in first');
  return request.orgActor;
};

/** Routes in their own encapsulated context: the text/csv parser stays here. */
async function orgsRoutes(root: FastifyInstance) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { organizations, employment, termination } = app;
  const holdings = new CertificateHoldings(app.database.db, app.database.readDb);
  const staffSync = new StaffSyncService(app.database.db, termination);
  const employeeCertificates = app.employeeAuthorizations as EmployeeCertificateService;
  const holder = new HolderService(app.database.db, holdings, () => (app as unknown as { usage?: UsageReader }).usage);
  const person = app.requirePerson();

  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 32 * 1024 * 1024 }, (_request, body, done) => done(null, body));

  app.post('/v1/orgs', {
    config: { org: 'enrol' },
    schema: {
      tags: ['signatures'],
      summary: "Enrol an organization (its first head, signed in with an employee certificate carrying the BIN, or an admin operator)",
      body: Enrolment,
      response: { 201: OrganizationView, ...problems(400, 401, 403, 409) },
    },
  }, async (request, reply) => reply.status(201).send(await organizations.enrol(request.body, actorOf(request))));

  app.get('/v1/orgs/:bin', {
    config: { org: 'administer' },
    schema: { tags: ['signatures'], summary: 'An enrolled organization', params: BinParams, response: { 200: OrganizationView, ...problems(400, 401, 403, 404) } },
  }, async (request) => {
    return organizations.view(request.params.bin);
  });

  app.post('/v1/orgs/:bin/credentials', {
    config: { org: 'manage-credentials' },
    schema: {
      tags: ['signatures'],
      summary: "Create an API credential for the organization's HR system (first head or admin; shown once)",
      params: BinParams,
      body: CredentialCreate,
      response: { 201: CredentialCreated, ...problems(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    return reply.status(201).send(await organizations.createCredential(request.params.bin, request.body.name));
  });

  app.get('/v1/orgs/:bin/credentials', {
    config: { org: 'manage-credentials' },
    schema: { tags: ['signatures'], summary: "The HR system's API credentials (never their secrets)", params: BinParams, response: { 200: Type.Object({ items: Type.Array(CredentialView) }), ...problems(400, 401, 403, 404) } },
  }, async (request) => {
    return { items: await organizations.credentials(request.params.bin) };
  });

  app.delete('/v1/orgs/:bin/credentials/:id', {
    config: { org: 'manage-credentials' },
    schema: { tags: ['signatures'], summary: 'Revoke an HR-system credential', params: CredentialParams, response: { 204: Type.Null(), ...problems(400, 401, 403, 404) } },
  }, async (request, reply) => {
    await organizations.revokeCredential(request.params.bin, request.params.id);
    return reply.status(204).send(null);
  });

  app.put('/v1/orgs/:bin/employees/:iin', {
    config: { org: 'administer' },
    schema: {
      tags: ['signatures'],
      summary: 'Record or update an employment (position, roles, start date); a person whose employment ended is re-hired as a new record',
      description:
        'Roles granted here (hr) take effect at once for Qorgau\'s organization routes, without a new certificate pair: a person signed in with a certificate of this BIN acts with ' +
        'the roles of their certificate and of their current record. The first-head role is never granted here (403 FIRST_HEAD_NEEDS_PROOF): it comes from a proof of headship.',
      params: EmployeeParams,
      body: EmployeeUpsert,
      response: { 200: EmployeeView, 201: EmployeeView, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const { bin, iin } = request.params;
    const actor = actorOf(request);
    const { employment: e, created } = await employment.upsert(bin, iin, request.body, { isHead: await organizations.isHead(actor, bin) });
    return reply.status(created ? 201 : 200).send(presentEmployment(e));
  });

  app.get('/v1/orgs/:bin/employees', {
    config: { org: 'administer' },
    schema: {
      tags: ['signatures'],
      summary: 'Employment records by IIN (current by default), a page at a time',
      params: BinParams,
      querystring: EmployeeListQuery,
      response: { 200: EmployeePage, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const page = await employment.list(request.params.bin, request.query);
    const now = new Date();
    return { items: page.items.map((e) => presentEmployment(e, now)), next: page.next };
  });

  app.get('/v1/orgs/:bin/employees/:iin', {
    config: { org: 'administer' },
    schema: { tags: ['signatures'], summary: "An employee's latest employment record", params: EmployeeParams, response: { 200: EmployeeView, ...problems(400, 401, 403, 404) } },
  }, async (request) => {
    const { bin, iin } = request.params;
    const e = await employment.latestEmployment(bin, iin);
    if (!e) throw AppError.notFound('EMPLOYEE_NOT_FOUND', `${iin} has no employment record at ${bin}`);
    return presentEmployment(e);
  });

  app.get('/v1/orgs/:bin/employees/:iin/certificates', {
    config: { org: 'administer' },
    schema: {
      tags: ['signatures'],
      summary: "The employee's certificates of this organization",
      params: EmployeeParams,
      response: { 200: EmployeeCertificates, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { bin, iin } = request.params;
    if (!(await employment.latestEmployment(bin, iin))) throw AppError.notFound('EMPLOYEE_NOT_FOUND', `${iin} has no employment record at ${bin}`);
    return { items: await holder.organizationCertificates(bin, iin), requests: await employeeCertificates.requestsOf(bin, iin) };
  });

  app.post('/v1/orgs/:bin/employees/:iin/certificates', {
    config: { org: 'administer' },
    schema: {
      tags: ['signatures'],
      summary: 'Refused: HR never submits key material for an employee; authorize the pair instead (POST …/certificate-authorizations)',
      description:
        'A certificate naming a person is issued only to that person, after they prove who they are. HR authorizes the pair; the employee makes the keys on their own machine ' +
        'and applies (POST /v1/pki/applications/signed, signed with their own individual AUTH certificate, or POST /v1/pki/applications with identity proofing). ' +
        'Answers 403 EMPLOYEE_KEYS_FROM_HR_REFUSED to the organization\'s HR, head, HR system or an admin.',
      params: EmployeeParams,
      body: EmployeeCertificateRequest,
      response: { ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const { bin, iin } = request.params;
    throw AppError.forbidden(
      'EMPLOYEE_KEYS_FROM_HR_REFUSED',
      `HR does not send keys or CSRs for an employee: authorize the pair (POST /v1/orgs/${bin}/employees/${iin}/certificate-authorizations, or "qorgau org authorize --bin ${bin} --iin ${iin}"). ${howToApply(bin)}`,
    );
  });

  app.post('/v1/orgs/:bin/employees/:iin/certificate-authorizations', {
    config: { org: 'administer' },
    schema: {
      tags: ['signatures'],
      summary: "Authorize a certificate pair for a current employee, with the employment's roles; the employee then applies with their own keys and proves who they are",
      description:
        'One open authorization per employee; it expires after validDays (7 by default) and is used up by the one pair issued under it. ' +
        'Refusals: 404 EMPLOYEE_NOT_EMPLOYED; 409 EMPLOYEE_CERTIFICATE_ACTIVE (revoke the active pair first), EMPLOYEE_AUTHORIZATION_OPEN.',
      params: EmployeeParams,
      body: Type.Union([AuthorizationCreate, Type.Null()], { description: 'Optional' }),
      response: { 201: AuthorizationView, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const { bin, iin } = request.params;
    return reply.status(201).send(await employeeCertificates.authorize(bin, iin, request.body ?? {}, actorLabel(actorOf(request))));
  });

  app.get('/v1/orgs/:bin/employees/:iin/certificate-authorizations', {
    config: { org: 'administer' },
    schema: { tags: ['signatures'], summary: "The employee's certificate authorizations, newest first", params: EmployeeParams, response: { 200: AuthorizationList, ...problems(400, 401, 403, 404) } },
  }, async (request) => {
    const { bin, iin } = request.params;
    return { items: await employeeCertificates.authorizationsOf(bin, iin) };
  });

  app.delete('/v1/orgs/:bin/employees/:iin/certificate-authorizations/:id', {
    config: { org: 'administer' },
    schema: {
      tags: ['signatures'],
      summary: 'Withdraw an open authorization (the employee can no longer apply under it)',
      params: AuthorizationParams,
      response: { 200: AuthorizationView, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const { bin, iin, id } = request.params;
    return employeeCertificates.withdraw(bin, iin, id);
  });

  app.post('/v1/orgs/:bin/employees/:iin/terminate', {
    config: { org: 'administer' },
    schema: {
      tags: ['signatures'],
      summary: "End the employment and revoke all the employee's certificates of this organization (affiliationChanged), in one transaction",
      params: EmployeeParams,
      body: Type.Union([TerminationBody, Type.Null()], { description: "Optional" }),
      response: { 200: TerminationView, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const { bin, iin } = request.params;
    const actor = actorOf(request);
    return presentTermination(bin, await termination.terminate(bin, iin, { reason: request.body?.reason, actor: actorLabel(actor) }));
  });

  app.post('/v1/orgs/:bin/staff-sync', {
    config: { org: 'administer' },
    bodyLimit: 32 * 1024 * 1024,
    schema: {
      tags: ['signatures'],
      summary: 'Upload the full current staff list (JSON or text/csv with an iin column): a dry run shows who would be terminated; confirm=true terminates them',
      consumes: ['application/json', 'text/csv'],
      params: BinParams,
      querystring: StaffSyncQuery,
      body: StaffSyncBody,
      response: { 200: StaffSyncResult, ...problems(400, 401, 403, 404, 409, 413, 415) },
    },
  }, async (request) => {
    const actor = actorOf(request);
    return staffSync.sync(request.params.bin, request.body, { confirm: request.query.confirm ?? false, expectTerminations: request.query.expectTerminations, actor: actorLabel(actor) });
  });

  // A holder's own certificates: every route here is for a signed-in person, as their sign-in
  // certificate names them, limited to its organization when it is an employee's.
  await app.register(async (scope) => {
    const mine = scope.withTypeProvider<TypeBoxTypeProvider>();
    mine.decorateRequest('holder', null);
    mine.addHook('onRequest', person as unknown as onRequestAsyncHookHandler);
    mine.addHook('onRoute', (route) => {
      if (route.schema && !route.schema.security) route.schema.security = personSecurity;
    });
    mine.addHook('preHandler', async (request) => {
      const me = await app.certifiedPerson(request.person!);
      request.holder = { me, scope: scopeOf(me) };
    });

    mine.get('/v1/me/certificates', {
      schema: {
        tags: ['signatures'],
        summary: 'Your certificates from Qorgau\'s CA and when they expire',
        description: 'A session opened with an employee certificate sees only that organization\'s certificates.',
        response: { 200: HeldCertificates, ...problems(401, 403) },
      },
    }, async (request) => {
      return { items: await holder.certificates(request.holder!.scope) };
    });

    mine.post('/v1/me/certificates/:serial/revoke', {
      schema: {
        tags: ['signatures'],
        summary: 'Revoke a lost certificate of yours (keyCompromise), with its pair; then apply again',
        description: 'Your personal (individual) certificates only from a session opened with an individual certificate (403 PERSONAL_SESSION_REQUIRED otherwise).',
        params: HolderSerialParams,
        body: Type.Union([LostCertificateBody, Type.Null()], { description: "Optional" }),
        response: { 200: LostCertificateResult, ...problems(400, 401, 403, 404, 409) },
      },
    }, async (request) => {
      const invalidity = request.body?.invalidityDate ? new Date(request.body.invalidityDate) : null;
      return holder.reportLost(request.holder!.scope, request.params.serial, invalidity);
    });

    mine.post('/v1/me/certificates/:serial/renew', {
      schema: {
        tags: ['signatures'],
        summary: 'Renew your AUTH/SIGN pair with two new CSRs; the old pair is revoked as superseded',
        description:
          'Either serial of a good pair renews both (they share a lifecycle). The new pair is of the same kind as the old (individual, or employee of the same BIN with the same roles) ' +
          'and keeps the identity proofing of the original application. An individual pair is renewed only from a session opened with an individual certificate ' +
          '(403 PERSONAL_SESSION_REQUIRED); an employee pair only while its holder is employed.',
        params: HolderSerialParams,
        body: RenewalBody,
        response: { 200: ApplicationView, ...problems(400, 401, 403, 404, 409, 422, 503) },
      },
    }, async (request) => {
      const applications = root.certificateApplications;
      if (!applications) throw new AppError('unavailable', 'CA_UNAVAILABLE', 'This server runs without a certification authority');
      return applications.renew({ iin: request.holder!.scope.iin, sessionBin: request.holder!.scope.bin }, request.params.serial, request.body, 'holder');
    });

    mine.get('/v1/me/certificate-usage', {
      schema: {
        tags: ['signatures'],
        summary: 'Where your certificates were used (device, network, time), newest first',
        description: 'A session opened with an employee certificate sees only the uses of that organization\'s certificates.',
        querystring: UsageQuery,
        response: { 200: HolderUsage, ...problems(400, 401, 403) },
      },
    }, async (request) => {
      return holder.uses(request.holder!.scope, request.query);
    });
  });
}

/** Organizations, employees, their certificates, termination, staff sync and holder self-service. */
export const orgsPlugin = fp(
  async function orgs(app: FastifyInstance) {
    const holdings = new CertificateHoldings(app.database.db, app.database.readDb);
    app.decorate('employment', new EmploymentService(app.database.db, app.database.readDb));
    const organizations = new OrganizationsService(app.database.db, app.database.readDb);
    app.decorate('organizations', organizations);
    // Organization routes (here and in other plugins registered later) state who may call them
    // with `config: { org }`; the guards come from this one hook.
    installOrgAuth(app);
    app.addHook('onRoute', orgAccess(app, organizations));
    app.decorate('termination', new TerminationService(app.database.db, holdings));
    app.decorate('employeeAuthorizations', new EmployeeCertificateService(app.database.db, holdings));
    await app.register(orgsRoutes);
  },
  { name: 'signatures-orgs', dependencies: ['database', 'auth'] },
);
