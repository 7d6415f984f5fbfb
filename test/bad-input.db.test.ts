import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { buildTestApp, getTestDatabase } from './helpers/test-database.js';
import { buildBin, buildBreach, buildIin, buildOperatorToken } from './helpers/factories.js';
import { certifyPerson, signIn } from './helpers/person-sessions.js';

/**
 * The inputs that once answered 500 or a non-problem document (issue 8, part 3), each as
 * it was found. test/malformed-input.db.test.ts generates many more from the OpenAPI document.
 */
let app: FastifyInstance;
let admin: string;
let cookie: string;
let lender: { bin: string; key: string };
let breachId: string;
const as = (token: string) => ({ authorization: `Bearer ${token}` });
const UUID_SHAPED = '-'.repeat(36);

beforeAll(async () => {
  app = await buildTestApp();
  const { database } = await getTestDatabase();
  admin = await buildOperatorToken(database.db, 'admin');
  cookie = await signIn(app, await certifyPerson(app));
  const bin = buildBin();
  const created = await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: as(admin), payload: { bin, name: `Bad input ${bin}`, licence: 'bank' } });
  expect(created.statusCode, created.body).toBe(201);
  lender = { bin, key: (await app.inject({ method: 'POST', url: `/v1/credit/lenders/${bin}/keys`, headers: as(admin) })).json().key };
  const breach = await app.inject({ method: 'POST', url: '/v1/breaches', headers: as(admin), payload: buildBreach() });
  expect(breach.statusCode, breach.body).toBe(201);
  breachId = breach.json().id;
});
afterAll(async () => app.close());

