import { logExpiredRestrictions } from './restriction-expiry.js';
import { IdempotencyHeaders } from '../../schemas/idempotency.js';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Config } from '../../config/config.js';
import { resilientPool, type Database } from '../../db/database.js';
import type { Pseudonymizer } from '../../privacy/pseudonym.js';
import type { RegistryService } from '../registry/index.js';
import { LENDER_SCOPES, type LenderScope } from './lender-keys.js';
import { CheckService, presentInquiry } from './checks.service.js';
import { RegistrySigner } from './checks.signing.js';
import {
  CheckAnswer,
  CheckListQuery,
  CheckParams,
  CheckRequest,
  InquiryView,
  LoanReportCreate,
  LoanReportView,
  RestrictionSchema,
  SigningKey,
} from './checks.schema.js';
import { LenderService } from './lenders.service.js';
import { LenderCreate, LenderKeyCreated, LenderParams, LenderView, OwnKeyParams, OwnKeys } from './lenders.schema.js';
import { PolicyService } from './policy.service.js';
import { PolicyCreate, PolicyView } from './policy.schema.js';
import { RestrictionService } from './restrictions.service.js';
import { problems } from '../../schemas/problem.js';

/** The services of credit protection, decorated on the app as `app.credit`. */
export interface CreditServices {
  restrictions: RestrictionService;
  policy: PolicyService;
  lenders: LenderService;
  checks: CheckService;
  signer: RegistrySigner;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    credit: CreditServices;
  }
}

/**
 * Builds the credit services and makes every publication of a breach apply the current
 * restriction policy in the publishing transaction. The answer-signing key is
 * QORGAU_CREDIT_KEY_FILE, or `<dataDir>/credit/signing-key.pem` generated on first start.
 */
export function createCreditServices(
  database: Database,
  pseudonymizer: Pseudonymizer,
  registry: RegistryService,
  config: Pick<Config, 'dataDir' | 'databaseUrl' | 'databaseReadUrl' | 'creditKeyFile'>,
): CreditServices {
  const restrictions = new RestrictionService(database);
  const policy = new PolicyService(database, registry);
  policy.install();
  const signer = RegistrySigner.fromFile(config.creditKeyFile ?? path.join(config.dataDir, 'credit', 'signing-key.pem'));
  // On PostgreSQL without a replica, lender checks run as a prepared statement on a small
  // pool of their own (Kysely's driver sends unnamed statements, planned every time).
  let pgPool: pg.Pool | undefined;
  if (database.kind === 'postgres' && config.databaseUrl && !config.databaseReadUrl && database.readDb === database.db) {
    pgPool = resilientPool({ connectionString: config.databaseUrl, max: 8 });
  }
  const checks = new CheckService(database, pseudonymizer, restrictions.repository, signer, { pgPool });
  return { restrictions, policy, lenders: new LenderService(database), checks, signer, close: async () => pgPool?.end() };
}

const operator = [{ operatorToken: [] }];
const LENDER = 'Needs a lender API key with the scope credit:check: "Authorization: Bearer qlk_..." (qorgau lender key create).';

