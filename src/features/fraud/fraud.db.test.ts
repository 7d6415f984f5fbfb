import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { buildBin, buildOperatorToken } from '../../../test/helpers/factories.js';
import { certifyPerson, signIn, signedRequest } from '../../../test/helpers/person-sessions.js';
import { createLenderKey } from '../credit/index.js';
import { buildCard, buildDomain, buildHandle, buildKzIban, buildKzMobile, buildReport, ibanForms, phoneForms } from './fraud.test-support.js';
import type { ReportInputType } from './schema.js';

type Created = { id: string; trackingCode: string; status: string; signed: boolean; identifiers: { kind: string; display: string; state: string }[] };

describe('online-fraud reports, linking and look-up (/v1/fraud)', () => {
  let app: FastifyInstance;
  let investigator: string;
  let admin: string;
  let lookupKey: string;
  let creditOnlyKey: string;

  beforeAll(async () => {
    app = await buildTestApp();
    investigator = await buildOperatorToken(app.database.db, 'investigator');
    admin = await buildOperatorToken(app.database.db, 'admin');
    const bin = buildBin();
    expect((await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: { authorization: `Bearer ${admin}` }, payload: { bin, name: `Bank ${bin}`, licence: 'bank' } })).statusCode).toBe(201);
    const issued = await app.inject({ method: 'POST', url: `/v1/credit/lenders/${bin}/keys?scope=fraud:lookup`, headers: { authorization: `Bearer ${admin}` } });
    expect(issued.statusCode, issued.body).toBe(201);
    expect(issued.json().scopes).toEqual(['fraud:lookup']);
    lookupKey = issued.json().key;
    creditOnlyKey = (await createLenderKey(app.database.db, bin, ['credit:check'])).key;
  });
  afterAll(async () => {
    await app?.close();
  });

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const report = async (input: Partial<ReportInputType>, extra: { cookie?: string; attachments?: unknown[] } = {}) => {
    const response = await app.inject({ method: 'POST', url: '/v1/fraud/reports', headers: extra.cookie ? { cookie: extra.cookie } : {}, payload: { report: buildReport(input), ...(extra.attachments ? { attachments: extra.attachments } : {}) } });
    return response;
  };
  const created = async (input: Partial<ReportInputType>, extra: { cookie?: string } = {}) => {
    const response = await report(input, extra);
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as Created;
  };
  const clusterOf = async (reportId: string) =>
    (await sql<{ cluster: string | null }>`select cluster_id::text as cluster from fraud_reports where id = ${reportId}::uuid`.execute(app.database.db)).rows[0].cluster;
  const statusOf = async (r: Created) => (await app.inject({ method: 'GET', url: `/v1/fraud/reports/${r.id}/status`, headers: { 'x-tracking-code': r.trackingCode } })).json();
  const counts = async () =>
    (
      await sql<{ reports: number; identifiers: number; links: number; attachments: number; documents: number }>`
        select (select count(*)::int from fraud_reports) as reports, (select count(*)::int from fraud_identifiers) as identifiers,
               (select count(*)::int from fraud_report_identifiers) as links, (select count(*)::int from fraud_attachments) as attachments,
               (select count(*)::int from signed_documents) as documents`.execute(app.database.db)
    ).rows[0];

  it('links reports naming differently written forms of the same phone, card, IBAN and domain', async () => {
    const national = buildKzMobile();
    const [p1, p2] = phoneForms(national);
    const pan = buildCard();
    const iban = buildKzIban();
    const domain = buildDomain();
    const pairs: [ReportInputType['identifiers'], ReportInputType['identifiers']][] = [
      [[{ type: 'phone', value: p1 }], [{ type: 'phone', value: p2 }]],
      [[{ type: 'card', value: pan.replace(/(.{4})/g, '$1 ').trim() }], [{ type: 'card', value: pan.replace(/(.{4})(?!$)/g, '$1-') }]],
      [[{ type: 'iban', value: ibanForms(iban)[1] }], [{ type: 'iban', value: ibanForms(iban)[2] }]],
      [[{ type: 'url', value: `https://secure.${domain}/login?next=/pay` }], [{ type: 'url', value: `WWW.${domain.toUpperCase()}` }]],
    ];
    for (const [a, b] of pairs) {
      const first = await created({ identifiers: a });
      expect(first.status).toBe('received');
      const second = await created({ identifiers: b });
      expect(second.status).toBe('linked');
      expect(await clusterOf(first.id)).toBe(await clusterOf(second.id));
      const seen = await statusOf(first);
      expect(seen).toMatchObject({ status: 'linked', linkedReports: 1, signed: false });
      expect(seen.linkedOn).toEqual([{ kind: second.identifiers[0].kind, reports: 1 }]);
      // The victim sees their own identifiers and the count, never the other report.
      expect(JSON.stringify(seen)).not.toContain(second.id);
    }
    // A card is kept as BIN and last 4 only.
    const stored = await sql<{ n: number }>`select count(*)::int as n from fraud_report_identifiers where as_reported like ${'%' + pan.slice(6, 12) + '%'}`.execute(app.database.db);
    expect(stored.rows[0].n).toBe(0);
    const identifier = await sql<{ display: string; value: string }>`select display, value from fraud_identifiers where kind = 'card' and display like ${pan.slice(0, 6) + '%' + pan.slice(-4)}`.execute(app.database.db);
    expect(identifier.rows).toHaveLength(1);
    expect(identifier.rows[0].value).not.toContain(pan);
  });

  it('joins two clusters when a report names an identifier of each, and keeps the totals', async () => {
    const x = `+7${buildKzMobile()}`;
    const y = buildHandle();
    const a = await created({ identifiers: [{ type: 'phone', value: x }], amount: 100, region: 'astana' });
    const b = await created({ identifiers: [{ type: 'phone', value: x }], amount: 200, region: 'astana' });
    const c = await created({ identifiers: [{ type: 'handle', value: `@${y}` }], amount: 300, region: 'shymkent' });
    const d = await created({ identifiers: [{ type: 'handle', value: `https://t.me/${y.toUpperCase()}` }], amount: 400, region: 'abai' });
    expect(await clusterOf(a.id)).not.toBe(await clusterOf(c.id));
    const bridge = await created({ identifiers: [{ type: 'phone', value: x.replace('+7', '8') }, { type: 'handle', value: y }], amount: 1000, region: 'astana' });
    const cluster = await clusterOf(a.id);
    for (const r of [b, c, d, bridge]) expect(await clusterOf(r.id)).toBe(cluster);
    const detail = (await app.inject({ method: 'GET', url: `/v1/fraud/clusters/${cluster}`, headers: as(investigator) })).json();
    expect(detail.cluster).toMatchObject({ reportCount: 5, totalLossKzt: 2000, regions: ['abai', 'astana', 'shymkent'] });
    const why = (await app.inject({ method: 'GET', url: `/v1/fraud/links/why?a=${a.id}&b=${d.id}`, headers: as(investigator) })).json();
    expect(why.together).toBe(true);
    expect(why.path.map((p: { to: string }) => p.to)).toEqual([bridge.id, expect.any(String)]);
    expect(why.explanation).toContain(x);
    expect(why.explanation).toContain(`@${y}`);
  });

  it('marks warning-listed identifiers (a bank’s own number) and never links on them, even after the fact', async () => {
    const official = `+7${buildKzMobile()}`;
    const a = await created({ identifiers: [{ type: 'phone', value: official }] });
    const b = await created({ identifiers: [{ type: 'phone', value: official }] });
    expect(await clusterOf(a.id)).toBe(await clusterOf(b.id));
    const listed = await app.inject({ method: 'POST', url: '/v1/fraud/warning-list', headers: as(investigator), payload: { entries: [{ type: 'phone', value: official.replace('+7', '8 '), owner: 'Test Bank JSC', note: 'call centre' }] } });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json()).toEqual({ listed: 1, unlinked: 1 });
    expect(await clusterOf(a.id)).not.toBe(await clusterOf(b.id));
    const c = await created({ identifiers: [{ type: 'phone', value: official }] });
    expect(c.identifiers[0].state).toBe('warning');
    expect(c.status).toBe('received');
    const seen = await statusOf(c);
    expect(seen.identifiers[0]).toMatchObject({ state: 'warning', reason: expect.stringContaining('Test Bank JSC') });
    expect((await statusOf(a)).status).toBe('received');
    const lookup = (await app.inject({ method: 'GET', url: `/v1/fraud/indicators/phone/${encodeURIComponent(official)}`, headers: as(lookupKey) })).json();
    expect(lookup).toMatchObject({ warningListed: 'Test Bank JSC', riskLevel: 'none' });
    // Importing it again changes nothing.
    expect((await app.inject({ method: 'POST', url: '/v1/fraud/warning-list', headers: as(investigator), payload: { entries: [{ type: 'phone', value: official, owner: 'Test Bank JSC' }] } })).json()).toMatchObject({ listed: 1 });
  });

  it('refuses bad input with a problem document and saves nothing', async () => {
    const valid = { type: 'phone' as const, value: `+7${buildKzMobile()}` };
    const before = await counts();
    const cases: { input: Partial<ReportInputType>; attachments?: unknown[]; status: number; code: string }[] = [
      { input: { identifiers: [valid, { type: 'phone', value: '+7 000 12' }] }, status: 422, code: 'FRAUD_PHONE_INVALID' },
      { input: { identifiers: [valid, { type: 'iban', value: 'KZ00125KZT5004100100' }] }, status: 422, code: 'FRAUD_IBAN_INVALID' },
      { input: { identifiers: [valid, { type: 'card', value: '4111 1111 1111 1112' }] }, status: 422, code: 'FRAUD_CARD_CHECK_FAILED' },
      { input: { identifiers: [valid, { type: 'url', value: 'javascript:alert(document.cookie)' }] }, status: 422, code: 'FRAUD_URL_SCRIPT' },
      { input: { identifiers: [valid, { type: 'url', value: 'https://x.kz/<script>alert(1)</script>' }] }, status: 422, code: 'FRAUD_URL_SCRIPT' },
      { input: { identifiers: [valid], narrative: 'x'.repeat(10_001) }, status: 400, code: 'VALIDATION_FAILED' },
      { input: { identifiers: [valid], region: 'moscow' as never }, status: 400, code: 'VALIDATION_FAILED' },
      { input: { identifiers: [valid], contact: undefined }, status: 422, code: 'FRAUD_CONTACT_REQUIRED' },
      { input: { identifiers: [valid], currency: 'XYZ' }, status: 422, code: 'FRAUD_CURRENCY_UNKNOWN' },
      { input: { identifiers: [valid] }, attachments: [{ fileName: 'big.png', mediaType: 'image/png', content: Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(2 * 1024 * 1024)]).toString('base64') }], status: 413, code: 'FRAUD_ATTACHMENT_TOO_LARGE' },
      { input: { identifiers: [valid] }, attachments: [{ fileName: 'x.png', mediaType: 'image/png', content: Buffer.from('%PDF-1.4 not a picture').toString('base64') }], status: 415, code: 'FRAUD_ATTACHMENT_TYPE' },
    ];
    for (const c of cases) {
      const response = await report(c.input, { attachments: c.attachments });
      expect(response.statusCode, `${c.code}: ${response.body.slice(0, 300)}`).toBe(c.status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ status: c.status, code: c.code, detail: expect.any(String) });
    }
    expect(await counts()).toEqual(before);
  });

  it('answers generated identifiers with 201 or a coded 4xx, never a 500 or a half-saved report', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('phone', 'card', 'iban', 'url', 'handle', 'wallet'), fc.string({ maxLength: 40 }), async (type, value) => {
        const before = await counts();
        const response = await report({ identifiers: [{ type: type as never, value }] });
        if (response.statusCode === 201) return true;
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.statusCode).toBeLessThan(500);
        expect(response.json().code).toMatch(/^[A-Z_]+$/);
        expect(await counts()).toEqual(before);
        return true;
      }),
      { numRuns: 40 },
    );
  });

  it('keeps attachments beside the report and lets investigators read them (logged)', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('a picture of a chat')]);
    const response = await report({}, { attachments: [{ fileName: 'chat.png', mediaType: 'image/png', content: png.toString('base64') }] });
    expect(response.statusCode, response.body).toBe(201);
    const id = response.json().id as string;
    const cluster = await clusterOf(id);
    const detail = (await app.inject({ method: 'GET', url: `/v1/fraud/clusters/${cluster}`, headers: as(investigator) })).json();
    const attachment = detail.reports[0].attachments[0];
    expect(attachment).toMatchObject({ fileName: 'chat.png', mediaType: 'image/png', size: png.length });
    const file = await app.inject({ method: 'GET', url: `/v1/fraud/attachments/${attachment.id}`, headers: as(investigator) });
    expect(file.rawPayload.equals(png)).toBe(true);
    const audit = (await app.inject({ method: 'GET', url: '/v1/fraud/audit?limit=50', headers: as(investigator) })).json();
    expect(audit.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['attachment.read', 'cluster.read']));
  });

  it('keeps a report signed with the SIGN certificate as a signed statement; the victim follows it signed in', async () => {
    const victim = await certifyPerson(app);
    const cookie = await signIn(app, victim);
    const { contact: _c, ...fields } = buildReport();
    const document = await signedRequest(app, victim, { action: 'fraud.report', ...fields });
    const before = await counts();
    const response = await app.inject({ method: 'POST', url: '/v1/fraud/reports', headers: { cookie }, payload: { document } });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().signed).toBe(true);
    expect((await counts()).documents).toBe(before.documents + 1);
    const replayed = await app.inject({ method: 'POST', url: '/v1/fraud/reports', headers: { cookie }, payload: { document } });
    expect(replayed.json()).toMatchObject({ status: 409, code: 'DOCUMENT_REPLAYED' });
    expect((await counts()).reports).toBe(before.reports + 1);
    const unsigned = await created({}, { cookie });
    expect(unsigned.signed).toBe(false);
    const mine = (await app.inject({ method: 'GET', url: '/v1/fraud/reports/mine', headers: { cookie } })).json();
    expect(mine.map((r: { id: string; signed: boolean }) => [r.id, r.signed]).sort()).toEqual([[response.json().id, true], [unsigned.id, false]].sort());
    // Signed by the AUTH certificate: refused, nothing saved.
    const wrong = await signedRequest(app, victim, { action: 'fraud.report', ...fields }, { purpose: 'auth' });
    const count = await counts();
    const refused = await app.inject({ method: 'POST', url: '/v1/fraud/reports', headers: { cookie }, payload: { document: wrong } });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().code).toBe('DOCUMENT_WRONG_CERTIFICATE');
    expect(await counts()).toEqual(count);
    // Without a session a signed report is refused.
    expect((await app.inject({ method: 'POST', url: '/v1/fraud/reports', payload: { document } })).statusCode).toBe(401);
  });

  it('lets a registered volunteer report for a victim, who then sees it; others may not', async () => {
    const volunteer = await certifyPerson(app);
    const victim = await certifyPerson(app);
    const volunteerCookie = await signIn(app, volunteer);
    expect((await report({ victimIin: victim.iin }, { cookie: volunteerCookie })).json()).toMatchObject({ status: 403, code: 'FRAUD_NOT_A_VOLUNTEER' });
    expect((await report({ victimIin: victim.iin })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/v1/fraud/volunteers', headers: as(admin), payload: { iin: volunteer.iin } })).statusCode).toBe(204);
    const made = await created({ victimIin: victim.iin }, { cookie: volunteerCookie });
    const row = await sql<{ kind: string; victim: Buffer }>`select reporter_kind as kind, victim_hash as victim from fraud_reports where id = ${made.id}::uuid`.execute(app.database.db);
    expect(row.rows[0].kind).toBe('volunteer');
    expect(Buffer.from(row.rows[0].victim).equals(app.pseudonymizer.of(victim.iin))).toBe(true);
    const raw = await sql<{ n: number }>`select count(*)::int as n from fraud_reports where encode(victim_hash, 'escape') like ${'%' + victim.iin + '%'} or narrative like ${'%' + victim.iin + '%'}`.execute(app.database.db);
    expect(raw.rows[0].n).toBe(0);
    const victimCookie = await signIn(app, victim);
    const mine = (await app.inject({ method: 'GET', url: '/v1/fraud/reports/mine', headers: { cookie: victimCookie } })).json();
    expect(mine.map((r: { id: string }) => r.id)).toEqual([made.id]);
  });

  it('notifies a signed-in victim when the status of their case changes', async () => {
    const victim = await certifyPerson(app);
    const cookie = await signIn(app, victim);
    const added = await app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie }, payload: { channel: 'webhook', address: 'https://hooks.example.kz/qorgau' } });
    expect(added.statusCode, added.body).toBe(201);
    const phone = `+7${buildKzMobile()}`;
    const mine = await created({ identifiers: [{ type: 'phone', value: phone }] }, { cookie });
    await created({ identifiers: [{ type: 'phone', value: phone }] });
    const cluster = await clusterOf(mine.id);
    expect((await app.inject({ method: 'POST', url: `/v1/fraud/clusters/${cluster}/status`, headers: as(investigator), payload: { status: 'under_investigation', note: 'Passed to the police cyber unit' } })).statusCode).toBe(200);
    const notices = await sql<{ status: string }>`
      select payload->>'status' as status from notification_outbox where person_hash = ${app.pseudonymizer.of(victim.iin)} and event = 'fraud.report-status' order by created_at, id`.execute(app.database.db);
    expect(notices.rows.map((n) => n.status)).toEqual(['linked', 'under_investigation']);
    expect((await app.inject({ method: 'GET', url: `/v1/fraud/reports/${mine.id}/status`, headers: { cookie } })).json().status).toBe('under_investigation');
    // Someone else's session sees nothing.
    const other = await signIn(app, await certifyPerson(app));
    expect((await app.inject({ method: 'GET', url: `/v1/fraud/reports/${mine.id}/status`, headers: { cookie: other } })).statusCode).toBe(404);
  });

  it('lets investigators assign, annotate, merge, split and undo, each logged', async () => {
    const p = `+7${buildKzMobile()}`;
    const q = buildDomain();
    const a = await created({ identifiers: [{ type: 'phone', value: p }], amount: 5_000_000 });
    const b = await created({ identifiers: [{ type: 'phone', value: p }, { type: 'url', value: q }] });
    const c = await created({ identifiers: [{ type: 'url', value: `https://${q}/x` }] });
    const other = await created({ identifiers: [{ type: 'wallet', value: `0x${'ab'.repeat(19)}${Math.random().toString(16).slice(2, 4).padEnd(2, '0')}` }] });
    const cluster = (await clusterOf(a.id))!;
    const otherCluster = (await clusterOf(other.id))!;
    const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: as(investigator), payload: payload as object });

    expect((await post(`/v1/fraud/clusters/${cluster}/assign`, { assignee: 'Capt. Serikbayev' })).statusCode).toBe(200);
    expect((await post(`/v1/fraud/clusters/${cluster}/notes`, { text: 'Same call script in all three.' })).statusCode).toBe(201);
    const list = (await app.inject({ method: 'GET', url: '/v1/fraud/clusters?sort=losses&limit=500', headers: as(investigator) })).json();
    const mine = list.find((l: { id: string }) => l.id === cluster);
    expect(mine).toMatchObject({ reportCount: 3, assignee: 'Capt. Serikbayev', growth30d: 3 });
    const losses = list.map((l: { totalLossKzt: number }) => l.totalLossKzt);
    expect(losses).toEqual([...losses].sort((x, y) => y - x));

    expect((await post(`/v1/fraud/clusters/${cluster}/merge`, { other: otherCluster, note: 'Same wallet seen in bank records' })).statusCode).toBe(200);
    expect(await clusterOf(other.id)).toBe(cluster);
    const why = (await app.inject({ method: 'GET', url: `/v1/fraud/links/why?a=${a.id}&b=${other.id}`, headers: as(investigator) })).json();
    expect(why.explanation).toContain('Same wallet seen in bank records');
    // The old cluster id still leads to the merged cluster.
    expect((await app.inject({ method: 'GET', url: `/v1/fraud/clusters/${otherCluster}`, headers: as(investigator) })).json().cluster.id).toBe(cluster);

    const split = await post(`/v1/fraud/clusters/${cluster}/split`, { reportIds: [c.id], note: 'Different site owner' });
    expect(split.statusCode, split.body).toBe(200);
    expect(await clusterOf(c.id)).not.toBe(cluster);
    expect(await clusterOf(b.id)).toBe(cluster);

    const detail = (await app.inject({ method: 'GET', url: `/v1/fraud/clusters/${cluster}`, headers: as(investigator) })).json();
    const phoneId = detail.identifiers.find((i: { kind: string }) => i.kind === 'phone').id;
    const undo = await post('/v1/fraud/links/undo', { reportId: a.id, identifierId: phoneId, note: 'The victim mistyped the number' });
    expect(undo.statusCode, undo.body).toBe(200);
    expect(await clusterOf(a.id)).not.toBe(await clusterOf(b.id));
    const seen = await statusOf(a);
    expect(seen.identifiers[0]).toMatchObject({ state: 'undone', reason: expect.stringContaining('mistyped') });

    const audit = (await app.inject({ method: 'GET', url: '/v1/fraud/audit?limit=200', headers: as(investigator) })).json();
    const actions = audit.map((e: { action: string }) => e.action);
    for (const action of ['cluster.assign', 'cluster.annotate', 'cluster.merge', 'cluster.split', 'link.undo', 'clusters.list', 'link.explain']) expect(actions).toContain(action);
    expect(audit[0].actor).toContain('test-investigator');
    // Not for anyone else.
    const operator = await buildOperatorToken(app.database.db, 'registry-operator');
    expect((await app.inject({ method: 'GET', url: '/v1/fraud/clusters', headers: as(operator) })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url: '/v1/fraud/audit' })).statusCode).toBe(401);
  });

  it('takes appeals; an upheld one clears the identifier so it no longer links or looks risky', async () => {
    const number = `+7${buildKzMobile()}`;
    const a = await created({ identifiers: [{ type: 'phone', value: number }] });
    await created({ identifiers: [{ type: 'phone', value: number }] });
    await created({ identifiers: [{ type: 'phone', value: number }] });
    expect((await app.inject({ method: 'GET', url: `/v1/fraud/indicators/phone/${encodeURIComponent(number)}`, headers: as(lookupKey) })).json().riskLevel).toBe('high');
    const filed = await app.inject({ method: 'POST', url: '/v1/fraud/appeals', payload: { type: 'phone', value: number.replace('+7', '8'), contact: 'owner@example.kz', statement: 'This is my own number since 2019; someone spoofed it.' } });
    expect(filed.statusCode, filed.body).toBe(201);
    const { id, trackingCode } = filed.json();
    const pending = (await app.inject({ method: 'GET', url: '/v1/fraud/appeals?status=pending', headers: as(investigator) })).json();
    expect(pending.map((p: { id: string }) => p.id)).toContain(id);
    const decided = await app.inject({ method: 'POST', url: `/v1/fraud/appeals/${id}/decision`, headers: as(investigator), payload: { decision: 'upheld', answer: 'Confirmed with the operator: the number was spoofed.' } });
    expect(decided.statusCode, decided.body).toBe(200);
    const seen = (await app.inject({ method: 'GET', url: `/v1/fraud/appeals/${id}`, headers: { 'x-tracking-code': trackingCode } })).json();
    expect(seen).toMatchObject({ status: 'upheld', answer: expect.stringContaining('spoofed') });
    expect((await app.inject({ method: 'GET', url: `/v1/fraud/appeals/${id}`, headers: { 'x-tracking-code': 'wrong' } })).statusCode).toBe(404);
    expect((await statusOf(a)).status).toBe('received');
    expect((await app.inject({ method: 'GET', url: `/v1/fraud/indicators/phone/${encodeURIComponent(number)}`, headers: as(lookupKey) })).json()).toMatchObject({ cleared: true, riskLevel: 'none' });
    expect((await app.inject({ method: 'POST', url: `/v1/fraud/appeals/${id}/decision`, headers: as(investigator), payload: { decision: 'rejected', answer: 'again' } })).statusCode).toBe(409);
  });

  it('answers look-ups only to keys with fraud:lookup, without victim data, and logs them', async () => {
    const phone = `+7${buildKzMobile()}`;
    await created({ identifiers: [{ type: 'phone', value: phone }], amount: 700_000 });
    await created({ identifiers: [{ type: 'phone', value: phone }], amount: 800_000, contact: 'secret-victim@example.kz', narrative: 'secret narrative' });
    const url = `/v1/fraud/indicators/phone/${encodeURIComponent(phone.replace('+7', '8 '))}`;
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
    const refused = await app.inject({ method: 'GET', url, headers: as(creditOnlyKey) });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('AUTH_SCOPE');
    expect((await app.inject({ method: 'GET', url, headers: as(investigator) })).statusCode).toBe(401);
    const answer = await app.inject({ method: 'GET', url, headers: as(lookupKey) });
    expect(answer.statusCode, answer.body).toBe(200);
    const body = answer.json();
    expect(Object.keys(body).sort()).toEqual(['cleared', 'clusterCount', 'firstSeen', 'lastSeen', 'overCorrelating', 'reportedCount', 'riskLevel', 'totalLossBand', 'type', 'value', 'warningListed']);
    expect(body).toMatchObject({ type: 'phone', value: phone, reportedCount: 2, clusterCount: 1, totalLossBand: '1m_10m_kzt', riskLevel: 'high' });
    expect(answer.body).not.toContain('secret');
    const unknown = (await app.inject({ method: 'GET', url: `/v1/fraud/indicators/phone/${encodeURIComponent(`+7${buildKzMobile()}`)}`, headers: as(lookupKey) })).json();
    expect(unknown).toMatchObject({ reportedCount: 0, riskLevel: 'none', firstSeen: null });
    const bad = await app.inject({ method: 'GET', url: '/v1/fraud/indicators/card/4111111111111112', headers: as(lookupKey) });
    expect(bad.json()).toMatchObject({ status: 422, code: 'FRAUD_CARD_CHECK_FAILED' });
    const logged = await sql<{ n: number }>`select count(*)::int as n from fraud_lookups where value = ${phone}`.execute(app.database.db);
    expect(logged.rows[0].n).toBe(1);
  });

  it('limits look-ups per key and minute', async () => {
    const limited = await buildTestApp({ fraudLookupsPerMinute: 2 });
    try {
      const bin = buildBin();
      await limited.inject({ method: 'POST', url: '/v1/credit/lenders', headers: as(admin), payload: { bin, name: `Telecom ${bin}`, licence: 'bank' } });
      const key = (await createLenderKey(limited.database.db, bin, ['fraud:lookup'])).key;
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await limited.inject({ method: 'GET', url: '/v1/fraud/indicators/domain/example.kz', headers: as(key) })).statusCode);
      // Two in a minute are allowed; the third (unless the minute just turned) is refused.
      expect(statuses.slice(0, 2)).toEqual([200, 200]);
      if (statuses[2] !== 200) expect(statuses[2]).toBe(429);
      const counter = await sql<{ total: number }>`select sum(count)::int as total from fraud_lookup_counters where key_id = ${key.split('_')[1]}`.execute(limited.database.db);
      expect(counter.rows[0].total).toBe(3);
    } finally {
      await limited.close();
    }
  });

  it('answers concurrent look-ups of one key in batches: the limit holds, every 200 is logged, the counter counts every one asked', async () => {
    const limited = await buildTestApp({ fraudLookupsPerMinute: 5 });
    try {
      const bin = buildBin();
      await limited.inject({ method: 'POST', url: '/v1/credit/lenders', headers: as(admin), payload: { bin, name: `Telecom ${bin}`, licence: 'bank' } });
      const key = (await createLenderKey(limited.database.db, bin, ['fraud:lookup'])).key;
      const minute = () => Math.floor(Date.now() / 60_000);
      const started = minute();
      const numbers = Array.from({ length: 12 }, () => `+7${buildKzMobile()}`);
      const answers = await Promise.all(numbers.map((n) => limited.inject({ method: 'GET', url: `/v1/fraud/indicators/phone/${encodeURIComponent(n)}`, headers: as(key) })));
      const ok = answers.filter((a) => a.statusCode === 200);
      for (const a of answers) expect([200, 429]).toContain(a.statusCode);
      for (const a of answers.filter((x) => x.statusCode === 429)) expect(a.json().code).toBe('FRAUD_LOOKUP_RATE_LIMITED');
      // Five in a minute (ten if the minute turned while they ran).
      if (minute() === started) expect(ok).toHaveLength(5);
      else expect(ok.length).toBeLessThanOrEqual(10);
      // Each answer is about the number asked, however the batch ordered them.
      for (const [i, a] of answers.entries()) if (a.statusCode === 200) expect(a.json().value).toBe(numbers[i]);
      const keyId = key.split('_')[1];
      const logged = await sql<{ value: string }>`select value from fraud_lookups where key_id = ${keyId}`.execute(limited.database.db);
      expect(logged.rows.map((r) => r.value).sort()).toEqual(ok.map((a) => a.json().value as string).sort());
      const counter = await sql<{ total: number }>`select sum(count)::int as total from fraud_lookup_counters where key_id = ${keyId}`.execute(limited.database.db);
      expect(counter.rows[0].total).toBe(12);
    } finally {
      await limited.close();
    }
  });

  it('exports high-risk identifiers as CSV and as a STIX 2.1 bundle', async () => {
    const domain = buildDomain();
    for (let i = 0; i < 3; i++) await created({ identifiers: [{ type: 'url', value: `https://${domain}/pay/${i}` }] });
    const csv = await app.inject({ method: 'GET', url: '/v1/fraud/indicators/export?format=csv&limit=100000', headers: as(lookupKey) });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('type,value,reports,loss_band,first_seen,last_seen,risk');
    expect(lines.some((l) => l.startsWith(`domain,${domain},3,`))).toBe(true);

    const stix = await app.inject({ method: 'GET', url: '/v1/fraud/indicators/export?format=stix&limit=100000', headers: as(lookupKey) });
    expect(stix.headers['content-type']).toContain('application/stix+json');
    const bundle = stix.json();
    // STIX 2.1 (OASIS, 2021): a bundle has type, id "bundle--<uuid>", objects; an indicator has the required properties below.
    const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
    const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
    expect(bundle.type).toBe('bundle');
    expect(bundle.id).toMatch(new RegExp(`^bundle--${UUID}$`));
    expect(bundle).not.toHaveProperty('spec_version');
    const indicators = bundle.objects.filter((o: { type: string }) => o.type === 'indicator');
    expect(indicators.length).toBeGreaterThan(0);
    for (const o of bundle.objects) {
      expect(o.spec_version).toBe('2.1');
      expect(o.id).toMatch(new RegExp(`^${o.type}--${UUID}$`));
      expect(o.created).toMatch(TIMESTAMP);
      expect(o.modified).toMatch(TIMESTAMP);
    }
    for (const i of indicators) {
      expect(i.pattern_type).toBe('stix');
      expect(i.valid_from).toMatch(TIMESTAMP);
      expect(i.pattern).toMatch(/^\[(x-[a-z0-9-]+|[a-z][a-z0-9-]*):[a-z_]+ = '([^'\\]|\\.)*'\]$/);
      expect(bundle.objects.some((o: { id: string }) => o.id === i.created_by_ref)).toBe(true);
    }
    expect(indicators.some((i: { pattern: string }) => i.pattern === `[domain-name:value = '${domain}']`)).toBe(true);
    expect(new Set(indicators.map((i: { id: string }) => i.id)).size).toBe(indicators.length);
    expect((await app.inject({ method: 'GET', url: '/v1/fraud/indicators/export', headers: as(creditOnlyKey) })).statusCode).toBe(403);
  });

  it('publishes statistics without small cells', async () => {
    for (let i = 0; i < 5; i++) await created({ region: 'ulytau', scheme: 'romance', channel: 'social_network' });
    for (const by of ['month', 'region', 'channel', 'scheme'] as const) {
      const response = await app.inject({ method: 'GET', url: `/v1/fraud/statistics?by=${by}` });
      expect(response.statusCode).toBe(200);
      const stats = response.json();
      const column = by === 'month' ? sql`to_char(date_trunc('month', occurred_at at time zone 'Asia/Almaty'), 'YYYY-MM')` : sql.ref(by);
      const truth = await sql<{ key: string; n: number }>`select ${column} as key, count(*)::int as n from fraud_reports group by 1`.execute(app.database.db);
      for (const t of truth.rows) {
        const row = stats.rows.find((r: { key: string }) => r.key === t.key);
        expect(row.suppressed).toBe(t.n < 5);
        expect(row.reports).toBe(t.n < 5 ? null : t.n);
      }
    }
    expect((await app.inject({ method: 'GET', url: '/v1/fraud/statistics?by=victim' })).statusCode).toBe(400);
  });

  it('checks an identifier as a report would, before the report is sent, storing nothing', async () => {
    const before = await counts();
    const check = (type: string, value: string) => app.inject({ method: 'POST', url: '/v1/fraud/identifiers/check', payload: { type, value } });
    const national = buildKzMobile();
    const phone = await check('phone', phoneForms(national)[0]);
    expect(phone.statusCode, phone.body).toBe(200);
    expect(phone.json()).toEqual({ kind: 'phone', display: `+7${national}`, country: 'KZ' });
    const pan = buildCard();
    const card = await check('card', pan.replace(/(.{4})/g, '$1 ').trim());
    expect(card.statusCode).toBe(200);
    // Only BIN and last 4 come back, never the number or its keyed hash.
    expect(card.json()).toEqual({ kind: 'card', display: `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}` });
    const wrongDigit = pan.slice(0, -1) + String((Number(pan.slice(-1)) + 1) % 10);
    const refusals: [string, string, string][] = [
      ['card', wrongDigit, 'FRAUD_CARD_CHECK_FAILED'],
      ['iban', 'KZ00125KZT0000000001', 'FRAUD_IBAN_INVALID'],
      ['phone', '12', 'FRAUD_PHONE_INVALID'],
      ['url', 'https://example.kz/<script>alert(1)</script>', 'FRAUD_URL_SCRIPT'],
    ];
    for (const [type, value, code] of refusals) {
      const response = await check(type, value);
      expect(response.statusCode, value).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().code).toBe(code);
    }
    expect((await check('fax', '123')).statusCode).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it('counts reports by region and age group for the literacy index, leaving out small cells', async () => {
    // 2025-Q1 in Mangystau: 6 reports of people aged 65+, 3 of people aged 55-64, 2 with no age group.
    const day = (d: number) => new Date(Date.UTC(2025, 0, 10 + d, 9)).toISOString();
    for (let i = 0; i < 6; i++) await created({ region: 'mangystau', ageGroup: '65+', occurredAt: day(i), amount: 100_000 + i });
    for (let i = 0; i < 3; i++) await created({ region: 'mangystau', ageGroup: '55-64', occurredAt: day(i) });
    for (let i = 0; i < 2; i++) await created({ region: 'mangystau', occurredAt: day(i) });
    // Outside the quarter: the first of April.
    await created({ region: 'mangystau', ageGroup: '65+', occurredAt: new Date(Date.UTC(2025, 3, 1, 0, 0, 1)).toISOString() });
    expect((await report({ ageGroup: '90+' as never })).statusCode).toBe(400);

    const response = await app.inject({ method: 'GET', url: '/v1/literacy/index/fraud?period=2025-Q1' });
    expect(response.statusCode, response.body).toBe(200);
    const rows = response.json().rows as { region: string; ageGroup: string; population: number; fraudReports: number | null; fraudLossesKzt: number | null; fraudReportsPer100k: number | null }[];
    const old = rows.find((r) => r.region === 'mangystau' && r.ageGroup === '65+')!;
    expect(old.fraudReports).toBe(6);
    expect(old.fraudLossesKzt).toBe(6 * 100_000 + (0 + 1 + 2 + 3 + 4 + 5));
    expect(old.fraudReportsPer100k).toBeCloseTo((6 / old.population) * 100_000, 0);
    // Three reports are a small cell: not shown.
    expect(rows.find((r) => r.region === 'mangystau' && r.ageGroup === '55-64')!.fraudReports).toBeNull();
  });

  it('documents every fraud route in OpenAPI', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const paths = Object.keys(spec.paths).filter((p) => p.startsWith('/v1/fraud'));
    expect(paths).toEqual(expect.arrayContaining(['/v1/fraud/reports', '/v1/fraud/indicators/{type}/{value}', '/v1/fraud/indicators/export', '/v1/fraud/clusters', '/v1/fraud/statistics', '/v1/fraud/appeals', '/v1/fraud/identifiers/check']));
    for (const p of paths) for (const op of Object.values(spec.paths[p]) as { responses: Record<string, unknown> }[]) expect(Object.keys(op.responses).length).toBeGreaterThan(1);
  });
});

