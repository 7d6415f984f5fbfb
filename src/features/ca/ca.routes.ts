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
  CaptureBody,
  CaptureForReviewView,
  CaptureReceipt,
  CaptureSecretHeaders,
  CaptureViewsQuery,
  CaptureViewsView,
  LivenessChallenge,
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
import { ProofingCaptures } from './applications/proofing-captures.js';
import { FaceMatchTestDouble } from './applications/face-match.js';
import { problems } from '../../schemas/problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Remote certificate applications; present when the app has a CA hierarchy. */
    certificateApplications?: CertificateApplicationService;
    /** The organizations feature's answer to "has (BIN, IIN) been authorized an employee pair?" (a port the CA asks). */
    employeeAuthorizations?: EmployeeAuthorizations;
  }
}

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
    // No face-match service exists here: the test double stands in and marks its score as such (face-match.ts).
    const captures = new ProofingCaptures(app.database.db, app.config.pseudonymKey, new FaceMatchTestDouble());
    applications.captures = captures;
    app.decorate('certificateApplications', applications);
    // The pictures are kept while the application waits and for the retention period after the decision, then deleted.
    const purge = async () => {
      const purged = await captures.purgeDecided(app.config.proofingCaptureRetentionDays);
      if (purged > 0) app.log.info({ purged }, 'deleted the pictures of decided certificate applications past their retention');
    };
    if (app.config.proofingCapturePurgeIntervalMinutes > 0) {
      const timer = setInterval(() => void purge().catch((err) => app.log.error({ err }, 'purging proofing captures failed')), app.config.proofingCapturePurgeIntervalMinutes * 60_000);
      timer.unref();
      root.addHook('onClose', async () => clearInterval(timer));
    }
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

    app.post('/v1/pki/applications/:id/liveness-challenge', {
      schema: {
        tags: ['pki'],
        summary: 'Start the live capture of remote identity proofing: prompts to follow in front of the camera, and a code',
        description:
          'For an application waiting for review, by the browser that submitted it: the header Qorgau-Capture-Secret carries the captureSecret the submission returned. ' +
          'A new challenge replaces an unanswered one and lasts 10 minutes. ' +
          'Refusals: 401 CAPTURE_SECRET_MISSING; 403 CAPTURE_SECRET_MISMATCH; 404 APPLICATION_NOT_FOUND; 409 APPLICATION_NOT_PENDING, CAPTURE_ALREADY_GIVEN, CAPTURE_NOT_NEEDED.',
        params: ApplicationParams,
        headers: CaptureSecretHeaders,
        response: { 201: LivenessChallenge, ...problems(400, 401, 403, 404, 409) },
      },
    }, async (request, reply) => reply.status(201).send(await captures.challenge(request.params.id, request.headers['qorgau-capture-secret'])));

    app.post('/v1/pki/applications/:id/capture', {
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags: ['pki'],
        summary: 'Give the live capture (one camera frame per prompt, in order) and a photo of the ID document',
        description:
          'Answers the liveness challenge; given once, by the browser that submitted the application (header Qorgau-Capture-Secret: the captureSecret the submission returned; ' +
          '401 CAPTURE_SECRET_MISSING, 403 CAPTURE_SECRET_MISMATCH, nothing written). The pictures are stored encrypted for the operator and deleted after the retention period once the application is decided. ' +
          'The face-match score is computed by the configured provider; none is connected here, so it is a test double\'s (docs/ca.md). ' +
          'Refusals: 400 CAPTURE_MALFORMED; 409 CAPTURE_NO_CHALLENGE, CAPTURE_CHALLENGE_EXPIRED, CAPTURE_ALREADY_GIVEN, CAPTURE_REPLAYED (a frame already given for an application), APPLICATION_NOT_PENDING; ' +
          '413 CAPTURE_TOO_LARGE; 415 CAPTURE_NOT_AN_IMAGE; 422 CAPTURE_CODE_MISMATCH, CAPTURE_PROMPTS_MISMATCH, CAPTURE_FRAMES_IDENTICAL.',
        params: ApplicationParams,
        headers: CaptureSecretHeaders,
        body: CaptureBody,
        response: { 201: CaptureReceipt, ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    }, async (request, reply) => reply.status(201).send(await captures.capture(request.params.id, request.headers['qorgau-capture-secret'], request.body)));

    app.get('/v1/pki/applications/:id/capture', {
      preHandler: caOperator,
      schema: {
        tags: ['pki'],
        summary: "The applicant's ID photo and live frames, with the face-match score, for the operator's review",
        description:
          'The score is marked testDouble: true while no face-match service is connected. Every opening is recorded (who, when; GET /v1/pki/capture-views). ' +
          '404 CAPTURE_NOT_FOUND, CAPTURE_PURGED (deleted after the retention period).',
        security: operator,
        params: ApplicationParams,
        response: { 200: CaptureForReviewView, ...problems(400, 401, 403, 404) },
      },
    }, async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return captures.forReview(request.params.id, `token:${request.principal!.name}`);
    });

    app.get('/v1/pki/capture-views', {
      preHandler: app.requireRole('ca-operator', 'inspector'),
      schema: {
        tags: ['pki'],
        summary: "Who opened applicants' pictures and when, newest first (of one application with applicationId)",
        description: 'For CA operators and the inspector who supervises them. The record stays after the pictures are deleted.',
        security: operator,
        querystring: CaptureViewsQuery,
        response: { 200: CaptureViewsView, ...problems(400, 401, 403) },
      },
    }, async (request) => captures.views(request.query));

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
          'Any other application takes no roles (422 HEADSHIP_PROOF_MISSING): an employee\'s roles come from the organization\'s authorization. ' +
          'A remote approval (the default) needs the live capture and ID photo of the application (409 PROOFING_CAPTURE_MISSING otherwise); ' +
          'an in-person approval records that the operator saw the person and the document.',
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
