import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, getTestDatabase } from './helpers/test-database.js';
import { buildBin, buildBreach, buildIin, buildOperatorToken } from './helpers/factories.js';
import { certifyPerson, signIn, type CertifiedPerson } from './helpers/person-sessions.js';
import { enrolledOrganization } from './helpers/organizations.js';
import { installWriteLog, type WriteLog } from './helpers/write-log.js';
import { malformedRequests, operationsOf, type CredentialName, type Operation, type RequestTemplate } from './helpers/malformed-requests.js';

/**
 * Every operation in the OpenAPI document, sent generated malformed input with each credential
 * that reaches its validation. It fails on a 5xx, on a 4xx that is not an RFC 9457 problem
 * document with a `code` (unless the operation documents a binary answer for that status, as
 * OCSP and the TSA do), on a refusal that reached PostgreSQL unvalidated (INVALID_VALUE), and on
 * any row a refused request inserted, updated or deleted (a trigger on every table logs writes). Inputs that once failed are replayed from
 * test/fixtures/malformed/regressions.json.
 *
 * Bounded and seeded so CI stays fast; MALFORMED_RUNS and MALFORMED_SEED explore further.
 */
const RUNS = Number(process.env.MALFORMED_RUNS ?? 20);
const SEED = Number(process.env.MALFORMED_SEED ?? 20261129);
const REGRESSIONS: RequestTemplate[] = JSON.parse(readFileSync(new URL('./fixtures/malformed/regressions.json', import.meta.url), 'utf8'));

const app: FastifyInstance = await buildTestApp();
const operations = operationsOf(app.swagger() as Record<string, any>);
/** MALFORMED_ONLY=<regular expression> probes only the operations ("METHOD /path") it matches. */
const probed = operations.filter((op) => new RegExp(process.env.MALFORMED_ONLY ?? '').test(op.id));
const byId = new Map(operations.map((op) => [op.id, op]));

/** Written by timers, not by the request being probed: the CRL publisher publishes on its own schedule. */
const BACKGROUND_TABLES = new Set(['crls']);
/**
 * Refusals recorded on purpose: an upload of affected persons is journaled in breach_imports
 * when it starts, and a refused one ends there as failed with its error (nothing reaches
 * breach_affected). Every other table must be unchanged by a refused request.
 */
const RECORDED_REFUSALS: Record<string, string[]> = { 'POST /v1/breaches/{id}/affected': ['breach_imports'] };

let writes: WriteLog;
const credentials = {} as Record<CredentialName, Record<string, string>>;
const values: Record<string, string> = {};
let person: CertifiedPerson;

beforeAll(async () => {
  const { database } = await getTestDatabase();
  const operator = await buildOperatorToken(database.db, 'admin');
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  const lenderBin = buildBin();
  const lender = await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: bearer(operator), payload: { bin: lenderBin, name: `Malformed ${lenderBin}`, licence: 'bank' } });
  expect(lender.statusCode, lender.body).toBe(201);
  const key = await app.inject({ method: 'POST', url: `/v1/credit/lenders/${lenderBin}/keys`, headers: bearer(operator) });
  expect(key.statusCode, key.body).toBe(201);

  person = await certifyPerson(app);
  const org = await enrolledOrganization(app, buildBin());
  const [breach, breachForActions] = await Promise.all(
    [0, 1].map(async () => {
      const created = await app.inject({ method: 'POST', url: '/v1/breaches', headers: bearer(operator), payload: buildBreach() });
      expect(created.statusCode, created.body).toBe(201);
      return created.json().id as string;
    }),
  );

  Object.assign(credentials, {
    anonymous: {},
    operator: bearer(operator),
    lender: bearer(key.json().key),
    person: { cookie: await signIn(app, person) },
    orgHead: { cookie: org.headCookie },
  });
  Object.assign(values, { bin: org.bin, iin: buildIin(), serial: '0a1b2c3d4e5f', breach, breachForActions });
  writes = await installWriteLog(database.db);
});
const outcomes: string[] = [];
afterAll(async () => {
  if (process.env.MALFORMED_STATS) {
    const tally = new Map<string, number>();
    for (const o of outcomes) tally.set(o, (tally.get(o) ?? 0) + 1);
    console.log([...tally].sort().map(([o, n]) => `${n}\t${o}`).join('\n'));
  }
  await writes?.remove();
  await app.close();
});

