import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, getTestDatabase } from '../../../test/helpers/test-database.js';
import { buildBin, buildBreach, buildIin, buildOperatorToken } from '../../../test/helpers/factories.js';

let app: FastifyInstance;
let token: string;
const auth = () => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  app = await buildTestApp();
  token = await buildOperatorToken((await getTestDatabase()).database.db);
});
afterAll(async () => app.close());

async function createBreach(overrides = {}) {
  const body = buildBreach(overrides);
  const res = await app.inject({ method: 'POST', url: '/v1/breaches', headers: auth(), payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

function upload(id: string, body: string, contentType = 'text/csv', headers: Record<string, string> = auth()) {
  return app.inject({ method: 'POST', url: `/v1/breaches/${id}/affected`, headers: { ...headers, 'content-type': contentType }, payload: body });
}

describe('breach lifecycle', () => {
  it('keeps a draft private, publishes it, and shows it with its organization', async () => {
    const breach = await createBreach();
    expect(breach).toMatchObject({ status: 'draft', affectedCount: 0, verified: false });
    expect((await app.inject(`/v1/breaches/${breach.id}`)).statusCode).toBe(404);

    const iins = [buildIin(), buildIin(), buildIin()];
    const imported = await upload(breach.id, `iin\n${iins.join('\n')}\n`);
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json()).toMatchObject({ accepted: 3, duplicate: 0, invalid: 0, affectedCount: 3 });

    const published = await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/publish`, headers: auth() });
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ status: 'published', affectedCount: 3 });
    expect(published.json().publishedAt).not.toBeNull();

    const read = await app.inject(`/v1/breaches/${breach.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: breach.id, affectedCount: 3, organization: { bin: breach.organization.bin } });

    const org = await app.inject(`/v1/organizations/${breach.organization.bin}`);
    expect(org.json()).toMatchObject({ bin: breach.organization.bin, totals: { publishedBreaches: 1, affectedPersons: 3 } });
    expect(org.json().breaches.map((b: { id: string }) => b.id)).toEqual([breach.id]);

    const list = await app.inject(`/v1/breaches?organization=${breach.organization.bin}`);
    expect(list.json().items).toHaveLength(1);

    const closed = await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/close`, headers: auth() });
    expect(closed.json().status).toBe('closed');
    expect((await app.inject(`/v1/breaches/${breach.id}`)).json().status).toBe('closed');
    const afterClose = await app.inject(`/v1/breaches?organization=${breach.organization.bin}`);
    expect(afterClose.json().items).toHaveLength(0);
  });

  it('filters the public list by category and date, and pages through it', async () => {
    const bin = buildBin();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const b = await createBreach({
        organizationBin: bin,
        dataCategories: i % 2 ? ['iin', 'bank_card'] : ['email'],
        occurredAt: `2025-0${i + 1}-10T00:00:00.000Z`,
      });
      await app.inject({ method: 'POST', url: `/v1/breaches/${b.id}/publish`, headers: auth() });
      ids.push(b.id);
    }
    const cards = await app.inject(`/v1/breaches?organization=${bin}&category=bank_card`);
    expect(cards.json().items.map((b: { id: string }) => b.id).sort()).toEqual([ids[1], ids[3]].sort());
    const spring = await app.inject(`/v1/breaches?organization=${bin}&from=2025-02-01&to=2025-04-10`);
    expect(spring.json().items.map((b: { id: string }) => b.id).sort()).toEqual([ids[1], ids[2], ids[3]].sort());

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await app.inject(`/v1/breaches?organization=${bin}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((b) => b.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('lets descriptive fields be corrected, but categories only in a draft', async () => {
    const breach = await createBreach();
    const patched = await app.inject({ method: 'PATCH', url: `/v1/breaches/${breach.id}`, headers: auth(), payload: { verified: true, dataCategories: ['iin', 'id_document'] } });
    expect(patched.json()).toMatchObject({ verified: true, dataCategories: ['iin', 'id_document'] });
    await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/publish`, headers: auth() });
    const late = await app.inject({ method: 'PATCH', url: `/v1/breaches/${breach.id}`, headers: auth(), payload: { dataCategories: ['iin'] } });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('BREACH_NOT_DRAFT');
    const title = await app.inject({ method: 'PATCH', url: `/v1/breaches/${breach.id}`, headers: auth(), payload: { title: 'Corrected title' } });
    expect(title.json().title).toBe('Corrected title');
  });

  it('extends the data categories', async () => {
    const code = `cat_${Date.now().toString(36)}`;
    const added = await app.inject({ method: 'POST', url: '/v1/data-categories', headers: auth(), payload: { code, label: 'Vehicle plates' } });
    expect(added.statusCode).toBe(201);
    const breach = await createBreach({ dataCategories: ['iin', code] });
    expect(breach.dataCategories).toEqual(['iin', code]);
    const again = await app.inject({ method: 'POST', url: '/v1/data-categories', headers: auth(), payload: { code, label: 'x' } });
    expect(again.json().code).toBe('CATEGORY_EXISTS');
  });
});

describe('importing affected persons', () => {
  it('counts accepted, duplicate and invalid lines and reports the first invalid ones', async () => {
    const breach = await createBreach();
    const a = buildIin();
    const b = buildIin();
    const csv = ['iin,categories', a, b, a, '880515300121', 'not-an-iin', `${buildIin()},phone;email`, `${buildIin()},telepathy`, '"unterminated', ''].join('\r\n');
    const res = await upload(breach.id, csv);
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ lines: 8, accepted: 3, duplicate: 1, invalid: 4, affectedCount: 3 });
    expect(report.invalidLines).toEqual([
      { line: 5, code: 'IIN_INVALID_CHECKSUM', reason: expect.any(String) },
      { line: 6, code: 'IIN_FORMAT', reason: expect.any(String) },
      { line: 8, code: 'CATEGORY_UNKNOWN', reason: expect.stringContaining('telepathy') },
      { line: 9, code: 'CSV_UNTERMINATED_QUOTE', reason: expect.any(String) },
    ]);
  });

  it('is idempotent: the same file twice adds nothing the second time', async () => {
    const breach = await createBreach();
    const csv = `iin\n${Array.from({ length: 50 }, buildIin).join('\n')}\n`;
    const first = (await upload(breach.id, csv)).json();
    const second = (await upload(breach.id, csv)).json();
    expect(first.accepted).toBe(first.lines - first.duplicate);
    expect(second).toMatchObject({ accepted: 0, duplicate: first.accepted + first.duplicate, affectedCount: first.affectedCount });
  });

  it('reads NDJSON with per-row categories', async () => {
    const breach = await createBreach();
    const rows = [
      JSON.stringify({ iin: buildIin(), categories: ['phone'] }),
      JSON.stringify({ iin: buildIin() }),
      JSON.stringify({ iin: 880515300120 }),
      '{"iin": ',
      '[1,2]',
    ].join('\n');
    const res = await upload(breach.id, rows, 'application/x-ndjson');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 2, invalid: 3 });
    expect(res.json().invalidLines.map((l: { code: string }) => l.code)).toEqual(['NDJSON_IIN_NOT_STRING', 'NDJSON_MALFORMED', 'NDJSON_NOT_OBJECT']);
  });

  it('keeps at most 100 invalid lines in the report but counts them all', async () => {
    const breach = await createBreach();
    const csv = `iin\n${buildIin()}\n${Array.from({ length: 250 }, () => '123').join('\n')}`;
    const report = (await upload(breach.id, csv)).json();
    expect(report.invalid).toBe(250);
    expect(report.invalidLines).toHaveLength(100);
    expect(report.invalidLines[99].line).toBe(102);
  });

  it('writes across many chunks with the same result as one', async () => {
    const breach = await createBreach();
    const iins = Array.from({ length: 300 }, buildIin);
    const unique = new Set(iins).size;
    const { registry } = app;
    const report = await registry.importAffected(breach.id, 'csv', [Buffer.from(`iin\n${iins.join('\n')}\n${iins.slice(0, 40).join('\n')}`)], { chunkRows: 7 });
    expect(report).toMatchObject({ accepted: unique, duplicate: 340 - unique, affectedCount: unique });
  });

  it('finds a person in the published breaches that include them', async () => {
    const person = buildIin();
    const included = await createBreach();
    const excluded = await createBreach();
    const draft = await createBreach();
    await upload(included.id, `iin\n${person}\n`);
    await upload(draft.id, `iin\n${person}\n`);
    await upload(excluded.id, `iin\n${buildIin()}\n`);
    for (const b of [included, excluded]) await app.inject({ method: 'POST', url: `/v1/breaches/${b.id}/publish`, headers: auth() });
    const found = await app.registry.publishedBreachesOf(person);
    expect(found.map((b) => b.id)).toEqual([included.id]);
    await expect(app.registry.publishedBreachesOf('880515300121')).rejects.toMatchObject({ code: 'IIN_INVALID_CHECKSUM' });
  });
});

describe('bad input', () => {
  const problem = (res: { statusCode: number; headers: Record<string, unknown>; json: () => any }, status: number, code: string) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
  };

  it('refuses an invalid BIN with a stable code', async () => {
    problem(await app.inject('/v1/organizations/940140000386'), 400, 'BIN_INVALID_CHECKSUM');
    problem(await app.inject('/v1/organizations/940170000385'), 400, 'BIN_INVALID');
    problem(await app.inject('/v1/breaches?organization=12345'), 400, 'BIN_INVALID');
    const res = await app.inject({ method: 'POST', url: '/v1/breaches', headers: auth(), payload: buildBreach({ organizationBin: '940140000386' }) });
    problem(res, 400, 'BIN_INVALID_CHECKSUM');
  });

  it('refuses malformed bodies and queries', async () => {
    problem(await app.inject({ method: 'POST', url: '/v1/breaches', headers: { ...auth(), 'content-type': 'application/json' }, payload: '{"title":' }), 400, 'MALFORMED_JSON');
    problem(await app.inject({ method: 'POST', url: '/v1/breaches', headers: auth(), payload: { ...buildBreach(), source: 'aliens' } }), 400, 'VALIDATION_FAILED');
    problem(await app.inject({ method: 'POST', url: '/v1/breaches', headers: auth(), payload: { ...buildBreach(), extra: 1 } }), 400, 'VALIDATION_FAILED');
    problem(await app.inject({ method: 'POST', url: '/v1/breaches', headers: auth(), payload: buildBreach({ dataCategories: ['iin', 'telepathy'] }) }), 400, 'CATEGORY_UNKNOWN');
    problem(await app.inject('/v1/breaches?limit=1000'), 400, 'VALIDATION_FAILED');
    problem(await app.inject('/v1/breaches?cursor=garbage'), 400, 'CURSOR_INVALID');
    problem(await app.inject('/v1/breaches?from=yesterday'), 400, 'VALIDATION_FAILED');
  });

  it('refuses a duplicate id, an unknown breach and illegal transitions', async () => {
    const breach = await createBreach();
    problem(await app.inject({ method: 'POST', url: '/v1/breaches', headers: auth(), payload: buildBreach({ id: breach.id }) }), 409, 'BREACH_EXISTS');
    problem(await app.inject('/v1/breaches/no-such-breach'), 404, 'BREACH_NOT_FOUND');
    problem(await upload('no-such-breach', `iin\n${buildIin()}\n`), 404, 'BREACH_NOT_FOUND');
    problem(await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/close`, headers: auth() }), 409, 'BREACH_STATUS_TRANSITION');
    await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/publish`, headers: auth() });
    problem(await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/publish`, headers: auth() }), 409, 'BREACH_STATUS_TRANSITION');
  });

  it('refuses an import into a published breach and writes nothing', async () => {
    const breach = await createBreach();
    await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/publish`, headers: auth() });
    problem(await upload(breach.id, `iin\n${buildIin()}\n`), 409, 'BREACH_NOT_DRAFT');
    expect((await app.inject(`/v1/breaches/${breach.id}`)).json().affectedCount).toBe(0);
  });

  it('refuses malformed CSV and NDJSON uploads as a whole when nothing in them is usable', async () => {
    const breach = await createBreach();
    problem(await upload(breach.id, 'name,phone\nAsel,87011234567\n'), 400, 'MALFORMED_CSV');
    problem(await upload(breach.id, ''), 400, 'EMPTY_UPLOAD');
    problem(await upload(breach.id, 'iin\n'), 400, 'EMPTY_UPLOAD');
    const garbage = await upload(breach.id, '\u0000\u0001binary{{{\n<<<>>>\n', 'application/x-ndjson');
    problem(garbage, 422, 'IMPORT_NOTHING_VALID');
    expect(garbage.json().invalidLines).toHaveLength(2);
    expect((await app.inject({ method: 'GET', url: `/v1/breaches/${breach.id}` })).statusCode).toBe(404);
  });

  it('refuses the wrong content type and an upload over the size limit', async () => {
    const breach = await createBreach();
    problem(await upload(breach.id, JSON.stringify({ iin: buildIin() }), 'application/json'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    problem(await upload(breach.id, 'iin', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const small = await buildTestApp({ importMaxBytes: 2048 });
    try {
      const big = `iin\n${Array.from({ length: 400 }, buildIin).join('\n')}\n`;
      problem(
        await small.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/affected`, headers: { ...auth(), 'content-type': 'text/csv' }, payload: big }),
        413,
        'PAYLOAD_TOO_LARGE',
      );
    } finally {
      await small.close();
    }
    expect((await app.registry.getBreach(breach.id, { publicOnly: false })).affectedCount).toBe(0);
  });

  it('refuses missing, malformed, wrong and underprivileged tokens', async () => {
    const body = buildBreach();
    problem(await app.inject({ method: 'POST', url: '/v1/breaches', payload: body }), 401, 'AUTH_REQUIRED');
    problem(await app.inject({ method: 'POST', url: '/v1/breaches', headers: { authorization: 'Basic abc' }, payload: body }), 401, 'AUTH_SCHEME');
    problem(await app.inject({ method: 'POST', url: '/v1/breaches', headers: { authorization: 'Bearer qor_0000000000000000_' + 'A'.repeat(43) }, payload: body }), 401, 'AUTH_INVALID_TOKEN');
    const [, id] = token.split('_');
    problem(await app.inject({ method: 'POST', url: '/v1/breaches', headers: { authorization: `Bearer qor_${id}_${'B'.repeat(43)}` }, payload: body }), 401, 'AUTH_INVALID_TOKEN');
    problem(await upload('anything', 'iin\n', 'text/csv', {}), 401, 'AUTH_REQUIRED');
  });

  it('treats SQL-looking strings as plain data', async () => {
    const injection = "x'); drop table breaches; --";
    problem(await app.inject(`/v1/breaches/${encodeURIComponent(injection)}`), 404, 'BREACH_NOT_FOUND');
    const filtered = await app.inject(`/v1/breaches?category=${encodeURIComponent("' or 1=1 --")}`);
    expect(filtered.statusCode).toBe(200);
    expect(filtered.json().items).toEqual([]);
    const breach = await createBreach({ title: injection, description: "'; delete from breach_affected; --" });
    expect(breach.title).toBe(injection);
    const csv = `iin\n${buildIin()}\n'; drop table breach_affected; --\n`;
    expect((await upload(breach.id, csv)).json()).toMatchObject({ accepted: 1, invalid: 1 });
    expect((await app.inject('/v1/breaches?limit=1')).statusCode).toBe(200);
  });

  it('answers unknown routes with a problem document', async () => {
    problem(await app.inject('/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
  });
});

