import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../errors/app-error.js';
import { createApiToken, listApiTokens, revokeApiToken, TOKEN_ROLES } from './api-tokens.js';
import { problems } from '../schemas/problem.js';

const operator = [{ operatorToken: [] }];

const Role = Type.Union(TOKEN_ROLES.map((r) => Type.Literal(r)));
const TokenView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const TokenCreate = Type.Object(
  {
    role: Role,
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\x00-\\x1f\\x7f]+$', description: 'Who or what holds the token (a person, a desk, a system)' }),
  },
  { additionalProperties: false },
);
const TokenParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$', description: 'Token id (16 hex digits, the part after "qor_")' }) });

/** Revoking the last admin token would leave nobody able to administer the running server. */
export function refuseLastAdmin(target: { id: string; role: string }, tokens: readonly { id: string; role: string; revoked_at: unknown }[]): void {
  const admins = tokens.filter((t) => t.role === 'admin' && !t.revoked_at);
  if (target.role === 'admin' && admins.every((a) => a.id === target.id)) {
    throw AppError.conflict('LAST_ADMIN_TOKEN', 'This is the last active admin token: create another admin token first, then revoke this one');
  }
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

/**
 * Operator tokens over HTTP, for admins: the embedded database belongs to the server's
 * process, so this is how role tokens are made while it runs (`qorgau token create --url`).
 */
export async function tokenRoutes(root: FastifyInstance) {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const admin = app.requireRole('admin');
  const db = app.database.db;

  app.get('/v1/admin/whoami', {
    preHandler: app.requireRole(...TOKEN_ROLES),
    schema: {
      tags: ['admin'],
      summary: 'The operator token presented: its id, name and role (used by `qorgau operator login`)',
      security: operator,
      response: { 200: Type.Object({ id: Type.String(), name: Type.String(), role: Role }), ...problems(401) },
    },
  }, async (request) => ({ id: request.principal!.tokenId, name: request.principal!.name, role: request.principal!.role }));

  app.post('/v1/admin/tokens', {
    preHandler: admin,
    schema: {
      tags: ['admin'],
      summary: 'Create an operator token with one role; the secret is in this answer only',
      security: operator,
      body: TokenCreate,
      response: { 201: Type.Object({ ...TokenView.properties, token: Type.String({ description: 'Shown once: only its hash is kept' }) }), ...problems(400, 401, 403) },
    },
  }, async (request, reply) => {
    const created = await createApiToken(db, request.body.name, request.body.role);
    request.log.info({ tokenId: created.id, role: request.body.role, by: request.principal?.tokenId }, 'operator token created');
    const now = new Date().toISOString();
    return reply
      .status(201)
      .header('cache-control', 'no-store')
      .send({ id: created.id, name: request.body.name, role: request.body.role, createdAt: now, lastUsedAt: null, revokedAt: null, token: created.token });
  });

  app.get('/v1/admin/tokens', {
    preHandler: admin,
    schema: { tags: ['admin'], summary: 'Operator tokens (never their secrets), oldest first', security: operator, response: { 200: Type.Object({ items: Type.Array(TokenView) }), ...problems(401, 403) } },
  }, async () => ({
    items: (await listApiTokens(db)).map((t) => ({
      id: t.id,
      name: t.name,
      role: t.role as (typeof TOKEN_ROLES)[number],
      createdAt: iso(t.created_at)!,
      lastUsedAt: iso(t.last_used_at),
      revokedAt: iso(t.revoked_at),
    })),
  }));

  app.post('/v1/admin/tokens/:id/revoke', {
    preHandler: admin,
    schema: {
      tags: ['admin'],
      summary: 'Revoke an operator token; it stops working at once',
      security: operator,
      params: TokenParams,
      response: { 200: Type.Object({ id: Type.String(), revoked: Type.Literal(true) }), ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const { id } = request.params;
    const tokens = await listApiTokens(db);
    const target = tokens.find((t) => t.id === id && !t.revoked_at);
    if (!target) throw AppError.notFound('TOKEN_NOT_FOUND', `No active token ${id}: list them with GET /v1/admin/tokens`);
    refuseLastAdmin(target, tokens);
    if (!(await revokeApiToken(db, id))) throw AppError.notFound('TOKEN_NOT_FOUND', `No active token ${id}`);
    request.log.info({ tokenId: id, by: request.principal?.tokenId }, 'operator token revoked');
    return { id, revoked: true as const };
  });
}
