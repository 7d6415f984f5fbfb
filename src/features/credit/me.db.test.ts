import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { buildBin, buildBreach, buildOperatorToken } from '../../../test/helpers/factories.js';
import { certifyPerson, signAs, signIn, signedRequest, type CertifiedPerson } from '../../../test/helpers/person-sessions.js';
import { canonicalJson } from '../trust/index.js';
import { revokeCertificates } from '../ca/index.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { signedDataContent } from './me.test-support.js';

const HOUR = 3_600_000;
const BOTH = { products: ['bank_loan', 'microcredit'], channels: ['online', 'in_person'] };

describe("the person's own view and commands (/v1/me)", () => {
  let app: FastifyInstance;
  let operator: string;
  let admin: string;

  beforeAll(async () => {
    app = await buildTestApp();
    operator = await buildOperatorToken(app.database.db, 'registry-operator');
    admin = await buildOperatorToken(app.database.db, 'admin');
  });
  afterAll(async () => {
    await app?.close();
  });

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const me = (cookie: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: Record<string, unknown>) => app.inject({ method, url, headers: { cookie }, payload });
  const place = async (who: CertifiedPerson, cookie: string) => {
    const response = await me(cookie, 'POST', '/v1/me/restrictions', { document: await signedRequest(app, who, { action: 'restriction.place', ...BOTH }) });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { restriction: { id: string }; documentId: string };
  };
  const lift = (who: CertifiedPerson, cookie: string, request: Record<string, unknown>, options: { purpose?: 'auth' | 'sign'; iin?: string } = {}) =>
    signedRequest(app, who, { action: 'restriction.lift', restrictionId: null, ...request }, options).then((document) => me(cookie, 'POST', '/v1/me/lifts', { document }));
  const activeFor = (who: CertifiedPerson, at: Date, lenderBin?: string) => app.credit.restrictions.activeFor(app.pseudonymizer.of(who.iin), at, lenderBin ? { lenderBin } : {});

  async function publishBreachOf(iin: string) {
    const created = await app.inject({ method: 'POST', url: '/v1/breaches', headers: as(operator), payload: buildBreach({ dataCategories: ['iin', 'phone'] }) });
    const id = created.json().id as string;
    await app.inject({ method: 'POST', url: `/v1/breaches/${id}/affected`, headers: { ...as(operator), 'content-type': 'application/x-ndjson' }, payload: JSON.stringify({ iin }) });
    expect((await app.inject({ method: 'POST', url: `/v1/breaches/${id}/publish`, headers: as(operator) })).statusCode).toBe(200);
    return id;
  }

  it('places a voluntary restriction at once, keeps the signed request as evidence and shows it', async () => {
    const aigerim = await certifyPerson(app);
    const cookie = await signIn(app, aigerim);
    const before = new Date();
    const { restriction, documentId } = await place(aigerim, cookie);
    expect((await activeFor(aigerim, new Date())).map((r) => r.id)).toContain(restriction.id);
    expect(new Date((await activeFor(aigerim, new Date()))[0].since).getTime()).toBeLessThanOrEqual(Date.now());
    expect(new Date((await activeFor(aigerim, new Date()))[0].since).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);

    const list = (await me(cookie, 'GET', '/v1/me/restrictions')).json();
    expect(list).toEqual([expect.objectContaining({ id: restriction.id, kind: 'voluntary', inForce: true, until: null })]);

    const document = await me(cookie, 'GET', `/v1/me/documents/${documentId}`);
    expect(document.statusCode).toBe(200);
    const body = document.json();
    expect(body.action).toBe('restriction.place');
    expect(JSON.parse(body.content)).toMatchObject({ action: 'restriction.place', iin: aigerim.iin, ...BOTH });
    expect(signedDataContent(Buffer.from(body.cms, 'base64'))).toBe(body.content);
    expect(body.certificateSerial).toBe(CertificateInfo.parse(aigerim.issued.sign.der).serialHex);
    expect((await me(cookie, 'GET', '/v1/me/documents')).json()).toEqual([expect.objectContaining({ id: documentId, action: 'restriction.place' })]);
  });

  it('shows the published breaches that include the person, and only those', async () => {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    expect((await me(cookie, 'GET', '/v1/me/breaches')).json()).toEqual([]);
    const breachId = await publishBreachOf(person.iin);
    await publishBreachOf((await certifyPerson(app)).iin);
    const breaches = (await me(cookie, 'GET', '/v1/me/breaches')).json();
    expect(breaches.map((b: { id: string }) => b.id)).toEqual([breachId]);
    const restrictions = (await me(cookie, 'GET', '/v1/me/restrictions')).json();
    expect(restrictions).toEqual([expect.objectContaining({ kind: 'protective', breachId, inForce: true })]);
  });

  it('a lift takes effect only after the cooling-off (24 h here) and the restriction applies again after "until"', async () => {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    const { restriction } = await place(person, cookie);
    const until = new Date(Date.now() + 72 * HOUR).toISOString();
    const response = await lift(person, cookie, { restrictionId: restriction.id, scope: 'until', until });
    expect(response.statusCode, response.body).toBe(201);
    const view = response.json();
    expect(view.status).toBe('cooling-off');
    const effectiveAt = new Date(view.effectiveAt);
    expect(effectiveAt.getTime() - new Date(view.requestedAt).getTime()).toBe(24 * HOUR);

    expect(await activeFor(person, new Date())).toHaveLength(1);
    expect(await activeFor(person, new Date(effectiveAt.getTime() - 1000))).toHaveLength(1);
    expect(await activeFor(person, new Date(effectiveAt.getTime() + 1000))).toHaveLength(0);
    expect(await activeFor(person, new Date(Date.parse(until) + 1000))).toHaveLength(1);
  });

  it('an entire lift of everything covers every restriction the person had, and not one made later', async () => {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    await place(person, cookie);
    await publishBreachOf(person.iin);
    expect(await activeFor(person, new Date())).toHaveLength(2);
    const view = (await lift(person, cookie, { scope: 'entire' })).json();
    const after = new Date(Date.parse(view.effectiveAt) + 1000);
    expect(await activeFor(person, after)).toHaveLength(0);
    const later = await place(person, cookie);
    expect((await activeFor(person, after)).map((r) => r.id)).toEqual([later.restriction.id]);
  });

  it('a thaw for one lender: only that lender, only in the window, after the cooling-off', async () => {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    await place(person, cookie);
    const [thawed, other] = [buildBin(), buildBin()];
    const response = await lift(person, cookie, { scope: 'lender', lenderBin: thawed, hours: 4 });
    expect(response.statusCode, response.body).toBe(201);
    const view = response.json();
    expect(view).toMatchObject({ scope: 'lender', lenderBin: thawed, status: 'cooling-off' });
    const start = Date.parse(view.effectiveAt);
    expect(Date.parse(view.liftedUntil) - start).toBe(4 * HOUR);
    expect(await activeFor(person, new Date(start - 1000), thawed)).toHaveLength(1);
    expect(await activeFor(person, new Date(start + HOUR), thawed)).toHaveLength(0);
    expect(await activeFor(person, new Date(start + HOUR), other)).toHaveLength(1);
    expect(await activeFor(person, new Date(start + HOUR))).toHaveLength(1);
    expect(await activeFor(person, new Date(start + 4 * HOUR + 1000), thawed)).toHaveLength(1);
    // The person's own view: still in force (a thaw for one lender is not a lift for all).
    expect((await me(cookie, 'GET', '/v1/me/restrictions')).json()[0].inForce).toBe(true);
  });

  it('refuses to lift when nothing is in force', async () => {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    const response = await lift(person, cookie, { scope: 'entire' });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('NOTHING_TO_LIFT');
    expect(await app.database.db.selectFrom('signed_documents').select('id').where('person_hash', '=', app.pseudonymizer.of(person.iin)).execute()).toEqual([]);
  });

  it('a lift cancelled during the cooling-off never takes effect; one in effect cannot be cancelled', async () => {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    await place(person, cookie);
    const view = (await lift(person, cookie, { scope: 'entire' })).json();
    const cancelled = await me(cookie, 'POST', `/v1/me/lifts/${view.id}/cancel`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json().status).toBe('cancelled');
    expect(await activeFor(person, new Date(Date.parse(view.effectiveAt) + HOUR))).toHaveLength(1);
    const again = await me(cookie, 'POST', `/v1/me/lifts/${view.id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('LIFT_ALREADY_CANCELLED');

    // A lift already in effect: made effective by moving its times into the past.
    const other = (await lift(person, cookie, { scope: 'entire' })).json();
    await app.database.db
      .updateTable('restriction_lifts')
      .set({ requested_at: new Date(Date.now() - 48 * HOUR), effective_at: new Date(Date.now() - 24 * HOUR) })
      .where('id', '=', other.id)
      .execute();
    const late = await me(cookie, 'POST', `/v1/me/lifts/${other.id}/cancel`);
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('LIFT_ALREADY_EFFECTIVE');
    expect((await me(cookie, 'GET', '/v1/me/lifts')).json().map((l: { status: string }) => l.status).sort()).toEqual(['cancelled', 'in-effect']);
  });

  it('refuses bad signatures on lift requests with clear codes', async () => {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    const { restriction } = await place(person, cookie);
    const stranger = await certifyPerson(app);
    const body = { action: 'restriction.lift', restrictionId: restriction.id, scope: 'entire' };
    const post = (document: string) => me(cookie, 'POST', '/v1/me/lifts', { document });
    const codeOf = async (document: string) => {
      const response = await post(document);
      return `${response.statusCode} ${response.json().code}`;
    };

    expect(await codeOf(await signedRequest(app, person, body, { purpose: 'auth' }))).toBe('422 DOCUMENT_WRONG_CERTIFICATE');
    expect(await codeOf(await signedRequest(app, person, body, { iin: stranger.iin }))).toBe('422 DOCUMENT_IIN_MISMATCH');
    expect(await codeOf(await signedRequest(app, stranger, body))).toBe('403 DOCUMENT_SIGNER_NOT_SIGNED_IN');

    // A signature whose bytes were changed after signing.
    const tampered = Buffer.from(await signedRequest(app, person, body), 'base64');
    tampered[tampered.length - 5] ^= 0x01;
    expect(await codeOf(tampered.toString('base64'))).toMatch(/^422 DOCUMENT_SIGNATURE_INVALID$|^400 CMS_MALFORMED$/);

    // The content changed after signing: the signature verifies over other bytes.
    const original = canonicalJson({ ...body, iin: person.iin, nonce: 'nonce-original-1', issuedAt: new Date().toISOString() });
    const swapped = Buffer.from(await signAs(app, person, 'sign', original));
    const at = swapped.indexOf(Buffer.from('"entire"'));
    swapped.write('"until"!', at);
    expect(await codeOf(swapped.toString('base64'))).toBe('422 DOCUMENT_CONTENT_MISMATCH');

    const nonCanonical = JSON.stringify({ scope: 'entire', action: 'restriction.lift', iin: person.iin, nonce: 'nonce-noncanon', issuedAt: new Date().toISOString(), restrictionId: null });
    expect(await codeOf((await signAs(app, person, 'sign', nonCanonical)).toString('base64'))).toBe('422 DOCUMENT_NOT_CANONICAL');
    expect(await codeOf(await signedRequest(app, person, { ...body, issuedAt: new Date(Date.now() - HOUR).toISOString() }))).toBe('422 DOCUMENT_STALE');
    expect(await codeOf(await signedRequest(app, person, { action: 'restriction.place', ...BOTH }))).toBe('422 DOCUMENT_WRONG_ACTION');
    expect(await codeOf(await signedRequest(app, person, { ...body, scope: 'forever' }))).toBe('422 DOCUMENT_INVALID_REQUEST');
    expect(await codeOf(await signedRequest(app, person, { ...body, scope: 'lender', lenderBin: '123456789012', hours: 2 }))).toBe('422 LIFT_INVALID_BIN');
    expect(await codeOf('%%%')).toBe('400 INVALID_BASE64');

    const replayed = await signedRequest(app, person, body);
    expect((await post(replayed)).statusCode).toBe(201);
    expect(await codeOf(replayed)).toBe('409 DOCUMENT_REPLAYED');

    await revokeCertificates(app.database.db, { issuer: app.pki!.issuing.name, serials: [CertificateInfo.parse(person.issued.sign.der).serialHex], reason: 'keyCompromise', includePair: false, actor: 'test' });
    expect(await codeOf(await signedRequest(app, person, body))).toBe('422 DOCUMENT_CERTIFICATE_REVOKED');
    // None of the refused requests lifted anything.
    expect((await me(cookie, 'GET', '/v1/me/lifts')).json()).toHaveLength(1);
  });

  it("never shows one person another person's data", async () => {
    const alice = await certifyPerson(app);
    const bob = await certifyPerson(app);
    const aliceCookie = await signIn(app, alice);
    const bobCookie = await signIn(app, bob);
    const { restriction, documentId } = await place(alice, aliceCookie);
    await publishBreachOf(alice.iin);
    const aliceLift = (await lift(alice, aliceCookie, { scope: 'entire' })).json();

    for (const url of ['/v1/me/restrictions', '/v1/me/breaches', '/v1/me/lifts', '/v1/me/inquiries', '/v1/me/documents']) {
      const response = await me(bobCookie, 'GET', url);
      expect(response.statusCode, url).toBe(200);
      expect(response.json(), url).toEqual([]);
    }
    expect((await me(bobCookie, 'GET', `/v1/me/documents/${documentId}`)).json().code).toBe('DOCUMENT_NOT_FOUND');
    expect((await me(bobCookie, 'POST', `/v1/me/lifts/${aliceLift.id}/cancel`)).json().code).toBe('LIFT_NOT_FOUND');
    const foreignLift = await lift(bob, bobCookie, { restrictionId: restriction.id, scope: 'entire' });
    expect(foreignLift.statusCode).toBe(404);
    expect(foreignLift.json().code).toBe('RESTRICTION_NOT_FOUND');
    // Alice's lift is untouched and her data still hers.
    expect((await me(aliceCookie, 'GET', '/v1/me/lifts')).json()[0]).toMatchObject({ id: aliceLift.id, status: 'cooling-off' });
    // Without a session, nothing.
    for (const url of ['/v1/me/restrictions', '/v1/me/breaches', '/v1/me/lifts', '/v1/me/inquiries', `/v1/me/documents/${documentId}`]) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
    }
  });

  it('stores the person only as a pseudonym in sessions, lifts, contacts and the outbox', async () => {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    expect((await me(cookie, 'POST', '/v1/me/contacts', { channel: 'webhook', address: 'https://hooks.example.kz/qorgau' })).statusCode).toBe(201);
    await place(person, cookie);
    await lift(person, cookie, { scope: 'entire' });
    const hex = app.pseudonymizer.of(person.iin).toString('hex');
    for (const table of ['person_sessions', 'restriction_lifts', 'notification_outbox', 'notification_contacts', 'auth_challenges', 'restrictions'] as const) {
      const hits = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} as t where strpos(t::text, ${person.iin}) > 0`.execute(app.database.db);
      expect(hits.rows[0].n, table).toBe(0);
    }
    // The canary: the pseudonym is where the scan looks.
    const canary = await sql<{ n: number }>`select count(*)::int as n from restriction_lifts as t where strpos(t::text, ${hex}) > 0`.execute(app.database.db);
    expect(canary.rows[0].n).toBe(1);
  });

  it('lists every lender check of the person with lender name and BIN', async () => {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    await place(person, cookie);
    const bin = buildBin();
    await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: as(admin), payload: { bin, name: `Bank ${bin}`, licence: 'bank' } });
    const key = (await app.inject({ method: 'POST', url: `/v1/credit/lenders/${bin}/keys`, headers: as(admin) })).json().key;
    const checked = await app.inject({ method: 'POST', url: '/v1/credit/checks', headers: as(key), payload: { iin: person.iin, product: 'microcredit', channel: 'online' } });
    expect(checked.json().decision).toBe('deny');
    const inquiries = (await me(cookie, 'GET', '/v1/me/inquiries')).json();
    expect(inquiries).toEqual([expect.objectContaining({ checkId: checked.json().checkId, lender: { bin, name: `Bank ${bin}` }, product: 'microcredit', decision: 'deny' })]);
  });
});

