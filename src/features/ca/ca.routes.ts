import { emptyBodyAsObject } from '../../schemas/optional-body.js';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../errors/app-error.js';
import {
  ApplicationCreate,
  ApplicationParams,
  ApplicationView,
  ApproveBody,
  CertificateFormatQuery,
  CertificateKindParams,
  RejectBody,
  ReviewQueue,
  ReviewQueueQuery,
  SignedApplication,
} from './applications/application.schema.js';
import { noEmployeeAuthorizations, type EmployeeAuthorizations } from './applications/employee-authorizations.js';
import { decodeCmsText, SignedDocuments } from '../trust/index.js';
import { CertificateApplicationService } from './applications/application.service.js';
import type { CaEntity } from './authority/hierarchy.js';
import { recordHierarchyCertificates } from './authority/hierarchy-records.js';
import { expiringCertificates, ROLLOVER_ENTITIES } from './authority/rollover.js';
import { Gauge } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    /** Remote certificate applications; present when the app has a CA hierarchy. */
    certificateApplications?: CertificateApplicationService;
    /** The organizations feature's answer to "has (BIN, IIN) been authorized an employee pair?" (a port the CA asks). */
    employeeAuthorizations?: EmployeeAuthorizations;
  }
}

const Problem = Type.Object(
  { type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.String(), code: Type.String() },
  { additionalProperties: true, description: 'RFC 9457 problem document' },
);
const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Problem]));
/** DER bodies: a Buffer for TypeScript, a binary string for OpenAPI. Fastify sends Buffers as they are. */
const binary = (description: string) => Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description });
const operator = [{ operatorToken: [] }];

function pem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

/**
 * Certificate applications, the operator review queue, downloads of issued
 * certificates and of the CA certificates (`/pki/ca/{name}.cer`).
 */
