import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, getTestDatabase } from '../../test/helpers/test-database.js';
import { buildBreach, buildOperatorToken } from '../../test/helpers/factories.js';
import { refuseLastAdmin } from './tokens.routes.js';

let app: FastifyInstance;
let admin: string;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  app = await buildTestApp();
  admin = await buildOperatorToken((await getTestDatabase()).database.db, 'admin');
});
afterAll(async () => app.close());

describe('operator tokens over HTTP', () => {
  it('an admin creates a role token shown once; it works for its role only, and stops at once when revoked', async () => {
    const created = await app.inject({ method: 'POST', url: '/v1/admin/tokens', headers: bearer(admin), payload: { role: 'registry-operator', name: 'registry desk' } });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { id, token } = created.json();
    expect(token).toMatch(new RegExp(`^qor_${id}_`));

    const listed = await app.inject({ url: '/v1/admin/tokens', headers: bearer(admin) });
    const row = listed.json().items.find((t: { id: string }) => t.id === id);
    expect(row).toMatchObject({ role: 'registry-operator', name: 'registry desk', revokedAt: null });
    // The secret follows `<prefix>_<id>_` and may itself hold '_' (base64url): no split.
    expect(listed.body).not.toContain(token.slice(token.indexOf('_', token.indexOf('_') + 1) + 1));

    const breach = await app.inject({ method: 'POST', url: '/v1/breaches', headers: bearer(token), payload: buildBreach() });
    expect(breach.statusCode).toBe(201);
    // A registry operator is not an admin: it cannot mint tokens for itself.
    const escalate = await app.inject({ method: 'POST', url: '/v1/admin/tokens', headers: bearer(token), payload: { role: 'admin', name: 'me' } });
    expect(escalate.statusCode).toBe(403);
    expect((await app.inject({ url: '/v1/admin/tokens', headers: bearer(token) })).statusCode).toBe(403);

    const revoked = await app.inject({ method: 'POST', url: `/v1/admin/tokens/${id}/revoke`, headers: bearer(admin) });
    expect(revoked.statusCode, revoked.body).toBe(200);
    const after = await app.inject({ method: 'POST', url: '/v1/breaches', headers: bearer(token), payload: buildBreach() });
    expect(after.statusCode).toBe(401);
    const again = await app.inject({ method: 'POST', url: `/v1/admin/tokens/${id}/revoke`, headers: bearer(admin) });
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('TOKEN_NOT_FOUND');
  });

  it('refuses anonymous callers, unknown roles and control characters, and never revokes the last admin token', async () => {
    expect((await app.inject({ method: 'POST', url: '/v1/admin/tokens', payload: { role: 'admin', name: 'x' } })).statusCode).toBe(401);
    for (const payload of [{ role: 'root', name: 'x' }, { role: 'admin', name: 'a\u0000b' }, { role: 'admin', name: '' }, { role: 'admin' }]) {
      const res = await app.inject({ method: 'POST', url: '/v1/admin/tokens', headers: bearer(admin), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect((await app.inject({ method: 'POST', url: '/v1/admin/tokens/not-a-token/revoke', headers: bearer(admin) })).statusCode).toBe(400);

    // Other test files share this worker's database and its admin tokens: the rule is checked on its own.
    const token = (id: string, role: string, revoked_at: Date | null = null) => ({ id, role, revoked_at });
    expect(() => refuseLastAdmin(token('a', 'admin'), [token('a', 'admin'), token('b', 'admin', new Date()), token('c', 'inspector')])).toThrow(/last active admin/);
    expect(() => refuseLastAdmin(token('a', 'admin'), [token('a', 'admin'), token('b', 'admin')])).not.toThrow();
    expect(() => refuseLastAdmin(token('c', 'inspector'), [token('a', 'admin'), token('c', 'inspector')])).not.toThrow();
  });
});
