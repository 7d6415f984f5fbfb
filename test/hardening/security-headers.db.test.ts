import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildTestApp, getTestDatabase } from '../helpers/test-database.js';
import { buildBin, buildIin, buildOperatorToken } from '../helpers/factories.js';
import { certifyPerson, signIn } from '../helpers/person-sessions.js';
import { enrolledOrganization } from '../helpers/organizations.js';

type Operations = Record<string, Record<string, unknown>>;

/** Every path of the OpenAPI document with its parameters filled, so that a route answers (401, 404 or 200). */
function concretePaths(app: FastifyInstance): Array<{ method: string; url: string }> {
  const spec = app.swagger() as { paths: Operations };
  const fill: Record<string, string> = { bin: buildBin(), iin: buildIin(), id: '00000000-0000-4000-8000-000000000000', serial: '01', name: 'issuing', file: 'issuing.cer', issuer: 'issuing' };
  return Object.entries(spec.paths).flatMap(([template, operations]) =>
    Object.keys(operations).map((method) => ({
      method: method.toUpperCase(),
      url: template.replace(/\{([^}]+)\}/g, (_m, name: string) => fill[name] ?? 'x'),
    })),
  );
}

function expectSecurityHeaders(response: LightMyRequestResponse, what: string) {
  const csp = String(response.headers['content-security-policy'] ?? '');
  expect(response.headers['x-content-type-options'], what).toBe('nosniff');
  expect(csp, what).toMatch(/frame-ancestors 'none'/);
  expect(csp, what).toMatch(/default-src 'self'/);
  expect(csp, what).toMatch(/script-src 'self'/);
  expect(csp, what).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(response.headers['x-frame-options'], what).toBe('DENY');
  expect(response.headers['referrer-policy'], what).toBe('no-referrer');
}

describe('security headers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(async () => app?.close());

  it('are on every answer of every route, refusals and unknown routes included', async () => {
    const routes = concretePaths(app);
    expect(routes.length).toBeGreaterThan(50);
    for (const { method, url } of [...routes, { method: 'GET', url: '/no/such/route' }]) {
      const response = await app.inject({ method: method as 'GET', url, payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
      expect(response.statusCode, `${method} ${url}`).toBeLessThan(500);
      expectSecurityHeaders(response, `${method} ${url} (${response.statusCode})`);
    }
  }, 120_000);

  it('lets the portal load its own scripts, styles, pictures and webcam stream', async () => {
    const csp = String((await app.inject({ method: 'GET', url: '/healthz' })).headers['content-security-policy']);
    const directive = (name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `)) ?? '';
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('style-src')).toBe("style-src 'self' 'unsafe-inline'");
    expect(directive('img-src')).toBe("img-src 'self' data: blob:");
    expect(directive('media-src')).toContain('blob:');
    expect(directive('connect-src')).toBe("connect-src 'self'");
    expect(directive('object-src')).toBe("object-src 'none'");
  });

  it('sends HSTS only where the client came over TLS', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).headers['strict-transport-security']).toBeUndefined();
    const forwarded = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-forwarded-proto': 'https' } });
    expect(forwarded.headers['strict-transport-security']).toMatch(/^max-age=31536000/);
    const behindTls = await buildTestApp({ publicUrl: 'https://qorgau.example.kz' });
    try {
      expect((await behindTls.inject({ method: 'GET', url: '/v1/breaches' })).headers['strict-transport-security']).toMatch(/^max-age=\d{7,}/);
    } finally {
      await behindTls.close();
    }
  });

  it('keeps personal data out of caches: /v1/me, lender answers, organization records, sessions', async () => {
    const personal = concretePaths(app).filter(({ url }) => /^\/v1\/(me\/|orgs|credit\/checks|credit\/loan-reports|auth\/)/.test(url));
    expect(personal.length).toBeGreaterThan(20);
    for (const { method, url } of personal) {
      const response = await app.inject({ method: method as 'GET', url, payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
      expect(response.headers['cache-control'], `${method} ${url} (${response.statusCode})`).toBe('no-store');
    }

    // And the answers that carry the data.
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    for (const url of ['/v1/me/restrictions', '/v1/me/inquiries', '/v1/me/breaches', '/v1/me/contacts', '/v1/me/certificates', '/v1/auth/session']) {
      const response = await app.inject({ method: 'GET', url, headers: { cookie } });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('no-store');
    }
    const { database } = await getTestDatabase();
    const admin = { authorization: `Bearer ${await buildOperatorToken(database.db, 'admin')}` };
    const lenderBin = buildBin();
    await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: admin, payload: { bin: lenderBin, name: 'Cache Bank', licence: 'bank' } });
    const key = (await app.inject({ method: 'POST', url: `/v1/credit/lenders/${lenderBin}/keys`, headers: admin })).json().key;
    const check = await app.inject({ method: 'POST', url: '/v1/credit/checks', headers: { authorization: `Bearer ${key}` }, payload: { iin: buildIin(), product: 'bank_loan', channel: 'online', amount: 1000 } });
    expect(check.statusCode).toBe(200);
    expect(check.headers['cache-control']).toBe('no-store');
    const org = await enrolledOrganization(app, buildBin());
    const record = await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}`, headers: { cookie: org.headCookie } });
    expect(record.statusCode).toBe(200);
    expect(record.headers['cache-control']).toBe('no-store');
    // A public page may be cached: the header is not everywhere by accident.
    expect((await app.inject({ method: 'GET', url: '/v1/breaches' })).headers['cache-control']).toBeUndefined();
  }, 120_000);

  // The API docs in a real browser: its scripts run under its CSP and draw the operations.
  const chromium = ['chromium', 'chromium-browser'].find((c) => spawnSync(c, ['--version']).status === 0);
  it.skipIf(!chromium)('leaves the Swagger UI at /docs working in a browser', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const profile = mkdtempSync(path.join(tmpdir(), 'qorgau-chrome-'));
    // Asynchronously: the server answering the browser runs in this process.
    const run = await promisify(execFile)(
      chromium!,
      ['--headless=new', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, '--virtual-time-budget=10000', '--dump-dom', `http://127.0.0.1:${port}/docs`],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(run.stdout).toContain('data-path="/v1/credit/checks"');
    expect(run.stdout).toContain('data-path="/v1/me/restrictions"');
  }, 90_000);
});