function expectProblem(response: LightMyRequestResponse | { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code?: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(response.body);
  expect(problem).toMatchObject({ status, code: expect.any(String), title: expect.any(String), detail: expect.any(String), type: expect.stringMatching(/^https:\/\//) });
  if (code) expect(problem.code).toBe(code);
  return problem;
}

const send = (options: InjectOptions) => app.inject(options);

describe('a NUL byte or another control character', () => {
  it('in a path parameter, a query string or a body string is a 400 naming the field', async () => {
    expect(expectProblem(await send({ method: 'GET', url: '/v1/breaches/a%00b' }), 400, 'CONTROL_CHARACTER').detail).toContain('params/id');
    expect(expectProblem(await send({ method: 'GET', url: '/v1/breaches?category=%00' }), 400, 'CONTROL_CHARACTER').detail).toContain('querystring/category');
    expect(expectProblem(await send({ method: 'POST', url: '/v1/auth/signin', payload: { nonce: '\u0000', cms: 'AAAA' } }), 400, 'CONTROL_CHARACTER').detail).toContain('body/nonce');
    expectProblem(await send({ method: 'PATCH', url: `/v1/breaches/${breachId}`, headers: as(admin), payload: { title: 'a\u0000b' } }), 400, 'CONTROL_CHARACTER');
    expectProblem(await send({ method: 'PATCH', url: `/v1/breaches/${breachId}`, headers: as(admin), payload: { description: 'bell \u0007' } }), 400, 'CONTROL_CHARACTER');
    expectProblem(await send({ method: 'PUT', url: `/v1/organizations/${buildBin()}`, headers: as(admin), payload: { name: 'x\u0000' } }), 400, 'CONTROL_CHARACTER');
    expectProblem(await send({ method: 'POST', url: '/v1/me/contacts', headers: { cookie }, payload: { channel: 'email', address: 'a\u0000@example.kz' } }), 400, 'CONTROL_CHARACTER');
    expectProblem(await send({ method: 'GET', url: '/v1/breaches?category=a%0Ab' }), 400, 'CONTROL_CHARACTER');
  });

  it('in a property name, or a lone surrogate, is refused too', async () => {
    expectProblem(await send({ method: 'POST', url: '/v1/auth/signin', headers: { 'content-type': 'application/json' }, payload: '{"\\u0000":1,"nonce":"n","cms":"AAAA"}' }), 400, 'CONTROL_CHARACTER');
    expectProblem(await send({ method: 'PATCH', url: `/v1/breaches/${breachId}`, headers: { ...as(admin), 'content-type': 'application/json' }, payload: '{"title":"\\ud800"}' }), 400, 'INVALID_TEXT');
  });

  it('leaves tabs and line breaks in body text alone', async () => {
    const patched = await send({ method: 'PATCH', url: `/v1/breaches/${breachId}`, headers: as(admin), payload: { description: 'line one\r\nline two\tend' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().description).toBe('line one\r\nline two\tend');
  });
});

describe('numbers that are not finite', () => {
  it('as a page size are a 400 on every paginated route', async () => {
    const paginated: [string, Record<string, string>][] = [
      ['/v1/breaches', {}],
      ['/v1/credit/checks', as(lender.key)],
      ['/v1/usage-alerts', as(admin)],
      ['/v1/me/certificate-usage', { cookie }],
      [`/v1/orgs/${buildBin()}/employees`, as(admin)],
    ];
    for (const [url, headers] of paginated) {
      for (const limit of ['Infinity', '-Infinity', '1e309', 'NaN']) {
        const response = await send({ method: 'GET', url: `${url}?limit=${limit}`, headers });
        expect(response.statusCode, `${url}?limit=${limit}: ${response.body}`).toBe(400);
        expectProblem(response, 400, 'VALIDATION_FAILED');
      }
    }
  });

  it('as a loan amount are refused, and the lender can still list its checks', async () => {
    const iin = buildIin();
    for (const amount of ['1e309', 1e309, '12', true]) {
      const payload = JSON.stringify({ iin, product: 'bank_loan', channel: 'online', amount }).replace('null', '1e309');
      expectProblem(await send({ method: 'POST', url: '/v1/credit/checks', headers: { ...as(lender.key), 'content-type': 'application/json' }, payload }), 400, 'VALIDATION_FAILED');
    }
    const allowed = await send({ method: 'POST', url: '/v1/credit/checks', headers: as(lender.key), payload: { iin, product: 'bank_loan', channel: 'online', amount: 500000 } });
    expect(allowed.statusCode, allowed.body).toBe(200);
    expectProblem(
      await send({ method: 'POST', url: '/v1/credit/loan-reports', headers: { ...as(lender.key), 'content-type': 'application/json' }, payload: `{"checkId":"${allowed.json().checkId}","amount":1e309,"issuedOn":"2026-11-20"}` }),
      400,
      'VALIDATION_FAILED',
    );
    const list = await send({ method: 'GET', url: '/v1/credit/checks', headers: as(lender.key) });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.map((i: { amount: number | null }) => i.amount)).toEqual([500000]);
  });

  it('cannot be stored as an amount even by a caller that skips the API', async () => {
    const { database } = await getTestDatabase();
    const row = sql`insert into credit_inquiries (id, lender_bin, person_hash, product, channel, amount, decision, restriction_ids, checked_at)
      values (gen_random_uuid(), ${lender.bin}, ${Buffer.alloc(32)}, 'bank_loan', 'online', 'Infinity'::numeric, 'allow', '{}', now())`;
    await expect(row.execute(database.db)).rejects.toThrow(/credit_inquiries_amount_finite/);
  });
});

describe('dates and times', () => {
  it('that JavaScript or PostgreSQL cannot hold are a 400, not a 500 or a database error', async () => {
    for (const occurredAt of ['2026-12-31T23:59:60Z', '0000-01-01T00:00:00Z', '0001-01-01T00:00:00+14:00', '9999-12-31T23:59:59.999-14:00', '2026-11-20 10:00:00Z', '2026-11-20T10:00:00+15:00']) {
      const patched = await send({ method: 'PATCH', url: `/v1/breaches/${breachId}`, headers: as(admin), payload: { occurredAt } });
      expect(expectProblem(patched, 400, 'VALIDATION_FAILED').detail, occurredAt).toContain('occurredAt');
    }
    expectProblem(await send({ method: 'GET', url: '/v1/breaches?from=0000-01-01' }), 400, 'VALIDATION_FAILED');
    expectProblem(await send({ method: 'GET', url: `/v1/credit/checks?to=${encodeURIComponent('0001-01-01T00:00:00+14:00')}`, headers: as(lender.key) }), 400, 'VALIDATION_FAILED');
    const kept = await send({ method: 'GET', url: `/v1/credit/checks?to=${encodeURIComponent('0001-01-01T00:00:00Z')}`, headers: as(lender.key) });
    expect(kept.statusCode, kept.body).toBe(200);
  });
});

describe('ids', () => {
  it('that are 36 characters but not a UUID are a 400, a well-formed unknown one a 404', async () => {
    expectProblem(await send({ method: 'GET', url: `/v1/usage-alerts/${UUID_SHAPED}`, headers: as(admin) }), 400, 'VALIDATION_FAILED');
    expectProblem(await send({ method: 'GET', url: `/v1/violations/${UUID_SHAPED}`, headers: as(admin) }), 400, 'VALIDATION_FAILED');
    expectProblem(await send({ method: 'DELETE', url: `/v1/me/contacts/${UUID_SHAPED}`, headers: { cookie } }), 400, 'VALIDATION_FAILED');
    expectProblem(await send({ method: 'DELETE', url: '/v1/me/contacts/urn:uuid:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', headers: { cookie } }), 400, 'VALIDATION_FAILED');
    expectProblem(await send({ method: 'GET', url: '/v1/usage-alerts/a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', headers: as(admin) }), 404);
  });
});

describe('bodies', () => {
  it('missing or of an undeclared media type are a 400 or 415 on routes that take several types', async () => {
    expectProblem(await send({ method: 'POST', url: '/v1/signatures/verify' }), 400, 'BODY_REQUIRED');
    expectProblem(await send({ method: 'POST', url: '/v1/signatures/verify', headers: { 'content-type': 'text/plain' }, payload: 'hello' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await send({ method: 'POST', url: '/pki/tsa', headers: { 'content-type': 'application/json' }, payload: '{"a":1}' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('are not coerced: a number or a boolean where text or a list is expected is a 400', async () => {
    expect(expectProblem(await send({ method: 'PATCH', url: `/v1/breaches/${breachId}`, headers: as(admin), payload: { title: 12345 } }), 400, 'VALIDATION_FAILED').detail).toContain('title');
    expect(expectProblem(await send({ method: 'PATCH', url: `/v1/breaches/${breachId}`, headers: as(admin), payload: { dataCategories: true } }), 400, 'VALIDATION_FAILED').detail).toContain('dataCategories');
    expect((await send({ method: 'GET', url: `/v1/breaches/${breachId}`, headers: as(admin) })).json().title).not.toBe('12345');
  });

  it('that fail to parse on a route answering DER are still a problem document, not "[object Object]"', async () => {
    for (const url of ['/pki/ocsp', '/pki/tsa']) {
      const response = await send({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '{not json' });
      expectProblem(response, 400, 'MALFORMED_JSON');
    }
  });
});

describe("the framework's own refusals are problem documents", () => {
  it('for a URL that is not valid percent-encoding, an over-long path parameter, an unknown route', async () => {
    expectProblem(await send({ method: 'GET', url: '/v1/breaches/%FF' }), 400, 'MALFORMED_URL');
    expectProblem(await send({ method: 'GET', url: `/v1/breaches/${'a'.repeat(20_000)}` }), 414, 'URI_TOO_LONG');
    expectProblem(await send({ method: 'GET', url: '/v1/nothing-here' }), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await send({ method: 'POST', url: '/v1/breaches', headers: { ...as(admin), 'content-type': 'application/xml' }, payload: '<a/>' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await send({ method: 'POST', url: '/v1/breaches', headers: { ...as(admin), 'content-type': 'application/json' }, payload: 'x'.repeat(1024 * 1024 + 1) }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('for headers over the size limit, answered on the socket (a 20 KB query string)', async () => {
    const server = await buildTestApp();
    await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = server.server.address() as AddressInfo;
      const response = await new Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: `/v1/breaches?category=${'a'.repeat(20_000)}` }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk) => (body += chunk)).on('end', () => resolve({ statusCode: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject).end();
      });
      expectProblem(response, 431, 'HEADERS_TOO_LARGE');
    } finally {
      await server.close();
    }
  });
});