describe('logs of card look-ups', () => {
  it('never hold the card number', async () => {
    const { Writable } = await import('node:stream');
    const { buildApp } = await import('../../http/app.js');
    const { getTestDatabase, getTestHierarchy } = await import('../../../test/helpers/test-database.js');
    const { database, config } = await getTestDatabase();
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await buildApp({ config, database, pki: await getTestHierarchy(), logger: { level: 'info', stream } });
    try {
      await app.ready();
      const admin = await buildOperatorToken(database.db, 'admin');
      const bin = buildBin();
      await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: { authorization: `Bearer ${admin}` }, payload: { bin, name: `Bank ${bin}`, licence: 'bank' } });
      const key = (await createLenderKey(database.db, bin, ['fraud:lookup'])).key;
      const pan = buildCard();
      const answer = await app.inject({ method: 'GET', url: `/v1/fraud/indicators/card/${pan}`, headers: { authorization: `Bearer ${key}` } });
      expect(answer.statusCode, answer.body).toBe(200);
      expect(answer.json().value).toBe(`${pan.slice(0, 6)}******${pan.slice(-4)}`);
      // The canary: the same logger does log other requests' lines.
      await app.inject({ method: 'GET', url: '/v1/fraud/statistics?by=region' });
      expect(lines.join('')).toContain('/v1/fraud/statistics');
      expect(lines.join('')).not.toContain(pan.slice(6, 12));
      const logged = await sql<{ n: number }>`select count(*)::int as n from fraud_lookups where value like ${'%' + pan.slice(6, 12) + '%'}`.execute(database.db);
      expect(logged.rows[0].n).toBe(0);
    } finally {
      await app.close();
    }
  });
});
