import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { buildTestApp, getTestDatabase } from '../helpers/test-database.js';
import { buildBin, buildIin, buildOperatorToken } from '../helpers/factories.js';
import { CREDENTIAL_FAILURES_READ_TTL_MS, parseLimit } from '../../src/http/rate-limits/rate-limits.js';

/** A fresh client address per test: the counters live in the shared database. */
const address = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

const LIMITS = {
  rateLimitSigninChallenges: '3/1h',
  rateLimitSigninFailures: '3/1h',
  rateLimitCredentialFailures: '3/1h',
  rateLimitLenderChecks: '3/1h',
  rateLimitChecksPerIin: '2/1h',
};

function expectLimited(response: Awaited<ReturnType<FastifyInstance['inject']>>, code: string) {
  expect(response.statusCode, response.body).toBe(429);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.json().code).toBe(code);
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(3600);
  expect(response.json().detail).toMatch(/wait \d+ seconds/);
}

describe('limits', () => {
  it('parses COUNT/WINDOW and off', () => {
    expect(parseLimit('30/1m')).toEqual({ limit: 30, windowSeconds: 60 });
    expect(parseLimit('10/15m')).toEqual({ limit: 10, windowSeconds: 900 });
    expect(parseLimit('20/1h')).toEqual({ limit: 20, windowSeconds: 3600 });
    expect(parseLimit('5/30s')).toEqual({ limit: 5, windowSeconds: 30 });
    expect(parseLimit('off')).toBeNull();
    expect(() => parseLimit('0/1m')).toThrow();
    expect(() => parseLimit('10')).toThrow();
  });
});