export const pkiRoutes = fp(
  async function pki(root: FastifyInstance) {
    const hierarchy = root.pki;
    if (!hierarchy) return;
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const applications = new CertificateApplicationService(
      app.database.db,
      hierarchy,
      app.config.publicUrl,
      (iin) => app.registry.publishedBreachesOf(iin),
      app.database.readDb,
      // Asked at request time: the organizations plugin registers after this one.
      () => app.employeeAuthorizations ?? noEmployeeAuthorizations,
    );
    app.decorate('certificateApplications', applications);
    await recordHierarchyCertificates(app.database.db, hierarchy);
    // Rolled over with "qorgau ca rollover" (OCSP signer, TSA) or a new ceremony (CAs) before it is too late.
    for (const e of expiringCertificates(hierarchy)) {
      app.log.warn({ entity: e.name, notAfter: e.notAfter.toISOString(), daysLeft: e.daysLeft }, `the ${e.name} certificate expires in ${e.daysLeft} days: ${e.name in ROLLOVER_ENTITIES ? `run "qorgau ca rollover ${e.name}"` : 'a CA certificate is renewed by a key ceremony'}`);
    }
    if (app.hasDecorator('metrics') && !app.metrics.getSingleMetric('qorgau_ca_certificate_expiry_seconds')) {
      new Gauge({
        name: 'qorgau_ca_certificate_expiry_seconds',
        help: 'Seconds until each certificate of the CA hierarchy expires (root, issuing, ocsp-signer, tsa); alert well before 0',
        labelNames: ['entity'],
        registers: [app.metrics],
        collect() {
          for (const e of [hierarchy.root, hierarchy.issuing, hierarchy.ocspSigner, hierarchy.tsa]) this.set({ entity: e.name }, Math.round((e.certificate.notAfter.getTime() - Date.now()) / 1000));
        },
      });
    }
    const caOperator = app.requireRole('ca-operator');
    const caCertificates = new Map<string, CaEntity>([hierarchy.root, hierarchy.issuing, hierarchy.ocspSigner, hierarchy.tsa].map((e) => [e.name, e]));

    app.get('/pki/ca/:file', {
      schema: {
        tags: ['pki'],
        summary: 'A CA certificate: root, issuing, ocsp-signer or tsa (.cer is DER, application/pkix-cert; .pem is PEM)',
        params: Type.Object({ file: Type.String({ pattern: '^[a-z0-9-]+\\.(cer|pem)$', description: '<name>.cer or <name>.pem' }) }),
        produces: ['application/pkix-cert', 'application/x-pem-file'],
        response: { 200: binary('DER Certificate'), ...problems(400, 404) },
      },
    }, async (request, reply) => {
      const [, name, extension] = /^(.+)\.(cer|pem)$/.exec(request.params.file)!;
      const entity = caCertificates.get(name);
      if (!entity) throw AppError.notFound('CA_NOT_FOUND', `No CA certificate named ${name}; there are ${[...caCertificates.keys()].join(', ')}`);
      reply.header('cache-control', 'public, max-age=3600');
      if (extension === 'pem') return reply.type('application/x-pem-file').send(Buffer.from(pem(entity.der)));
      return reply.type('application/pkix-cert').send(entity.der);
    });

    app.post('/v1/pki/applications', {
      schema: {
        tags: ['pki'],
        summary: 'Apply for an AUTH and SIGN certificate pair with two PKCS#10 CSRs (the private keys never leave the applicant)',
        description:
          'Identity proofing decides (or a CA operator reviews). An employee of an enrolled organization applies only after its HR authorized the pair ' +
          '(403 EMPLOYEE_NOT_AUTHORIZED otherwise); the certificate then carries the organization and roles of the authorization. ' +
          'A company head applies for the first-head pair with registrationExtract (the business registry extract number): it always waits for an operator who checks it ' +
          '(400 REGISTRATION_EXTRACT_FORMAT, 409 REGISTRATION_EXTRACT_REUSED). An employee application for an organization not enrolled, without an extract, is 404 ORG_NOT_ENROLLED.',
        body: ApplicationCreate,
        response: { 201: ApplicationView, ...problems(400, 403, 409, 413, 422) },
      },
    }, async (request, reply) => reply.status(201).send(await applications.submit(request.body)));

    app.post('/v1/pki/applications/signed', {
      schema: {
        tags: ['pki'],
        summary: 'Apply for the employee pair your organization authorized (or, as a company head, for the first-head pair), signing the application with your own AUTH certificate',
        description:
          'The signature proves who you are: the pair is issued at once when your organization has an open authorization for your IIN and its BIN. ' +
          'The signed application is kept as your evidence (GET /v1/me/documents/{id}). Refusals: 403 EMPLOYEE_NOT_AUTHORIZED; 404 ORG_NOT_ENROLLED; ' +
          '409 EMPLOYEE_CERTIFICATE_ACTIVE, DOCUMENT_REPLAYED; 422 APPLICATION_SIGNATURE_INVALID, APPLICATION_CERTIFICATE_REVOKED, APPLICATION_CERTIFICATE_UNTRUSTED, ' +
          'APPLICATION_WRONG_CERTIFICATE (a SIGN certificate), APPLICATION_NOT_INDIVIDUAL_CERTIFICATE, APPLICATION_SIGNER_MISMATCH (another IIN than the signer\'s), ' +
          'APPLICATION_STALE, APPLICATION_NOT_CANONICAL, APPLICATION_MALFORMED, CSR_SUBJECT_MISMATCH, CSR_SAME_KEY. ' +
          'A head application ("head-certificate.apply") signed with an employee AUTH certificate carrying the first-head role for the BIN is issued at once; signed with an individual ' +
          'certificate and a registrationExtract it waits for an operator. Its refusals: 422 HEADSHIP_NOT_PROVEN (an employee certificate without first-head, or of another BIN), ' +
          'HEADSHIP_PROOF_REQUIRED (an individual certificate without registrationExtract); 409 REGISTRATION_EXTRACT_REUSED.',
        body: SignedApplication,
        response: { 201: ApplicationView, ...problems(400, 403, 404, 409, 413, 422) },
      },
    }, async (request, reply) => {
      const cms = decodeCmsText(request.body.application, 'application');
      const deps = { verifier: app.signatureVerifier, documents: new SignedDocuments(app.database.db, app.signatureVerifier, app.pseudonymizer), pseudonymizer: app.pseudonymizer };
      return reply.status(201).send(await applications.submitSigned(deps, cms));
    });

    app.get('/v1/pki/applications/:id', {
      schema: { tags: ['pki'], summary: 'Status of an application, with its certificates once issued', params: ApplicationParams, response: { 200: ApplicationView, ...problems(404) } },
    }, async (request) => applications.view(request.params.id));

    app.get('/v1/pki/applications/:id/certificates/:kind', {
      schema: {
        tags: ['pki'],
        summary: 'Download the issued AUTH or SIGN certificate (DER, or PEM with ?format=pem)',
        params: CertificateKindParams,
        querystring: CertificateFormatQuery,
        produces: ['application/pkix-cert', 'application/x-pem-file'],
        response: { 200: binary('DER Certificate'), ...problems(400, 404, 409) },
      },
    }, async (request, reply) => {
      const der = await applications.certificate(request.params.id, request.params.kind);
      if (request.query.format === 'pem') return reply.type('application/x-pem-file').send(Buffer.from(pem(der)));
      return reply.type('application/pkix-cert').header('content-disposition', `attachment; filename="${request.params.kind}.cer"`).send(der);
    });

    app.get('/v1/pki/review-queue', {
      preHandler: caOperator,
      schema: { tags: ['pki'], summary: 'Applications waiting for an operator, oldest first', security: operator, querystring: ReviewQueueQuery, response: { 200: ReviewQueue, ...problems(400, 401, 403) } },
    }, async (request) => ({ items: await applications.reviewQueue(request.query.limit) }));

    app.post('/v1/pki/applications/:id/approve', {
      preHandler: caOperator,
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ['pki'],
        summary: "Confirm the applicant's identity and issue the pair",
        description:
          "A company head's application (it carries a registration extract number) is approved only with the extract number the operator checked in the business registry " +
          '(422 HEADSHIP_NOT_CHECKED, REGISTRATION_EXTRACT_MISMATCH) and may carry the roles of the head\'s pair (first-head, the default, plus may-sign, may-sign-financial). ' +
          'Any other application takes no roles (422 HEADSHIP_PROOF_MISSING): an employee\'s roles come from the organization\'s authorization.',
        security: operator,
        params: ApplicationParams,
        body: ApproveBody,
        response: { 200: ApplicationView, ...problems(400, 401, 403, 404, 409, 422) },
      },
    }, async (request) =>
      applications.approve(request.params.id, `token:${request.principal!.name}`, request.body.proofingMethod, request.body.note, {
        roles: request.body.roles,
        registrationExtract: request.body.registrationExtract,
      }),
    );

    app.post('/v1/pki/applications/:id/reject', {
      preHandler: caOperator,
      schema: {
        tags: ['pki'],
        summary: 'Reject an application, with the reason the applicant will see',
        security: operator,
        params: ApplicationParams,
        body: RejectBody,
        response: { 200: ApplicationView, ...problems(400, 401, 403, 404, 409) },
      },
    }, async (request) => applications.reject(request.params.id, `token:${request.principal!.name}`, request.body.reason));
  },
  { name: 'pki', dependencies: ['database', 'auth'] },
);
