import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.js';
import {
  Breach,
  BreachCreate,
  BreachListQuery,
  BreachPage,
  BreachParams,
  BreachPatch,
  DataCategory,
  DataCategoryCreate,
  ImportReport,
  OrganizationParams,
  OrganizationUpsert,
  OrganizationView,
} from './registry.schema.js';
import { problems } from '../../schemas/problem.js';

const operator = [{ operatorToken: [] }];

const UPLOAD_TYPES: Record<string, 'csv' | 'ndjson'> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson' };

export async function registryRoutes(root: FastifyInstance) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(Breach);
  // Uploads are streamed straight to the importer; nothing buffers the whole body.
  app.addContentTypeParser(Object.keys(UPLOAD_TYPES), (_request, payload, done) => done(null, payload));
  const registry = app.registry;
  const writer = app.requireRole('registry-operator');

  // The public reads without a token; a registry operator who sends one also sees drafts. A token
  // that is sent but wrong is refused rather than quietly treated as the public.
  const operatorIfPresented: preHandlerAsyncHookHandler = async function (request, reply) {
    if (request.headers.authorization === undefined) return;
    await writer.call(this, request, reply);
  };
  const isOperator = (request: FastifyRequest) => request.principal !== null && request.principal !== undefined;

  app.get('/v1/breaches', {
    preHandler: operatorIfPresented,
    schema: {
      tags: ['registry'],
      summary: 'Breaches, newest first: published ones for the public, every status for registry operators',
      security: [{}, ...operator],
      querystring: BreachListQuery,
      response: { 200: BreachPage, ...problems(400, 401, 403) },
    },
  }, async (request) => registry.listBreaches(request.query, { operator: isOperator(request) }));

  app.get('/v1/breaches/:id', {
    preHandler: operatorIfPresented,
    schema: {
      tags: ['registry'],
      summary: 'One breach (drafts only for registry operators)',
      security: [{}, ...operator],
      params: BreachParams,
      response: { 200: Type.Ref('Breach'), ...problems(401, 403, 404) },
    },
  }, async (request) => registry.getBreach(request.params.id, { publicOnly: !isOperator(request) }));

  app.get('/v1/organizations/:bin', {
    schema: {
      tags: ['registry'],
      summary: "An organization with its published breaches and totals",
      params: OrganizationParams,
      response: { 200: OrganizationView, ...problems(400, 404) },
    },
  }, async (request) => registry.organization(request.params.bin));

  app.get('/v1/data-categories', {
    schema: { tags: ['registry'], summary: 'Data categories a breach can include', response: { 200: Type.Array(DataCategory) } },
  }, async () => registry.listCategories());

  app.post('/v1/data-categories', {
    preHandler: writer,
    schema: { tags: ['registry'], summary: 'Add a data category', security: operator, body: DataCategoryCreate, response: { 201: DataCategory, ...problems(400, 401, 403, 409) } },
  }, async (request, reply) => reply.status(201).send(await registry.addCategory(request.body.code, request.body.label)));

  app.put('/v1/organizations/:bin', {
    preHandler: writer,
    schema: {
      tags: ['registry'],
      summary: 'Create or rename an organization',
      security: operator,
      params: OrganizationParams,
      body: OrganizationUpsert,
      response: { 200: Type.Object({ bin: Type.String(), name: Type.String() }), ...problems(400, 401, 403) },
    },
  }, async (request) => registry.upsertOrganization(request.params.bin, request.body.name));

  app.post('/v1/breaches', {
    preHandler: writer,
    schema: { tags: ['registry'], summary: 'Record a breach as a draft', security: operator, body: BreachCreate, response: { 201: Type.Ref('Breach'), ...problems(400, 401, 403, 409) } },
  }, async (request, reply) => reply.status(201).send(await registry.createBreach(request.body)));

  app.patch('/v1/breaches/:id', {
    preHandler: writer,
    schema: {
      tags: ['registry'],
      summary: 'Correct a breach',
      security: operator,
      params: BreachParams,
      body: BreachPatch,
      response: { 200: Type.Ref('Breach'), ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => registry.updateBreach(request.params.id, request.body));

  for (const [action, run] of [
    ['publish', (id: string) => registry.publishBreach(id)],
    ['close', (id: string) => registry.closeBreach(id)],
    ['retract', (id: string) => registry.retractBreach(id)],
  ] as const) {
    app.post(`/v1/breaches/:id/${action}`, {
      preHandler: writer,
      schema: {
        tags: ['registry'],
        summary: `${action[0].toUpperCase()}${action.slice(1)} a breach`,
        security: operator,
        params: BreachParams,
        response: { 200: Type.Ref('Breach'), ...problems(401, 403, 404, 409) },
      },
    }, async (request) => run(request.params.id));
  }

  app.post('/v1/breaches/:id/affected', {
    preHandler: writer,
    bodyLimit: Number.MAX_SAFE_INTEGER,
    schema: {
      tags: ['registry'],
      summary: 'Stream the persons affected by a draft breach',
      description:
        'Body: text/csv with a header naming an `iin` column (optional `categories`, separated by `;`), or application/x-ndjson with `{"iin": "..."}` per line. Idempotent: re-sending a file adds nothing twice. Larger files: `qorgau breach import`.',
      security: operator,
      params: BreachParams,
      consumes: Object.keys(UPLOAD_TYPES),
      response: { 200: ImportReport, ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
    },
  }, async (request) => {
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const format = UPLOAD_TYPES[mediaType];
    if (!format) throw new AppError('unsupported_media', 'UNSUPPORTED_MEDIA_TYPE', 'Send text/csv or application/x-ndjson');
    const limit = app.config.importMaxBytes;
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (declared > limit) {
      throw new AppError('too_large', 'PAYLOAD_TOO_LARGE', `The upload is larger than ${limit} bytes; import large files with "qorgau breach import"`);
    }
    // importAffected checks the breach (404, 409) before it reads any of the body.
    return registry.importAffected(request.params.id, format, request.body as Readable, {
      maxBytes: limit,
      sourceName: `http:${request.principal?.name ?? 'unknown'}`,
    });
  });
}
