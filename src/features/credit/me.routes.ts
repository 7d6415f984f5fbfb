import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Channel, Product } from './checks.schema.js';
import { AppError } from '../../errors/app-error.js';
import { Breach } from '../registry/index.js';
import { decodeCmsText } from '../trust/index.js';
import { SignedDocuments } from '../trust/index.js';
import { LiftService } from './lifts.service.js';
import { LiftParams, LiftView, SignedRequestBody } from './lifts.schema.js';
import { enqueueBreachRestrictionNotices } from './restriction-notices.js';
import { deniedCheckNotices } from './checks.notices.js';
import { problems } from '../../schemas/problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    lifts: LiftService;
  }
}

const person = [{ personSession: [] }];

const { $id: _breachId, ...BreachShape } = Breach;
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const MyRestriction = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union([Type.Literal('protective'), Type.Literal('voluntary')]),
    products: Type.Array(Product),
    channels: Type.Array(Channel),
    since: Type.String({ format: 'date-time' }),
    until: Nullable(Type.String({ format: 'date-time' })),
    reason: Type.String(),
    breachId: Nullable(Type.String()),
    policyVersion: Type.Union([Type.Integer(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    endedAt: Nullable(Type.String({ format: 'date-time' })),
    inForce: Type.Boolean({ description: 'Applies now to every lender (expired, ended and lifted restrictions do not; a thaw for one lender does not count here)' }),
  },
  { $id: 'MyRestriction' },
);
const MyInquiry = Type.Object(
  {
    checkId: Type.String(),
    checkedAt: Type.String({ format: 'date-time' }),
    lender: Type.Object({ bin: Type.String(), name: Type.String() }),
    product: Product,
    channel: Channel,
    decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  },
  { $id: 'MyInquiry' },
);
const SignedDocumentView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    action: Type.String(),
    content: Type.String({ description: 'The canonical JSON you signed' }),
    cms: Type.String({ description: 'The CMS SignedData exactly as received, base64' }),
    certificateSerial: Type.String(),
    certificateSha256: Type.String(),
    signedAt: Type.String({ format: 'date-time' }),
    receivedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'SignedDocument' },
);

const SIGNED_REQUEST_REFUSALS =
  'Refusals: 422 DOCUMENT_WRONG_CERTIFICATE (signed with the AUTH certificate), DOCUMENT_SIGNATURE_INVALID, DOCUMENT_CONTENT_MISMATCH, DOCUMENT_CERTIFICATE_REVOKED, ' +
  'DOCUMENT_CERTIFICATE_UNTRUSTED, DOCUMENT_IIN_MISMATCH (a request for another IIN), DOCUMENT_NOT_CANONICAL, DOCUMENT_STALE (issuedAt more than 10 minutes away), ' +
  'DOCUMENT_INVALID_REQUEST; 403 DOCUMENT_SIGNER_NOT_SIGNED_IN; 409 DOCUMENT_REPLAYED.';

export interface MeRoutesOptions {
  clock?: () => Date;
}

/**
 * The signed-in person's own view and commands (/v1/me/...). Every route reads by the
 * session's pseudonym only: a person can never name another person's data.
 */