/** Fills a template's placeholders with this run's entities (a fresh UUID for each {{uuid}}). */
function fill(text: string): string {
  return text.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => (name === 'uuid' ? randomUUID() : (values[name] ?? _m)));
}

/** A binary answer the operation documents for this status (OCSP and TSA refusals are DER). */
function documentedBinary(op: Operation | undefined, status: number, type: string): boolean {
  const content = op?.spec.responses?.[String(status)]?.content ?? {};
  return Object.keys(content).some((documented) => !documented.includes('json') && type.startsWith(documented));
}

/** Sends one request; returns why it is a failure, or undefined. */
async function probe(template: RequestTemplate): Promise<string | undefined> {
  const op = byId.get(template.operation);
  const headers: Record<string, string> = { ...credentials[template.credential], ...template.headers };
  const payload = template.bodyBase64 !== undefined ? Buffer.from(template.bodyBase64, 'base64') : template.body !== undefined ? fill(template.body) : undefined;
  await writes.take(); // whatever came before this request is not its doing
  const response = await app.inject({ method: template.method as 'GET', url: fill(template.url), headers, payload });
  const written = await writes.take();
  if (process.env.MALFORMED_STATS) outcomes.push(`${template.operation} ${template.credential} ${response.statusCode} ${/problem\+json/.test(String(response.headers['content-type'])) ? JSON.parse(response.body).code : ''}`);
  const type = String(response.headers['content-type'] ?? '');
  const status = response.statusCode;
  if (template.operation === 'POST /v1/auth/signout' && status < 300) credentials.person = { cookie: await signIn(app, person) };
  if (status >= 500) return `answered ${status}: ${response.body.slice(0, 300)}`;
  if (status < 400) return undefined;
  if (documentedBinary(op, status, type)) return undefined;
  if (!type.startsWith('application/problem+json')) return `answered ${status} as ${type || 'no content type'}, not application/problem+json: ${response.body.slice(0, 200)}`;
  let problem: { code?: unknown; status?: unknown };
  try {
    problem = JSON.parse(response.body);
  } catch {
    return `answered ${status} with a problem document that is not JSON: ${response.body.slice(0, 200)}`;
  }
  if (typeof problem.code !== 'string' || problem.status !== status) return `answered ${status} with a problem document without a code or with another status: ${response.body.slice(0, 200)}`;
  if (problem.code === 'INVALID_VALUE') return `reached the database unvalidated (${status} INVALID_VALUE)`;
  const allowed = new Set([...BACKGROUND_TABLES, ...(RECORDED_REFUSALS[template.operation] ?? [])]);
  const changed = written.filter((w) => !allowed.has(w.table));
  if (changed.length > 0) return `refused with ${status} ${problem.code} but wrote: ${changed.map((w) => `${w.op} ${w.rows} in ${w.table}`).join(', ')}`;
  return undefined;
}

/** A failure, printed as a fixture ready for regressions.json. */
function describeFailure(template: RequestTemplate, reason: string): string {
  return `${template.operation} (${template.credential}, ${template.mutation}) ${reason}\nfixture: ${JSON.stringify(template)}`;
}

describe('the OpenAPI document', () => {
  it('lists the operations the generator walks', () => {
    expect(operations.length).toBeGreaterThan(60);
    expect(byId.has('POST /v1/credit/checks')).toBe(true);
  });
});

describe('the write log', () => {
  it('sees the rows a request it lets through writes (so it would see a refused one)', async () => {
    await writes.take();
    expect((await app.inject({ method: 'POST', url: '/v1/auth/challenge' })).statusCode).toBe(201);
    expect(await writes.take()).toContainEqual({ table: 'auth_challenges', op: 'INSERT', rows: 1 });
  });
});

describe('inputs that once failed (test/fixtures/malformed/regressions.json)', () => {
  it.each(REGRESSIONS.map((r) => [`${r.operation}: ${r.mutation}`, r] as const))('%s', async (_name, template) => {
    expect(byId.has(template.operation), `${template.operation} is no longer in the OpenAPI document`).toBe(true);
    const failure = await probe(template);
    expect(failure && describeFailure(template, failure)).toBeUndefined();
  });
});

describe('generated malformed input, for every operation', () => {
  it.each(probed.map((op) => [op.id, op] as const))('%s', async (_name, op) => {
    await fc.assert(
      fc.asyncProperty(malformedRequests(op), async (template) => {
        const failure = await probe(template);
        if (failure) throw new Error(describeFailure(template, failure));
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: process.env.MALFORMED_SHRINK !== '1' },
    );
  });
});
