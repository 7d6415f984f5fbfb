import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildTestApp, getTestDatabase } from '../../../test/helpers/test-database.js';
import { buildBin, buildBreach, buildIin, buildOperatorToken } from '../../../test/helpers/factories.js';
import { compactVerify, importJWK, type JWK } from 'jose';
import { rootOfInclusion } from '../../client/check-answer.js';
import type { Database } from '../../db/database.js';

let app: FastifyInstance;
let database: Database;
let operator: string;
let admin: string;
const as = (token: string) => ({ authorization: `Bearer ${token}` });
const DAY = 86_400_000;

/**
 * Checks an answer's signature with code that is not the server's: jose verifies the ES256 JWS
 * (and its protected header), and the lender's RFC 9162 inclusion check (src/client, itself
 * tested against the RFC 6962 reference vectors) leads from the signed answer to the root.
 */
async function verifiedRoot(signature: { jws: string; kid: string; signedAnswer: string; leafIndex: number; treeSize: number; auditPath: string[] }, jwk: JWK) {
  const verified = await compactVerify(signature.jws, await importJWK(jwk, 'ES256'), { algorithms: ['ES256'] });
  expect(verified.protectedHeader).toEqual({ alg: 'ES256', kid: jwk.kid, typ: 'qorgau-check-batch+jwt' });
  expect(signature.kid).toBe(jwk.kid);
  const payload = JSON.parse(new TextDecoder().decode(verified.payload)) as { root: string; size: number };
  expect(payload.size).toBe(signature.treeSize);
  const rootOf = (signedAnswer: string) =>
    rootOfInclusion(createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(signedAnswer, 'utf8')])).digest(), signature.leafIndex, signature.treeSize, signature.auditPath.map((h) => Buffer.from(h, 'base64url')))?.toString('base64url');
  return { signedRoot: payload.root, rootOf };
}

beforeAll(async () => {
  app = await buildTestApp();
  database = (await getTestDatabase()).database;
  operator = await buildOperatorToken(database.db, 'registry-operator');
  admin = await buildOperatorToken(database.db, 'admin');
});
afterAll(async () => app.close());

/** A published breach with the given categories and persons (each with optional categories of their own). */
async function publishBreach(dataCategories: string[], persons: { iin: string; categories?: string[] }[]) {
  const created = await app.inject({ method: 'POST', url: '/v1/breaches', headers: as(operator), payload: buildBreach({ dataCategories }) });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as string;
  const upload = await app.inject({
    method: 'POST',
    url: `/v1/breaches/${id}/affected`,
    headers: { ...as(operator), 'content-type': 'application/x-ndjson' },
    payload: persons.map((p) => JSON.stringify(p)).join('\n'),
  });
  expect(upload.statusCode, upload.body).toBe(200);
  const published = await app.inject({ method: 'POST', url: `/v1/breaches/${id}/publish`, headers: as(operator) });
  expect(published.statusCode, published.body).toBe(200);
  return { id, publishedAt: new Date(published.json().publishedAt) };
}

async function buildLender(licence: 'bank' | 'mfo' = 'bank') {
  const bin = buildBin();
  const created = await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: as(admin), payload: { bin, name: `Test ${licence} ${bin}`, licence } });
  expect(created.statusCode, created.body).toBe(201);
  const key = await app.inject({ method: 'POST', url: `/v1/credit/lenders/${bin}/keys`, headers: as(admin) });
  expect(key.statusCode, key.body).toBe(201);
  return { bin, key: key.json().key as string };
}

function check(key: string, payload: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/v1/credit/checks', headers: as(key), payload });
}

const activeFor = (iin: string, at: Date, scope = {}) => app.credit.restrictions.activeFor(app.pseudonymizer.of(iin), at, scope);