export const meRoutes = fp(
  async function me(root: FastifyInstance, options: MeRoutesOptions) {
    const documents = new SignedDocuments(root.database.db, root.signatureVerifier, root.pseudonymizer, options.clock);
    const lifts = new LiftService(root.database, root.credit.restrictions, documents, root.config.liftCoolingOffHours, options.clock);
    root.decorate('lifts', lifts);
    // Every change of a person's protection and every denied check notifies them (transactional outbox).
    root.registry.onPublish((trx, breach) => enqueueBreachRestrictionNotices(trx, breach));
    root.credit.checks.onDeniedSql(deniedCheckNotices);

    await root.register(async (scope) => {
      const app = scope.withTypeProvider<TypeBoxTypeProvider>();
      app.addSchema(MyRestriction);
      app.addSchema(MyInquiry);
      app.addSchema(LiftView);
      app.addSchema(SignedDocumentView);
      app.addHook('onRequest', root.requirePerson({ personal: 'see or change your own protection (restrictions, lifts, inquiries, breaches, signed documents)' }));
      const { restrictions, checks } = root.credit;

      app.get('/v1/me/breaches', {
        schema: { tags: ['me'], summary: 'Published breaches that include you', security: person, response: { 200: Type.Array(BreachShape), ...problems(401, 403) } },
      }, async (request) => root.registry.publishedBreachesOfPseudonym(request.person!.personHash));

      app.get('/v1/me/restrictions', {
        schema: { tags: ['me'], summary: 'Your restrictions, in force or not, newest first', security: person, response: { 200: Type.Array(Type.Ref('MyRestriction')), ...problems(401, 403) } },
      }, async (request) => restrictions.allOf(request.person!.personHash, options.clock?.() ?? new Date()));

      app.get('/v1/me/inquiries', {
        schema: {
          tags: ['me'],
          summary: 'Every lender check of your IIN: who, when, for what, and the answer',
          security: person,
          response: { 200: Type.Array(Type.Ref('MyInquiry')), ...problems(401, 403) },
        },
      }, async (request) => checks.inquiriesOf(request.person!.personHash));

      app.post('/v1/me/restrictions', {
        schema: {
          tags: ['me'],
          summary: 'Place a voluntary restriction (in force at once)',
          description:
            'Sign with your SIGN certificate the canonical JSON of {"action":"restriction.place","channels":[...],"iin":"<your IIN>","issuedAt":"<now, ISO 8601>","nonce":"<random>","products":[...]}. ' +
            SIGNED_REQUEST_REFUSALS,
          security: person,
          body: SignedRequestBody,
          response: { 201: Type.Object({ restriction: Type.Omit(MyRestriction, ['inForce']), documentId: Type.String({ format: 'uuid' }) }), ...problems(400, 401, 403, 409, 422) },
        },
      }, async (request, reply) => {
        // Signing through the platform is a use of the SIGN certificate: recorded, accepted or refused, when the signature is the signed-in person's.
        const cms = decodeCmsText(request.body.document, 'document');
        const person = request.person!;
        return reply.status(201).send(await root.signatureUses.around(request, 'sign', (observe) => lifts.place(person, cms, observe), { signedInAs: person.personHash }));
      });

      app.get('/v1/me/lifts', {
        schema: { tags: ['me'], summary: 'Your lifts, newest first', security: person, response: { 200: Type.Array(Type.Ref('Lift')), ...problems(401, 403) } },
      }, async (request) => lifts.list(request.person!.personHash));

      app.post('/v1/me/lifts', {
        schema: {
          tags: ['me'],
          summary: 'Lift a restriction: entirely, until a date, or for one lender for some hours (after a cooling-off)',
          description:
            'Sign with your SIGN certificate the canonical JSON of {"action":"restriction.lift","iin":...,"issuedAt":...,"nonce":...,"restrictionId":"<id>" or null for all, ' +
            '"scope":"entire"|"until"|"lender", "until":"<date>" (scope until), "lenderBin":"<BIN>" and "hours":n (scope lender)}. ' +
            `The lift takes effect after the cooling-off (${root.config.liftCoolingOffHours} h here) and can be cancelled until then. ` +
            SIGNED_REQUEST_REFUSALS,
          security: person,
          body: SignedRequestBody,
          response: { 201: Type.Ref('Lift'), ...problems(400, 401, 403, 404, 409, 422) },
        },
      }, async (request, reply) => {
        const cms = decodeCmsText(request.body.document, 'document');
        const person = request.person!;
        return reply.status(201).send(await root.signatureUses.around(request, 'sign', (observe) => lifts.requestLift(person, cms, observe), { signedInAs: person.personHash }));
      });

      app.post('/v1/me/lifts/:id/cancel', {
        schema: {
          tags: ['me'],
          summary: 'Cancel a lift during its cooling-off (protection stays)',
          security: person,
          params: LiftParams,
          response: { 200: Type.Ref('Lift'), ...problems(401, 403, 404, 409) },
        },
      }, async (request) => lifts.cancel(request.person!, request.params.id));

      app.get('/v1/me/documents', {
        schema: {
          tags: ['me'],
          summary: 'The requests you signed, newest first',
          security: person,
          response: {
            200: Type.Array(Type.Object({ id: Type.String({ format: 'uuid' }), action: Type.String(), signedAt: Type.String({ format: 'date-time' }), receivedAt: Type.String({ format: 'date-time' }) })),
            ...problems(401, 403),
          },
        },
      }, async (request) =>
        (await documents.listOf(request.person!.personHash)).map((d) => ({ id: d.id, action: d.action, signedAt: d.signedAt.toISOString(), receivedAt: d.receivedAt.toISOString() })),
      );

      app.get('/v1/me/documents/:id', {
        schema: { tags: ['me'], summary: 'A request you signed, as kept in evidence', security: person, params: LiftParams, response: { 200: Type.Ref('SignedDocument'), ...problems(401, 403, 404) } },
      }, async (request) => {
        const document = await documents.find(request.person!.personHash, request.params.id);
        if (!document) throw AppError.notFound('DOCUMENT_NOT_FOUND', `You have no signed document ${request.params.id}`);
        return {
          id: document.id,
          action: document.action,
          content: document.content,
          cms: document.cms.toString('base64'),
          certificateSerial: document.certificateSerial,
          certificateSha256: document.certificateSha256,
          signedAt: document.signedAt.toISOString(),
          receivedAt: document.receivedAt.toISOString(),
        };
      });
    });
  },
  { name: 'me', dependencies: ['auth', 'trust', 'signin'] },
);
