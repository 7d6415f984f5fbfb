import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, getTestDatabase } from '../../test/helpers/test-database.js';
import { buildBin, buildIin, buildOperatorToken } from '../../test/helpers/factories.js';

let app: FastifyInstance;
let lenderKey: string;
const as = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  app = await buildTestApp();
  const admin = await buildOperatorToken((await getTestDatabase()).database.db, 'admin');
  const bin = buildBin();
  expect((await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: as(admin), payload: { bin, name: 'Retry Bank', licence: 'bank' } })).statusCode).toBe(201);
  lenderKey = (await app.inject({ method: 'POST', url: `/v1/credit/lenders/${bin}/keys`, headers: as(admin) })).json().key;
});
afterAll(async () => app.close());

const check = (key: string | undefined, iin: string) =>
  app.inject({
    method: 'POST',
    url: '/v1/credit/checks',
    headers: { ...as(lenderKey), ...(key ? { 'idempotency-key': key } : {}) },
    payload: { iin, product: 'bank_loan', channel: 'online', amount: 1000 },
  });

async function inquiriesOf(checkIds: string[]): Promise<number> {
  const { database } = await getTestDatabase();
  const rows = await database.db.selectFrom('credit_inquiries').select('id').where('id', 'in', checkIds).execute();
  return rows.length;
}

describe('Idempotency-Key', () => {
  it('answers a retried lender check with the first answer and records one inquiry', async () => {
    const iin = buildIin();
    const key = crypto.randomUUID();
    const first = await check(key, iin);
    expect(first.statusCode, first.body).toBe(200);
    const again = await check(key, iin);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const history = await app.inject({ url: '/v1/credit/checks?limit=100', headers: as(lenderKey) });
    expect(history.json().items.filter((i: { checkId: string }) => i.checkId === first.json().checkId)).toHaveLength(1);

    // Without a key, the same request is a new check.
    const fresh = await check(undefined, iin);
    expect(fresh.json().checkId).not.toBe(first.json().checkId);
  });

  it('refuses the same key with another body, and a malformed key, recording nothing', async () => {
    const key = crypto.randomUUID();
    expect((await check(key, buildIin())).statusCode).toBe(200);
    const before = (await app.inject({ url: '/v1/credit/checks?limit=100', headers: as(lenderKey) })).json().items.length;
    const other = await check(key, buildIin());
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    const bad = await check('a b', buildIin());
    expect(bad.statusCode).toBe(400);
    const after = (await app.inject({ url: '/v1/credit/checks?limit=100', headers: as(lenderKey) })).json().items.length;
    expect(after).toBe(before);
  });

  it('frees the key when the first request was refused, so a corrected retry goes through', async () => {
    const key = crypto.randomUUID();
    const refused = await app.inject({ method: 'POST', url: '/v1/credit/checks', headers: { ...as(lenderKey), 'idempotency-key': key }, payload: { iin: '123', product: 'bank_loan', channel: 'online' } });
    expect(refused.statusCode).toBe(400);
    const again = await app.inject({ method: 'POST', url: '/v1/credit/checks', headers: { ...as(lenderKey), 'idempotency-key': key }, payload: { iin: '123', product: 'bank_loan', channel: 'online' } });
    expect(again.statusCode).toBe(400);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('two retries racing each other record one check', async () => {
    const iin = buildIin();
    const key = crypto.randomUUID();
    const answers = await Promise.all([check(key, iin), check(key, iin), check(key, iin)]);
    const ok = answers.filter((a) => a.statusCode === 200);
    expect(answers.every((a) => a.statusCode === 200 || (a.statusCode === 409 && a.json().code === 'IDEMPOTENCY_KEY_IN_USE'))).toBe(true);
    expect(new Set(ok.map((a) => a.json().checkId)).size).toBe(1);
    expect(await inquiriesOf(ok.map((a) => a.json().checkId))).toBeLessThanOrEqual(1);
  });
});