export async function creditRoutes(root: FastifyInstance) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(RestrictionSchema);
  const { checks, policy, lenders, signer } = app.credit;
  root.addHook('onClose', async () => app.credit.close());
  // Restrictions that run out are logged by a sweep while the server runs (tests call it themselves).
  const sweepMs = root.config.logExpiryIntervalSeconds * 1000;
  let sweep: NodeJS.Timeout | undefined;
  if (sweepMs > 0) {
    root.addHook('onListen', async () => {
      sweep = setInterval(() => {
        logExpiredRestrictions(root.database.db, new Date()).then(
          (n) => n > 0 && root.log.info({ expired: n }, 'logged restrictions that ran out'),
          (err) => root.log.error({ err }, 'logging expired restrictions failed'),
        );
      }, sweepMs);
      sweep.unref();
    });
    root.addHook('onClose', async () => clearInterval(sweep));
  }
  const lender = app.requireLenderScope('credit:check');
  const policyWriter = app.requireRole('registry-operator');
  const admin = app.requireRole('admin');

  app.post('/v1/credit/checks', {
    preHandler: lender,
    config: { idempotent: true },
    schema: {
      headers: IdempotencyHeaders,
      tags: ['credit'],
      summary: 'Check a loan applicant for restrictions (recorded as an inquiry before the answer leaves)',
      description: `${LENDER} The answer is signed by the registry: see signature and GET /v1/credit/signing-key.`,
      body: CheckRequest,
      response: { 200: CheckAnswer, ...problems(400, 401, 403, 503) },
    },
  }, async (request) => checks.check(request.lender!, request.body));

  app.get('/v1/credit/checks', {
    preHandler: lender,
    schema: {
      tags: ['credit'],
      summary: "The lender's own checks, newest first",
      description: LENDER,
      querystring: CheckListQuery,
      response: { 200: Type.Object({ items: Type.Array(InquiryView) }), ...problems(400, 401, 403) },
    },
  }, async (request) => checks.listOfLender(request.lender!, request.query));

  app.get('/v1/credit/checks/:id', {
    preHandler: lender,
    schema: {
      tags: ['credit'],
      summary: "One of the lender's own checks (another lender's is not found)",
      description: LENDER,
      params: CheckParams,
      response: { 200: InquiryView, ...problems(401, 403, 404) },
    },
  }, async (request) => {
    return presentInquiry(await checks.getOfLender(request.lender!, request.params.id));
  });

  app.get('/v1/credit/keys', {
    preHandler: lender,
    schema: {
      tags: ['credit'],
      summary: "The lender's own API keys, newest first (never a secret: only its hash is kept)",
      description: `${LENDER} current marks the key of this request.`,
      response: { 200: OwnKeys, ...problems(401, 403) },
    },
  }, async (request) => lenders.keysOf(request.lender!));

  app.post('/v1/credit/keys', {
    preHandler: lender,
    schema: {
      tags: ['credit'],
      summary: 'Make another API key of your own, to rotate keys without an operator (the key is shown once)',
      description:
        `${LENDER} The new key may do no more than the key you call with (403 LENDER_KEY_SCOPE_EXCEEDED; by default it gets the same scopes), ` +
        'and a lender holds at most 20 active keys (409 LENDER_KEYS_LIMIT). Switch your systems to the new key, then revoke the old one.',
      body: Type.Object(
        { scopes: Type.Optional(Type.Array(Type.Union(LENDER_SCOPES.map((s) => Type.Literal(s))), { minItems: 1, uniqueItems: true })) },
        { additionalProperties: false },
      ),
      response: { 201: LenderKeyCreated, ...problems(400, 401, 403, 409) },
    },
  }, async (request, reply) => reply.status(201).send(await lenders.createOwnKey(request.lender!, request.body?.scopes as LenderScope[] | undefined)));

  app.delete('/v1/credit/keys/:id', {
    preHandler: lender,
    schema: {
      tags: ['credit'],
      summary: 'Revoke one of your own API keys (refused within a second everywhere; revoking the key you call with ends it too)',
      description: `${LENDER} Another lender's key, or one already revoked, is 404 LENDER_KEY_NOT_FOUND.`,
      params: OwnKeyParams,
      response: { 204: Type.Null(), ...problems(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    await lenders.revokeKey(request.lender!.bin, request.params.id);
    return reply.status(204).send(null);
  });

  app.post('/v1/credit/loan-reports', {
    preHandler: lender,
    config: { idempotent: true },
    schema: {
      headers: IdempotencyHeaders,
      tags: ['credit'],
      summary: 'Report a loan issued despite a restriction (a case for write-off)',
      description: LENDER,
      body: LoanReportCreate,
      response: { 201: LoanReportView, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request, reply) => reply.status(201).send(await checks.reportLoan(request.lender!, request.body)));

  app.get('/v1/credit/signing-key', {
    schema: { tags: ['credit'], summary: "The registry's public key for check answers (JWK Set)", response: { 200: SigningKey } },
  }, async () => ({ keys: [signer.publicJwk as { kty: string; crv: string; x: string; y: string; kid: string; alg: string; use: string }] }));

  app.get('/v1/credit/policy', {
    preHandler: policyWriter,
    schema: { tags: ['credit'], summary: 'The current restriction policy', security: operator, response: { 200: PolicyView, ...problems(401, 403) } },
  }, async () => policy.current());

  app.get('/v1/credit/policy/versions', {
    preHandler: policyWriter,
    schema: { tags: ['credit'], summary: 'Every version of the restriction policy, newest first', security: operator, response: { 200: Type.Array(PolicyView), ...problems(401, 403) } },
  }, async () => policy.versions());

  app.post('/v1/credit/policy', {
    preHandler: policyWriter,
    schema: {
      tags: ['credit'],
      summary: 'Add a new version of the restriction policy (applies to breaches published from now on)',
      security: operator,
      body: PolicyCreate,
      response: { 201: PolicyView, ...problems(400, 401, 403, 409) },
    },
  }, async (request, reply) => reply.status(201).send(await policy.addVersion(request.body, request.principal!.name)));

  app.post('/v1/credit/lenders', {
    preHandler: admin,
    schema: { tags: ['credit'], summary: 'Register a lender (bank or MFO)', security: operator, body: LenderCreate, response: { 201: LenderView, ...problems(400, 401, 403, 409) } },
  }, async (request, reply) => reply.status(201).send(await lenders.create(request.body)));

  app.get('/v1/credit/lenders', {
    preHandler: admin,
    schema: { tags: ['credit'], summary: 'Registered lenders', security: operator, response: { 200: Type.Array(LenderView), ...problems(401, 403) } },
  }, async () => lenders.list());

  app.post('/v1/credit/lenders/:bin/keys', {
    preHandler: admin,
    schema: {
      tags: ['credit'],
      summary: 'Create an API key for a lender (shown once): scope credit:check by default, fraud:lookup for the fraud indicator look-up',
      security: operator,
      params: LenderParams,
      querystring: Type.Object({ scope: Type.Optional(Type.Array(Type.Union(LENDER_SCOPES.map((s) => Type.Literal(s))), { minItems: 1, uniqueItems: true, description: 'What the key may do; repeat for several' })) }),
      response: { 201: LenderKeyCreated, ...problems(401, 403, 404, 409) },
    },
  }, async (request, reply) => reply.status(201).send(await lenders.createKey(request.params.bin, (request.query.scope as LenderScope[] | undefined) ?? ['credit:check'])));

  app.delete('/v1/credit/lenders/:bin/keys/:id', {
    preHandler: admin,
    schema: {
      tags: ['credit'],
      summary: "Revoke a lender's API key",
      security: operator,
      params: Type.Object({ bin: LenderParams.properties.bin, id: Type.String({ maxLength: 40 }) }),
      response: { 204: Type.Null(), ...problems(401, 403, 404) },
    },
  }, async (request, reply) => {
    await lenders.revokeKey(request.params.bin, request.params.id);
    return reply.status(204).send(null);
  });
}