describe('operators and drafts', () => {
  it('shows drafts to a registry operator, never to the public, and refuses a wrong token instead of ignoring it', async () => {
    const draft = await createBreach();
    expect((await app.inject(`/v1/breaches/${draft.id}`)).statusCode).toBe(404);
    const asOperator = await app.inject({ url: `/v1/breaches/${draft.id}`, headers: auth() });
    expect(asOperator.statusCode, asOperator.body).toBe(200);
    expect(asOperator.json()).toMatchObject({ id: draft.id, status: 'draft' });

    const drafts = await app.inject({ url: `/v1/breaches?status=draft&organization=${draft.organization.bin}`, headers: auth() });
    expect(drafts.statusCode, drafts.body).toBe(200);
    expect(drafts.json().items.map((b: { id: string }) => b.id)).toEqual([draft.id]);
    const everything = await app.inject({ url: `/v1/breaches?organization=${draft.organization.bin}`, headers: auth() });
    expect(everything.json().items.map((b: { id: string }) => b.id)).toEqual([draft.id]);

    const publicDrafts = await app.inject(`/v1/breaches?status=draft`);
    expect(publicDrafts.statusCode).toBe(403);
    expect(publicDrafts.json().code).toBe('BREACH_STATUS_OPERATORS_ONLY');
    expect((await app.inject(`/v1/breaches?organization=${draft.organization.bin}`)).json().items).toEqual([]);

    const forged = await app.inject({ url: `/v1/breaches/${draft.id}`, headers: { authorization: 'Bearer qor_0000000000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' } });
    expect(forged.statusCode).toBe(401);
  });

  it('pages through drafts and published breaches together by creation or publication time', async () => {
    const bin = buildBin();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createBreach({ organizationBin: bin })).id);
    const first = await app.inject({ url: `/v1/breaches?organization=${bin}&limit=2`, headers: auth() });
    expect(first.json().items).toHaveLength(2);
    const second = await app.inject({ url: `/v1/breaches?organization=${bin}&limit=2&cursor=${first.json().nextCursor}`, headers: auth() });
    const seen = [...first.json().items, ...second.json().items].map((b: { id: string }) => b.id);
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it('accepts a plain day where only the day is known and answers with the form that was given', async () => {
    const breach = await createBreach({ occurredAt: '2025-01-01', discoveredAt: '2025-02-03T10:15:00Z' });
    expect(breach.occurredAt).toBe('2025-01-01');
    expect(breach.discoveredAt).toBe('2025-02-03T10:15:00.000Z');

    const patched = await app.inject({ method: 'PATCH', url: `/v1/breaches/${breach.id}`, headers: auth(), payload: { discoveredAt: '2025-02-04', occurredAt: '2024-12-31T23:00:00Z' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ occurredAt: '2024-12-31T23:00:00.000Z', discoveredAt: '2025-02-04' });

    const untouched = await app.inject({ method: 'PATCH', url: `/v1/breaches/${breach.id}`, headers: auth(), payload: { title: 'Renamed' } });
    expect(untouched.json()).toMatchObject({ discoveredAt: '2025-02-04', title: 'Renamed' });

    for (const bad of ['2025-02-30', '2025-1-1', '01.01.2025']) {
      const res = await app.inject({ method: 'POST', url: '/v1/breaches', headers: auth(), payload: buildBreach({ occurredAt: bad }) });
      expect(res.statusCode, bad).toBe(400);
    }
  });
});