describe('thaw for one lender through the lender check (cooling-off 0)', () => {
  let app: FastifyInstance;
  let admin: string;
  beforeAll(async () => {
    app = await buildTestApp({ liftCoolingOffHours: 0 });
    admin = await buildOperatorToken(app.database.db, 'admin');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('allows the thawed lender and denies any other', async () => {
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const lender = async () => {
      const bin = buildBin();
      await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: as(admin), payload: { bin, name: `MFO ${bin}`, licence: 'mfo' } });
      return { bin, key: (await app.inject({ method: 'POST', url: `/v1/credit/lenders/${bin}/keys`, headers: as(admin) })).json().key as string };
    };
    const [thawed, other] = [await lender(), await lender()];
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    const placed = await app.inject({ method: 'POST', url: '/v1/me/restrictions', headers: { cookie }, payload: { document: await signedRequest(app, person, { action: 'restriction.place', ...BOTH }) } });
    expect(placed.statusCode).toBe(201);
    const check = (key: string) => app.inject({ method: 'POST', url: '/v1/credit/checks', headers: as(key), payload: { iin: person.iin, product: 'bank_loan', channel: 'online' } }).then((r) => r.json().decision);
    expect(await check(thawed.key)).toBe('deny');
    const lifted = await app.inject({
      method: 'POST',
      url: '/v1/me/lifts',
      headers: { cookie },
      payload: { document: await signedRequest(app, person, { action: 'restriction.lift', restrictionId: null, scope: 'lender', lenderBin: thawed.bin, hours: 2 }) },
    });
    expect(lifted.statusCode, lifted.body).toBe(201);
    expect(lifted.json().status).toBe('in-effect');
    expect(await check(thawed.key)).toBe('allow');
    expect(await check(other.key)).toBe('deny');
  });
});
