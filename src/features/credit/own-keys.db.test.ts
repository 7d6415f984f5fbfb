import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, getTestDatabase } from '../../../test/helpers/test-database.js';
import { buildBin, buildOperatorToken } from '../../../test/helpers/factories.js';

let app: FastifyInstance;
let admin: string;
const as = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  app = await buildTestApp();
  admin = await buildOperatorToken((await getTestDatabase()).database.db, 'admin');
});
afterAll(async () => app.close());

async function buildLender(scope?: string) {
  const bin = buildBin();
  const created = await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: as(admin), payload: { bin, name: `Own keys ${bin}`, licence: 'bank' } });
  expect(created.statusCode, created.body).toBe(201);
  const key = await app.inject({ method: 'POST', url: `/v1/credit/lenders/${bin}/keys${scope ? `?scope=${scope}` : ''}`, headers: as(admin) });
  expect(key.statusCode, key.body).toBe(201);
  return { bin, key: key.json().key as string, id: key.json().id as string };
}

const list = (key: string) => app.inject({ method: 'GET', url: '/v1/credit/keys', headers: as(key) });
const make = (key: string, payload: object = {}) => app.inject({ method: 'POST', url: '/v1/credit/keys', headers: as(key), payload });
const revoke = (key: string, id: string) => app.inject({ method: 'DELETE', url: `/v1/credit/keys/${id}`, headers: as(key) });
const pause = () => new Promise((r) => setTimeout(r, 1100)); // the key cache holds a verdict for one second

describe('a lender manages its own API keys', () => {
  it('makes a key shown once, lists its keys without secrets, and revokes the old one, which then stops working', async () => {
    const lender = await buildLender();
    const made = await make(lender.key);
    expect(made.statusCode, made.body).toBe(201);
    const fresh = made.json() as { id: string; key: string; scopes: string[]; lenderBin: string };
    expect(fresh.key).toMatch(new RegExp(`^qlk_${fresh.id}_[A-Za-z0-9_-]{43}$`));
    expect(fresh).toMatchObject({ lenderBin: lender.bin, scopes: ['credit:check'] });

    const listed = await list(fresh.key);
    expect(listed.statusCode, listed.body).toBe(200);
    const items = listed.json().items as { id: string; current: boolean; revokedAt: string | null; scopes: string[] }[];
    expect(items.map((k) => k.id).sort()).toEqual([lender.id, fresh.id].sort());
    expect(items.find((k) => k.id === fresh.id)?.current).toBe(true);
    expect(items.find((k) => k.id === lender.id)?.current).toBe(false);
    // The secret is everything after `qlk_<id>_`; it may itself hold '_' (base64url), so no split.
    const secret = fresh.key.slice(`qlk_${fresh.id}_`.length);
    expect(secret.length).toBeGreaterThan(20);
    expect(listed.body).not.toContain(secret);

    expect((await revoke(fresh.key, lender.id)).statusCode).toBe(204);
    await pause();
    expect((await list(lender.key)).statusCode).toBe(401);
    const after = (await list(fresh.key)).json().items as { id: string; revokedAt: string | null }[];
    expect(after.find((k) => k.id === lender.id)?.revokedAt).toEqual(expect.any(String));
    // Revoked already: not found, as another lender's key is.
    expect((await revoke(fresh.key, lender.id)).json()).toMatchObject({ code: 'LENDER_KEY_NOT_FOUND' });
  });

  it("never sees, nor revokes, another lender's keys", async () => {
    const a = await buildLender();
    const b = await buildLender();
    const listed = (await list(a.key)).json().items as { id: string }[];
    expect(listed.map((k) => k.id)).toEqual([a.id]);
    const refused = await revoke(a.key, b.id);
    expect(refused.statusCode).toBe(404);
    expect(refused.json().code).toBe('LENDER_KEY_NOT_FOUND');
    expect((await list(b.key)).statusCode).toBe(200);
  });

  it('refuses a new key that may do more than the key asking, a malformed id, and keys beyond the limit', async () => {
    const lender = await buildLender();
    const escalated = await make(lender.key, { scopes: ['credit:check', 'fraud:lookup'] });
    expect(escalated.statusCode).toBe(403);
    expect(escalated.json().code).toBe('LENDER_KEY_SCOPE_EXCEEDED');
    expect((await make(lender.key, { scopes: ['root'] })).statusCode).toBe(400);
    expect((await revoke(lender.key, 'not-a-key-id')).statusCode).toBe(400);
    for (let i = 1; i < 20; i++) expect((await make(lender.key)).statusCode).toBe(201);
    const over = await make(lender.key);
    expect(over.statusCode).toBe(409);
    expect(over.json().code).toBe('LENDER_KEYS_LIMIT');
  });

  it('needs a lender key with credit:check: none, an operator token or a look-up-only key are refused', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/credit/keys' })).statusCode).toBe(401);
    expect((await list(admin)).statusCode).toBe(401);
    const lookupOnly = await buildLender('fraud:lookup');
    const refused = await list(lookupOnly.key);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('AUTH_SCOPE');
  });
});