describe('restriction policy on publish', () => {
  it('restricts persons of a breach with iin and an identity or payment category, for 180 days, recording breach and policy', async () => {
    const triggering = [['iin', 'phone'], ['iin', 'id_document'], ['iin', 'bank_card'], ['iin', 'bank_account'], ['iin', 'full_name', 'bank_card']];
    for (const categories of triggering) {
      const iin = buildIin();
      const { id, publishedAt } = await publishBreach(categories, [{ iin }]);
      const active = await activeFor(iin, new Date(publishedAt.getTime() + 1000));
      expect(active, categories.join('+')).toHaveLength(1);
      expect(active[0]).toMatchObject({ kind: 'protective', breachId: id, policyVersion: expect.any(Number), products: ['bank_loan', 'microcredit'], channels: ['online', 'in_person'] });
      expect(new Date(active[0].until!).getTime() - new Date(active[0].since).getTime()).toBe(180 * DAY);
      expect(new Date(active[0].since).getTime()).toBe(publishedAt.getTime());
    }
  });

  it('does not restrict when iin or every identity/payment category is missing', async () => {
    for (const categories of [['iin', 'full_name', 'email'], ['phone', 'bank_card', 'full_name'], ['iin']]) {
      const iin = buildIin();
      await publishBreach(categories, [{ iin }]);
      expect(await activeFor(iin, new Date(Date.now() + 1000)), categories.join('+')).toHaveLength(0);
    }
  });

  it("adds a person's own categories to the breach's", async () => {
    const [plain, withCard] = [buildIin(), buildIin()];
    await publishBreach(['iin', 'full_name'], [{ iin: plain }, { iin: withCard, categories: ['bank_card'] }]);
    expect(await activeFor(plain, new Date(Date.now() + 1000))).toHaveLength(0);
    expect(await activeFor(withCard, new Date(Date.now() + 1000))).toHaveLength(1);
  });

  it('protects a person in several breaches until the latest end, and stops at until with no job', async () => {
    const iin = buildIin();
    const first = await publishBreach(['iin', 'phone'], [{ iin }]);
    // The first breach was published 30 days earlier than now in this scenario.
    await database.db.updateTable('restrictions').set({ since: new Date(first.publishedAt.getTime() - 30 * DAY), until: new Date(first.publishedAt.getTime() + 150 * DAY) }).where('breach_id', '=', first.id).execute();
    const second = await publishBreach(['iin', 'bank_account'], [{ iin }]);
    const rows = await activeFor(iin, new Date(second.publishedAt.getTime() + 1000));
    expect(rows.map((r) => r.breachId).sort()).toEqual([first.id, second.id].sort());
    const latestEnd = Math.max(...rows.map((r) => new Date(r.until!).getTime()));
    expect(latestEnd).toBe(second.publishedAt.getTime() + 180 * DAY);
    expect(await activeFor(iin, new Date(first.publishedAt.getTime() + 150 * DAY + 1))).toHaveLength(1);
    expect(await activeFor(iin, new Date(latestEnd - 1))).toHaveLength(1);
    expect(await activeFor(iin, new Date(latestEnd))).toHaveLength(0);
  });

  it('lets operators read the policy and add a version, which the next publication applies', async () => {
    const current = await app.inject({ method: 'GET', url: '/v1/credit/policy', headers: as(operator) });
    expect(current.statusCode).toBe(200);
    expect(current.json().rules[0]).toMatchObject({ all: ['iin'], any: ['id_document', 'phone', 'bank_card', 'bank_account'], days: 180 });
    expect((await app.inject({ method: 'GET', url: '/v1/credit/policy' })).statusCode).toBe(401);
    const ca = await buildOperatorToken(database.db, 'ca-operator');
    expect((await app.inject({ method: 'GET', url: '/v1/credit/policy', headers: as(ca) })).statusCode).toBe(403);
    const bad = await app.inject({ method: 'POST', url: '/v1/credit/policy', headers: as(operator), payload: { rules: [{ name: 'x', all: ['nonsense_category'], any: [], products: ['bank_loan'], channels: ['online'], days: 10 }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('CATEGORY_UNKNOWN');

    const rules = [{ name: 'email-only-30-days', all: ['iin', 'email'], any: [], products: ['microcredit'], channels: ['online'], days: 30 }];
    const added = await app.inject({ method: 'POST', url: '/v1/credit/policy', headers: as(operator), payload: { rules, note: 'test' } });
    try {
      expect(added.statusCode, added.body).toBe(201);
      expect(added.json().version).toBe(current.json().version + 1);
      const iin = buildIin();
      const { publishedAt } = await publishBreach(['iin', 'email'], [{ iin }]);
      const rows = await activeFor(iin, new Date(publishedAt.getTime() + 1000));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ products: ['microcredit'], channels: ['online'], policyVersion: added.json().version });
      expect(new Date(rows[0].until!).getTime()).toBe(publishedAt.getTime() + 30 * DAY);
      const versions = await app.inject({ method: 'GET', url: '/v1/credit/policy/versions', headers: as(operator) });
      expect(versions.json()[0].version).toBe(added.json().version);
    } finally {
      // Other test files share this database: put the default back as the newest version.
      const restored = await app.inject({ method: 'POST', url: '/v1/credit/policy', headers: as(admin), payload: { rules: current.json().rules, note: 'restore default' } });
      expect(restored.statusCode).toBe(201);
    }
  });
});

describe('lender checks', () => {
  it('allows and denies by product and channel, records every answered check, and signs the answer', async () => {
    const { bin, key } = await buildLender();
    const restricted = buildIin();
    const free = buildIin();
    await publishBreach(['iin', 'phone'], [{ iin: restricted }]);
    const microOnline = buildIin();
    await app.credit.restrictions.placeVoluntary(app.pseudonymizer.of(microOnline), { products: ['microcredit'], channels: ['online'] });

    const cases: [string, string, string, 'allow' | 'deny'][] = [
      [restricted, 'bank_loan', 'online', 'deny'],
      [restricted, 'microcredit', 'in_person', 'deny'],
      [free, 'bank_loan', 'online', 'allow'],
      [microOnline, 'microcredit', 'online', 'deny'],
      [microOnline, 'microcredit', 'in_person', 'allow'],
      [microOnline, 'bank_loan', 'online', 'allow'],
    ];
    const jwks = (await app.inject('/v1/credit/signing-key')).json();
    for (const [iin, product, channel, decision] of cases) {
      const res = await check(key, { iin, product, channel, amount: 500000 });
      expect(res.statusCode, res.body).toBe(200);
      const answer = res.json();
      expect(answer.decision, `${product}/${channel}`).toBe(decision);
      expect(answer.restrictions.length > 0).toBe(decision === 'deny');
      expect(JSON.stringify(answer)).not.toContain('person_hash');

      const row = await database.db.selectFrom('credit_inquiries').selectAll().where('id', '=', answer.checkId).executeTakeFirst();
      expect(row).toMatchObject({ lender_bin: bin, product, channel, decision });
      expect(Buffer.compare(row!.person_hash, app.pseudonymizer.of(iin))).toBe(0);

      const signed = JSON.parse(answer.signature.signedAnswer);
      expect(signed).toMatchObject({ checkId: answer.checkId, iin, decision, lenderBin: bin, checkedAt: answer.checkedAt });
      const { signedRoot, rootOf } = await verifiedRoot(answer.signature, jwks.keys[0]);
      expect(rootOf(answer.signature.signedAnswer)).toBe(signedRoot);
      // A tampered answer does not verify.
      const forged = answer.signature.signedAnswer.replace(`"decision":"${decision}"`, `"decision":"${decision === 'deny' ? 'allow' : 'deny'}"`);
      expect(forged).not.toBe(answer.signature.signedAnswer);
      expect(rootOf(forged)).not.toBe(signedRoot);
    }
  });

  it('signs a group of concurrent checks with one Merkle root, and records all of them', async () => {
    const { key } = await buildLender('mfo');
    const iins = Array.from({ length: 30 }, buildIin);
    const answers = (await Promise.all(iins.map((iin) => check(key, { iin, product: 'microcredit', channel: 'online' })))).map((r) => {
      expect(r.statusCode).toBe(200);
      return r.json();
    });
    const ids = answers.map((a) => a.checkId);
    const rows = await database.db.selectFrom('credit_inquiries').select('id').where('id', 'in', ids).execute();
    expect(rows).toHaveLength(30);
    const jwk = (await app.inject('/v1/credit/signing-key')).json().keys[0];
    for (const a of answers) {
      const { signedRoot, rootOf } = await verifiedRoot(a.signature, jwk);
      expect(rootOf(a.signature.signedAnswer)).toBe(signedRoot);
    }
  });

  it('refuses bad IINs with their codes', async () => {
    const { key } = await buildLender();
    const iin = buildIin();
    const wrongCheck = iin.slice(0, 11) + String((Number(iin[11]) + 1) % 10);
    for (const [bad, code] of [['12345', 'IIN_INVALID'], ['88051530012a', 'IIN_INVALID'], [wrongCheck, 'IIN_INVALID_CHECKSUM']]) {
      const res = await check(key, { iin: bad, product: 'bank_loan', channel: 'online' });
      expect(res.statusCode, bad).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe(code);
    }
    for (const payload of [{ iin, product: 'mortgage', channel: 'online' }, { iin, product: 'bank_loan' }, { iin, product: 'bank_loan', channel: 'online', amount: -1 }]) {
      expect((await check(key, payload)).statusCode).toBe(400);
    }
  });

  it('answers malformed bodies and queries with 400, never 500', async () => {
    const { key } = await buildLender();
    const bodies: unknown[] = [
      {},
      { iin: buildIin(), product: 'bank_loan', channel: 'online', amount: 'lots' },
      { iin: buildIin(), product: 'bank_loan', channel: 'online', extra: true },
      { iin: 'x'.repeat(5000), product: 'bank_loan', channel: 'online' },
      [],
    ];
    for (const payload of bodies) {
      const res = await app.inject({ method: 'POST', url: '/v1/credit/checks', headers: { ...as(key), 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
    }
    const broken = await app.inject({ method: 'POST', url: '/v1/credit/checks', headers: { ...as(key), 'content-type': 'application/json' }, payload: '{"iin":' });
    expect(broken.statusCode).toBe(400);
    for (const query of ['from=yesterday', 'limit=0', 'limit=abc', 'decision=maybe']) {
      expect((await app.inject({ method: 'GET', url: `/v1/credit/checks?${query}`, headers: as(key) })).statusCode, query).toBe(400);
    }
    const report = await app.inject({ method: 'POST', url: '/v1/credit/loan-reports', headers: as(key), payload: { checkId: 'nope', amount: 1, issuedOn: '2026-01-01' } });
    expect(report.statusCode).toBe(400);
    const future = await app.inject({ method: 'POST', url: '/v1/credit/loan-reports', headers: as(key), payload: { checkId: '00000000-0000-4000-8000-000000000000', amount: 1, issuedOn: '2026-02-30' } });
    expect([400, 404]).toContain(future.statusCode);
  });

  it('refuses missing, malformed, unknown and revoked keys, and operator tokens', async () => {
    const payload = { iin: buildIin(), product: 'bank_loan', channel: 'online' };
    expect((await app.inject({ method: 'POST', url: '/v1/credit/checks', payload })).json().code).toBe('AUTH_REQUIRED');
    expect((await check('qlk_nonsense', payload)).json().code).toBe('AUTH_INVALID_KEY');
    expect((await check(`qlk_${'0'.repeat(16)}_${'A'.repeat(43)}`, payload)).statusCode).toBe(401);
    expect((await check(operator, payload)).statusCode).toBe(401);
    const { bin, key } = await buildLender();
    const forged = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await check(forged, payload)).statusCode).toBe(401);
    const keyId = key.split('_')[1];
    const revoked = await app.inject({ method: 'DELETE', url: `/v1/credit/lenders/${bin}/keys/${keyId}`, headers: as(admin) });
    expect(revoked.statusCode).toBe(204);
    // Keys are cached for a second at most; the cache here is fresh for this key only if used before.
    expect((await check(key, payload)).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: as(operator), payload: { bin: buildBin(), name: 'x', licence: 'bank' } })).statusCode).toBe(403);
  });

  it('answers a check the database could not record with 503 and none of the database\'s words', async () => {
    const { key } = await buildLender();
    const restricted = buildIin();
    await app.credit.restrictions.placeVoluntary(app.pseudonymizer.of(restricted), { products: ['bank_loan'], channels: ['online'] });
    // A statement that fails in the database, in the transaction that records the check.
    const listeners = (app.credit.checks as unknown as { deniedSql: unknown[] }).deniedSql;
    app.credit.checks.onDeniedSql((denied) => sql`insert into qorgau_canary_missing_table select check_id from ${denied} d`);
    try {
      const res = await check(key, { iin: restricted, product: 'bank_loan', channel: 'online' });
      expect(res.statusCode, res.body).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status: 503, code: 'CHECK_NOT_RECORDED' });
      expect(res.body).not.toMatch(/canary|relation|insert|select|does not exist|42P01|sql/i);
    } finally {
      listeners.pop();
    }
  });

  it("lets a lender read only its own checks", async () => {
    const a = await buildLender();
    const b = await buildLender('mfo');
    const mine = (await check(a.key, { iin: buildIin(), product: 'bank_loan', channel: 'in_person' })).json();
    const theirs = (await check(b.key, { iin: buildIin(), product: 'microcredit', channel: 'online' })).json();
    const own = await app.inject({ method: 'GET', url: `/v1/credit/checks/${mine.checkId}`, headers: as(a.key) });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ checkId: mine.checkId, product: 'bank_loan', decision: 'allow' });
    const other = await app.inject({ method: 'GET', url: `/v1/credit/checks/${theirs.checkId}`, headers: as(a.key) });
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('CHECK_NOT_FOUND');
    expect((await app.inject({ method: 'GET', url: '/v1/credit/checks/not-a-uuid', headers: as(a.key) })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/v1/credit/checks/00000000-0000-4000-8000-000000000000', headers: as(a.key) })).statusCode).toBe(404);
    const list = await app.inject({ method: 'GET', url: '/v1/credit/checks?limit=50', headers: as(a.key) });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((i: { checkId: string }) => i.checkId)).toEqual([mine.checkId]);
  });

  it('records a loan reported despite a restriction, once, and only for a denied own check', async () => {
    const lender = await buildLender('mfo');
    const other = await buildLender();
    const iin = buildIin();
    await app.credit.restrictions.placeVoluntary(app.pseudonymizer.of(iin), { products: ['microcredit'], channels: ['online', 'in_person'] });
    const denied = (await check(lender.key, { iin, product: 'microcredit', channel: 'online', amount: 100000 })).json();
    expect(denied.decision).toBe('deny');
    const allowed = (await check(lender.key, { iin, product: 'bank_loan', channel: 'online' })).json();
    const report = (key: string, checkId: string) =>
      app.inject({ method: 'POST', url: '/v1/credit/loan-reports', headers: as(key), payload: { checkId, amount: 100000, issuedOn: '2026-11-20' } });
    expect((await report(other.key, denied.checkId)).statusCode).toBe(404);
    expect((await report(lender.key, allowed.checkId)).json().code).toBe('CHECK_NOT_DENIED');
    const created = await report(lender.key, denied.checkId);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ checkId: denied.checkId, lenderBin: lender.bin, amount: 100000, issuedOn: '2026-11-20', status: 'open' });
    expect((await report(lender.key, denied.checkId)).json().code).toBe('LOAN_REPORT_EXISTS');
  });

  it("gives the person's inquiries with lender name and BIN, and tells listeners about denied checks in the same transaction", async () => {
    const lender = await buildLender();
    const iin = buildIin();
    const person = app.pseudonymizer.of(iin);
    await app.credit.restrictions.placeVoluntary(person, { products: ['bank_loan'], channels: ['online'] });
    const seen: string[] = [];
    app.credit.checks.onDenied(async (trx, denied) => {
      const n = await sql<{ n: number }>`select count(*)::int as n from credit_inquiries where id = any(${denied.map((d) => d.checkId)}::uuid[])`.execute(trx);
      expect(n.rows[0].n).toBe(denied.length);
      seen.push(...denied.filter((d) => d.personHash.equals(person)).map((d) => `${d.lenderName}:${d.checkId}`));
    });
    const deny = (await check(lender.key, { iin, product: 'bank_loan', channel: 'online' })).json();
    const allow = (await check(lender.key, { iin, product: 'bank_loan', channel: 'in_person' })).json();
    expect(seen).toEqual([`Test bank ${lender.bin}:${deny.checkId}`]);
    const inquiries = await app.credit.checks.inquiriesOf(person);
    const byId = (rows: string[][]) => [...rows].sort((x, y) => x[0].localeCompare(y[0]));
    expect(byId(inquiries.map((i) => [i.checkId, i.decision, i.lender.bin, i.lender.name]))).toEqual(
      byId([
        [allow.checkId, 'allow', lender.bin, `Test bank ${lender.bin}`],
        [deny.checkId, 'deny', lender.bin, `Test bank ${lender.bin}`],
      ]),
    );
    expect(new Date(inquiries[0].checkedAt).getTime()).toBeGreaterThanOrEqual(new Date(inquiries[1].checkedAt).getTime());
  });
});