/** Two instances of the app on one database: a load balancer may send each request to either. */
function sharedCounterTests(name: string, extra: () => Record<string, string>) {
  describe(`rate limits shared by two instances (${name})`, () => {
    let a: FastifyInstance;
    let b: FastifyInstance;
    let adminToken: string;
    let operatorToken: string;

    beforeAll(async () => {
      a = await buildTestApp({ ...LIMITS, ...extra() });
      b = await buildTestApp({ ...LIMITS, ...extra() });
      const { database } = await getTestDatabase();
      adminToken = await buildOperatorToken(database.db, 'admin');
      operatorToken = await buildOperatorToken(database.db, 'registry-operator');
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    const inject = (app: FastifyInstance, remoteAddress: string, options: InjectOptions) => app.inject({ ...options, remoteAddress });

    it('counts sign-in challenges per address across instances', async () => {
      const ip = address();
      const challenge = { method: 'POST' as const, url: '/v1/auth/challenge' };
      expect((await inject(a, ip, challenge)).statusCode).toBe(201);
      expect((await inject(b, ip, challenge)).statusCode).toBe(201);
      expect((await inject(a, ip, challenge)).statusCode).toBe(201);
      expectLimited(await inject(b, ip, challenge), 'RATE_LIMITED_SIGNIN_CHALLENGES');
      expect((await inject(b, address(), challenge)).statusCode, 'another address is not limited').toBe(201);
    });

    it('refuses sign-ins from an address after too many failed ones, before verifying anything', async () => {
      const ip = address();
      const bad = { method: 'POST' as const, url: '/v1/auth/signin', payload: { nonce: 'never-issued-nonce-value', cms: 'MIIBAAAA' } };
      for (const app of [a, b, a]) expect([400, 401]).toContain((await inject(app, ip, bad)).statusCode);
      expectLimited(await inject(b, ip, bad), 'RATE_LIMITED_SIGNIN_FAILURES');
      // A genuine challenge is still handed out (another rule), and another address may still try.
      expect((await inject(a, ip, { method: 'POST', url: '/v1/auth/challenge' })).statusCode).toBe(201);
      expect([400, 401]).toContain((await inject(a, address(), bad)).statusCode);
    });

    it('counts token and key guesses per address, and then refuses even a valid credential from it', async () => {
      const ip = address();
      const guesses: InjectOptions[] = [
        { method: 'GET', url: '/v1/credit/policy', headers: { authorization: 'Bearer qop_0123456789abcdef_guess' } },
        { method: 'GET', url: '/v1/credit/checks', headers: { authorization: `Bearer qlk_0123456789abcdef_${'A'.repeat(43)}` } },
        { method: 'GET', url: '/v1/me/restrictions', headers: { cookie: '__Host-qorgau-session=guessed-session-token' } },
      ];
      expect((await inject(a, ip, guesses[0])).statusCode).toBe(401);
      expect((await inject(b, ip, guesses[1])).statusCode).toBe(401);
      expect((await inject(a, ip, guesses[2])).statusCode).toBe(401);
      expectLimited(await inject(b, ip, guesses[0]), 'RATE_LIMITED_CREDENTIAL_FAILURES');
      const valid = { method: 'GET' as const, url: '/v1/credit/policy', headers: { authorization: `Bearer ${operatorToken}` } };
      expectLimited(await inject(a, ip, valid), 'RATE_LIMITED_CREDENTIAL_FAILURES');
      expect((await inject(a, address(), valid)).statusCode).toBe(200);
      // No credential at all is not a guess: it is told to authenticate, and not counted.
      const anonymous = address();
      for (let i = 0; i < 5; i++) expect((await inject(b, anonymous, { method: 'GET', url: '/v1/credit/policy' })).statusCode).toBe(401);
    });

    it('refuses a valid credential on an instance that read the address below its limit, once the guesses counted on another are seen', async () => {
      const ip = address();
      const valid = { method: 'GET' as const, url: '/v1/credit/policy', headers: { authorization: `Bearer ${operatorToken}` } };
      const guess = { method: 'GET' as const, url: '/v1/credit/policy', headers: { authorization: 'Bearer qop_0123456789abcdef_guess' } };
      // b reads the address's count (0) and keeps that reading for a moment.
      expect((await inject(b, ip, valid)).statusCode).toBe(200);
      for (let i = 0; i < 3; i++) expect((await inject(a, ip, guess)).statusCode).toBe(401);
      expectLimited(await inject(a, ip, valid), 'RATE_LIMITED_CREDENTIAL_FAILURES');
      // b's reading is at most CREDENTIAL_FAILURES_READ_TTL_MS old when it is used; past that, b reads the shared count again.
      await new Promise((resolve) => setTimeout(resolve, CREDENTIAL_FAILURES_READ_TTL_MS + 100));
      expectLimited(await inject(b, ip, valid), 'RATE_LIMITED_CREDENTIAL_FAILURES');
    });

    it('limits checks per lender key and per person checked, across lenders and instances', async () => {
      const admin = { authorization: `Bearer ${adminToken}` };
      const keys: string[] = [];
      for (let i = 0; i < 3; i++) {
        const bin = buildBin();
        expect((await a.inject({ method: 'POST', url: '/v1/credit/lenders', headers: admin, payload: { bin, name: `Limit Bank ${i}`, licence: 'bank' } })).statusCode).toBe(201);
        keys.push((await a.inject({ method: 'POST', url: `/v1/credit/lenders/${bin}/keys`, headers: admin })).json().key);
      }
      const check = (app: FastifyInstance, key: string, iin: string) =>
        inject(app, address(), { method: 'POST', url: '/v1/credit/checks', headers: { authorization: `Bearer ${key}` }, payload: { iin, product: 'bank_loan', channel: 'online', amount: 1000 } });

      // Per person: two checks of one IIN by two lenders, the third (another lender, another instance) is refused.
      const person = buildIin();
      expect((await check(a, keys[0], person)).statusCode).toBe(200);
      expect((await check(b, keys[1], person)).statusCode).toBe(200);
      expectLimited(await check(b, keys[2], person), 'RATE_LIMITED_CHECKS_OF_PERSON');

      // Per key: keys[2] made one (refused) check; two more, then the fourth is over its limit of 3.
      expect((await check(a, keys[2], buildIin())).statusCode).toBe(200);
      expect((await check(b, keys[2], buildIin())).statusCode).toBe(200);
      expectLimited(await check(a, keys[2], buildIin()), 'RATE_LIMITED_LENDER_CHECKS');
      expect((await check(a, keys[0], buildIin())).statusCode, 'another key is not limited').toBe(200);
    });

    it('counts a burst of concurrent checks exactly: a key over its limit lets through no more than the limit', async () => {
      const admin = { authorization: `Bearer ${adminToken}` };
      const bin = buildBin();
      await a.inject({ method: 'POST', url: '/v1/credit/lenders', headers: admin, payload: { bin, name: 'Burst Bank', licence: 'bank' } });
      const key = (await a.inject({ method: 'POST', url: `/v1/credit/lenders/${bin}/keys`, headers: admin })).json().key;
      // Ten checks at once on two instances: the counters group them, yet exactly 3 (the limit) pass.
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          inject(i % 2 ? a : b, address(), { method: 'POST', url: '/v1/credit/checks', headers: { authorization: `Bearer ${key}` }, payload: { iin: buildIin(), product: 'bank_loan', channel: 'online', amount: 1000 } }),
        ),
      );
      expect(answers.filter((r) => r.statusCode === 200)).toHaveLength(3);
      for (const refused of answers.filter((r) => r.statusCode !== 200)) expectLimited(refused, 'RATE_LIMITED_LENDER_CHECKS');
    });

    it('keeps no raw IIN in the counters', async () => {
      const { database } = await getTestDatabase();
      const iin = buildIin();
      const admin = { authorization: `Bearer ${adminToken}` };
      const bin = buildBin();
      await a.inject({ method: 'POST', url: '/v1/credit/lenders', headers: admin, payload: { bin, name: 'Counter Bank', licence: 'bank' } });
      const key = (await a.inject({ method: 'POST', url: `/v1/credit/lenders/${bin}/keys`, headers: admin })).json().key;
      await a.inject({ method: 'POST', url: '/v1/credit/checks', headers: { authorization: `Bearer ${key}` }, payload: { iin, product: 'bank_loan', channel: 'online', amount: 1000 } });
      if (name !== 'PostgreSQL') return;
      // Unlogged: counting writes no WAL, so it never waits for the disk (see the migration).
      const persistence = await sql<{ p: string }>`select relpersistence as p from pg_class where relname = 'rate_limit_counters'`.execute(database.db);
      expect(persistence.rows[0].p).toBe('u');
      const rows = await database.db.selectFrom('rate_limit_counters').select('key').execute();
      expect(rows.some((r) => r.key.includes(a.pseudonymizer.of(iin).toString('hex'))), 'the canary: the pseudonym is there').toBe(true);
      expect(rows.some((r) => r.key.includes(iin))).toBe(false);
    });
  });
}

sharedCounterTests('PostgreSQL', () => ({}));

// Redis where QORGAU_REDIS_URL would point: a real redis-server on a port of its own (.ci/run installs it).
const redisServer = spawnSync('redis-server', ['--version']).status === 0;
describe.skipIf(!redisServer)('with Redis', () => {
  let redis: ChildProcess;
  const port = 18300 + randomInt(80);
  beforeAll(async () => {
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      redis.stdout!.on('data', (d) => {
        out += d;
        if (/Ready to accept connections/.test(out)) resolve();
      });
      redis.on('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
    });
  });
  afterAll(() => {
    redis?.kill('SIGTERM');
  });
  sharedCounterTests('Redis', () => ({ redisUrl: `redis://127.0.0.1:${port}` }));
});