describe('check paths', () => {
  it('answers and records the same with a replica, with a prepared statement on PostgreSQL, with and without listeners', async () => {
    const { CheckService } = await import('./checks.service.js');
    const { RegistrySigner } = await import('./checks.signing.js');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const signer = RegistrySigner.fromFile(path.join(mkdtempSync(path.join(tmpdir(), 'qorgau-signer-')), 'key.pem'));
    const restricted = buildIin();
    await app.credit.restrictions.placeVoluntary(app.pseudonymizer.of(restricted), { products: ['bank_loan'], channels: ['online'] });
    const lender = { kind: 'lender' as const, keyId: 'k', bin: buildBin(), name: 'Path Bank', licence: 'bank' as const, scopes: ['credit:check'] };
    const withReplica = { ...database, readDb: database.db.withoutPlugins() };
    expect(withReplica.readDb).not.toBe(withReplica.db);
    const { databaseUrl } = await getTestDatabase();
    const pg = (await import('pg')).default;
    const pgPool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 2 }) : undefined;
    await sql`create table if not exists test_denied_checks (check_id uuid primary key, lender_name text not null)`.execute(database.db);
    const variants = [
      { db: database, listener: false, sqlListener: false },
      { db: database, listener: false, sqlListener: true },
      { db: withReplica, listener: true, sqlListener: true },
      ...(pgPool
        ? [
            { db: database, pgPool, listener: false, sqlListener: true },
            { db: database, pgPool, listener: true, sqlListener: false },
          ]
        : []),
    ];
    for (const { db, pgPool: pool, listener, sqlListener } of variants) {
      const service = new CheckService(db, app.pseudonymizer, app.credit.restrictions.repository, signer, { pgPool: pool });
      const heard: string[] = [];
      if (listener) service.onDenied(async (trx, denied) => {
        const seen = await trx.selectFrom('credit_inquiries').select('id').where('id', 'in', denied.map((d) => d.checkId)).execute();
        heard.push(...seen.map((r) => r.id));
      });
      if (sqlListener) service.onDeniedSql((denied) => sql`insert into test_denied_checks select check_id, lender_name from ${denied} d`);
      const [deny, allow] = await Promise.all([
        service.check(lender, { iin: restricted, product: 'bank_loan', channel: 'online' }),
        service.check(lender, { iin: buildIin(), product: 'bank_loan', channel: 'online' }),
      ]);
      expect([deny.decision, allow.decision]).toEqual(['deny', 'allow']);
      const rows = await database.db.selectFrom('credit_inquiries').select(['id', 'decision', 'restriction_ids']).where('id', 'in', [deny.checkId, allow.checkId]).execute();
      expect(Object.fromEntries(rows.map((r) => [r.id, [r.decision, r.restriction_ids.map(String)]]))).toEqual({
        [deny.checkId]: ['deny', deny.restrictions.map((r) => (r as { id: string }).id)],
        [allow.checkId]: ['allow', []],
      });
      expect(heard).toEqual(listener ? [deny.checkId] : []);
      const logged = await sql<{ check_id: string; lender_name: string }>`select check_id, lender_name from test_denied_checks where check_id = any(${[deny.checkId, allow.checkId]}::uuid[])`.execute(database.db);
      expect(logged.rows).toEqual(sqlListener ? [{ check_id: deny.checkId, lender_name: 'Path Bank' }] : []);
    }
    await pgPool?.end();
  });
});
