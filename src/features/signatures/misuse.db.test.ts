import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, getTestDatabase } from '../../../test/helpers/test-database.js';
import { buildBin, buildIin, buildOperatorToken } from '../../../test/helpers/factories.js';
import { INSPECTORS_MAILBOX } from './alerts.js';
import { localHour, UNUSUAL_HOURS_MIN_HISTORY } from './misuse-rules.js';
import { networkOf } from './usage-events.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { revokeCertificates } from '../ca/index.js';
import { certifyPerson, signAs, signedRequest, signIn } from '../../../test/helpers/person-sessions.js';

const ISSUER = 'CN=Test Relying CA,C=KZ';
const serial = () => randomBytes(10).toString('hex');
const at = (iso: string) => new Date(iso).toISOString();

describe('usage events and misuse rules', () => {
  let app: FastifyInstance;
  let rp: Record<string, string>;
  let inspector: Record<string, string>;

  beforeAll(async () => {
    app = await buildTestApp();
    const { database } = await getTestDatabase();
    rp = { authorization: `Bearer ${await buildOperatorToken(database.db, 'relying-party')}` };
    inspector = { authorization: `Bearer ${await buildOperatorToken(database.db, 'inspector')}` };
  });
  afterAll(async () => app.close());

  async function employ(bin: string, iin: string, startedAt: string, endedAt: string | null, hr = false) {
    const db = app.database.db;
    await db.insertInto('enrolled_organizations').values({ bin, name: 'Test LLP', enrolled_by: 'test' }).onConflict((c) => c.doNothing()).execute();
    await db.insertInto('employments').values({ bin, iin, position: hr ? 'HR' : 'clerk', hr, started_at: startedAt, ended_at: endedAt }).execute();
  }

  async function ingest(events: Record<string, unknown>[]) {
    const response = await app.inject({ method: 'POST', url: '/v1/usage-events', headers: rp, payload: { events } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { accepted: number; eventIds: string[]; alertIds: string[] };
  }

  const alertsOf = async (query: string) => {
    const response = await app.inject({ method: 'GET', url: `/v1/usage-alerts?${query}`, headers: inspector });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { id: string; rule: string; certificateSerial: string; evidenceEventIds: string[]; score: number | null; person: string | null; details: Record<string, unknown> }[];
  };

  it('documents its routes in OpenAPI with request and response schemas', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(spec.paths['/v1/usage-events'].post.requestBody).toBeDefined();
    expect(spec.paths['/v1/usage-events'].post.responses['201']).toBeDefined();
    for (const [path, method] of [['/v1/usage-alerts', 'get'], ['/v1/usage-alerts/{id}', 'get'], ['/v1/orgs/{bin}/alerts', 'get'], ['/v1/violations', 'post'], ['/v1/violations', 'get'], ['/v1/violations/{id}/decision', 'post'], ['/v1/violations/statistics', 'get'], ['/v1/violations/fine-schedule', 'get']]) {
      expect(spec.paths[path]?.[method]?.responses?.['200'] ?? spec.paths[path]?.[method]?.responses?.['201'], `${method} ${path}`).toBeDefined();
    }
  });

  it('networks: IPv4 /24 and IPv6 /48', () => {
    expect(networkOf('10.1.2.3')).toBe('10.1.2.0/24');
    expect(networkOf('::ffff:10.1.2.3')).toBe('10.1.2.0/24');
    expect(networkOf('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(networkOf('2001:db8::1')).toBe('2001:db8:0::/48');
    expect(networkOf('not an ip')).toBeNull();
  });

  it('refuses bad input with 400 and reporters without the role with 403', async () => {
    const bad = await app.inject({ method: 'POST', url: '/v1/usage-events', headers: rp, payload: { events: [{ occurredAt: 'yesterday', certificateSerial: 'zz', certificateIssuer: ISSUER, purpose: 'signin' }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const empty = await app.inject({ method: 'POST', url: '/v1/usage-events', headers: rp, payload: { events: [] } });
    expect(empty.statusCode).toBe(400);
    const forbidden = await app.inject({ method: 'POST', url: '/v1/usage-events', headers: inspector, payload: { events: [{ occurredAt: at('2026-01-01T00:00:00Z'), certificateSerial: 'ab', certificateIssuer: ISSUER, purpose: 'signin' }] } });
    expect(forbidden.statusCode).toBe(403);
    const event = { occurredAt: at('2026-01-01T00:00:00Z'), certificateSerial: 'ab', certificateIssuer: ISSUER, purpose: 'signin' };
    const wrongIin = await app.inject({ method: 'POST', url: '/v1/usage-events', headers: rp, payload: { events: [event, { ...event, holderIin: '880515300121' }] } });
    expect(wrongIin.statusCode).toBe(400);
    expect(wrongIin.json()).toMatchObject({ code: 'IIN_INVALID_CHECKSUM', index: 1 });
    const wrongBin = await app.inject({ method: 'POST', url: '/v1/usage-events', headers: rp, payload: { events: [{ ...event, organizationBin: '940140000386' }] } });
    expect(wrongBin.json()).toMatchObject({ code: 'BIN_INVALID_CHECKSUM', index: 0 });
    const anonymous = await app.inject({ method: 'POST', url: '/v1/usage-events', payload: { events: [{ occurredAt: at('2026-01-01T00:00:00Z'), certificateSerial: 'ab', certificateIssuer: ISSUER, purpose: 'signin' }] } });
    expect(anonymous.statusCode).toBe(401);
  });

  it('rule 1: a certificate used after its holder left the organization raises one alert with the uses as evidence; uses during employment do not', async () => {
    const bin = buildBin();
    const iin = buildIin();
    const s = serial();
    await employ(bin, iin, '2025-01-01T00:00:00Z', '2026-03-01T00:00:00Z');
    const base = { certificateSerial: s, certificateIssuer: ISSUER, holderIin: iin, organizationBin: bin, purpose: 'signin', deviceId: 'pc-1' };
    const during = await ingest([{ ...base, occurredAt: at('2026-02-01T06:00:00Z') }]);
    expect(await alertsOf(`organization=${bin}&rule=used-after-departure`)).toHaveLength(0);
    expect(during.alertIds).toHaveLength(0);

    const after = await ingest([{ ...base, occurredAt: at('2026-03-05T06:00:00Z') }, { ...base, occurredAt: at('2026-03-06T06:00:00Z') }]);
    const alerts = await alertsOf(`organization=${bin}&rule=used-after-departure`);
    expect(alerts).toHaveLength(1);
    expect(after.alertIds).toEqual([alerts[0].id]);
    expect(alerts[0].evidenceEventIds.sort()).toEqual([...after.eventIds].sort());
    expect(alerts[0].person).toBe(app.pseudonymizer.of(iin).toString('hex'));
    expect(alerts[0].details.employmentEndedAt).toBe('2026-03-01T00:00:00.000Z');

    // Seen again: more evidence on the same alert, not a second alert.
    const again = await ingest([{ ...base, occurredAt: at('2026-03-07T06:00:00Z') }]);
    expect(again.alertIds).toHaveLength(0);
    const [extended] = await alertsOf(`organization=${bin}&rule=used-after-departure`);
    expect(extended.evidenceEventIds).toContain(again.eventIds[0]);
    expect(extended.evidenceEventIds).toHaveLength(3);
  });

  it("rule 1: sign-in and a relying party's verification record their uses; a revoked certificate tried at sign-in is refused, recorded and alerted", async () => {
    const holder = await certifyPerson(app);
    const serialOf = (der: Buffer) => CertificateInfo.parse(der).serialHex;
    const issuerOf = (der: Buffer) => CertificateInfo.parse(der).issuer;
    const authSerial = serialOf(holder.issued.auth.der);
    const db = app.database.db;
    await signIn(app, holder);
    const signins = await db.selectFrom('usage_events').selectAll().where('certificate_serial', '=', authSerial).execute();
    expect(signins).toHaveLength(1);
    expect(signins[0]).toMatchObject({ purpose: 'signin', outcome: 'accepted', certificate_issuer: issuerOf(holder.issued.auth.der), source: 'platform' });
    expect(Buffer.from(signins[0].person_hash!).equals(app.pseudonymizer.of(holder.iin))).toBe(true);

    const signSerial = serialOf(holder.issued.sign.der);
    const cms = await signAs(app, holder, 'sign', 'a contract');
    // Anonymous verification records nothing; the relying party's, with its credential, does.
    const anonymous = await app.inject({ method: 'POST', url: '/v1/signatures/verify', headers: { 'x-device-id': 'somewhere' }, payload: { cms: cms.toString('base64') } });
    expect(anonymous.statusCode).toBe(200);
    const verified = await app.inject({ method: 'POST', url: '/v1/signatures/verify', headers: { ...rp, 'x-device-id': 'office-pc' }, payload: { cms: cms.toString('base64') } });
    expect(verified.statusCode).toBe(200);
    const verifications = await db.selectFrom('usage_events').selectAll().where('certificate_serial', '=', signSerial).execute();
    expect(verifications).toMatchObject([{ purpose: 'verify', outcome: 'accepted', device_id: 'office-pc', source: 'token:test-relying-party' }]);

    await revokeCertificates(db, { issuer: app.pki!.issuing.name, serials: [authSerial], reason: 'keyCompromise', actor: 'test' });
    const { nonce } = (await app.inject({ method: 'POST', url: '/v1/auth/challenge' })).json();
    const refused = await app.inject({ method: 'POST', url: '/v1/auth/signin', headers: { 'x-device-id': 'stranger-pc' }, payload: { nonce, cms: (await signAs(app, holder, 'auth', nonce)).toString('base64') } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('SIGNIN_CERTIFICATE_REVOKED');
    const attempts = await db.selectFrom('usage_events').selectAll().where('certificate_serial', '=', authSerial).orderBy('id').execute();
    expect(attempts.map((a) => [a.outcome, a.refusal, a.device_id])).toEqual([['accepted', null, null], ['refused', 'SIGNIN_CERTIFICATE_REVOKED', 'stranger-pc']]);
    const alerts = (await alertsOf('rule=used-after-departure&limit=500')).filter((a) => a.certificateSerial === authSerial);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].evidenceEventIds).toEqual([String(attempts[1].id)]);
    expect(alerts[0].details.revokedAt).toEqual(expect.any(String));

    // A relying party's report of the revoked own-CA certificate: pki's status is looked up.
    const reported = await ingest([{ occurredAt: new Date().toISOString(), certificateSerial: authSerial, certificateIssuer: issuerOf(holder.issued.auth.der), purpose: 'other' }]);
    const [extended] = (await alertsOf('rule=used-after-departure&limit=500')).filter((a) => a.certificateSerial === authSerial);
    expect(extended.evidenceEventIds).toContain(reported.eventIds[0]);
  });

  it('signing through the platform records the use: a signed restriction and a signed lift are uses of the SIGN certificate', async () => {
    const holder = await certifyPerson(app);
    const cookie = await signIn(app, holder);
    const signSerial = CertificateInfo.parse(holder.issued.sign.der).serialHex;
    const both = { products: ['bank_loan', 'microcredit'], channels: ['online', 'in_person'] };
    const placed = await app.inject({ method: 'POST', url: '/v1/me/restrictions', headers: { cookie, 'x-device-id': 'home-pc' }, payload: { document: await signedRequest(app, holder, { action: 'restriction.place', ...both }) } });
    expect(placed.statusCode, placed.body).toBe(201);
    const lifted = await app.inject({
      method: 'POST', url: '/v1/me/lifts', headers: { cookie, 'x-device-id': 'home-pc' },
      payload: { document: await signedRequest(app, holder, { action: 'restriction.lift', restrictionId: null, scope: 'entire' }) },
    });
    expect(lifted.statusCode, lifted.body).toBe(201);
    const uses = await app.database.db.selectFrom('usage_events').selectAll().where('certificate_serial', '=', signSerial).orderBy('id').execute();
    expect(uses.map((u) => [u.purpose, u.outcome, u.device_id, u.source])).toEqual([['sign', 'accepted', 'home-pc', 'platform'], ['sign', 'accepted', 'home-pc', 'platform']]);
    expect(Buffer.from(uses[1].person_hash!).equals(app.pseudonymizer.of(holder.iin))).toBe(true);
  });

  it('a retried batch with event ids stores nothing new, raises no new alerts and answers the same', async () => {
    const bin = buildBin();
    const iin = buildIin();
    await employ(bin, iin, '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
    const s = serial();
    const batchId = randomBytes(6).toString('hex');
    const events = [
      { eventId: `${batchId}-1`, occurredAt: at('2026-02-01T09:00:00Z'), certificateSerial: s, certificateIssuer: ISSUER, holderIin: iin, organizationBin: bin, purpose: 'sign', deviceId: 'pc-1', clientIp: '10.0.0.1' },
      { eventId: `${batchId}-2`, occurredAt: at('2026-02-01T09:05:00Z'), certificateSerial: s, certificateIssuer: ISSUER, holderIin: iin, organizationBin: bin, purpose: 'sign', deviceId: 'pc-2', clientIp: '10.9.0.1' },
    ];
    const countOf = async () => (await app.database.db.selectFrom('usage_events').select((eb) => eb.fn.countAll<string>().as('n')).where('certificate_serial', '=', s).executeTakeFirstOrThrow()).n;
    const alertsOfSerial = async () => (await alertsOf(`organization=${bin}&limit=500`)).filter((a) => a.certificateSerial === s);
    const first = await ingest(events);
    expect(first.accepted).toBe(2);
    expect(first.alertIds.length).toBeGreaterThan(0);
    const alertsBefore = await alertsOfSerial();
    expect(Number(await countOf())).toBe(2);

    const second = await ingest(events);
    expect(second).toEqual({ accepted: 2, eventIds: first.eventIds, alertIds: [] });
    expect(Number(await countOf())).toBe(2);
    expect(await alertsOfSerial()).toEqual(alertsBefore);

    // One new event in a retried batch is stored and judged; the known one is not.
    const third = await ingest([events[0], { ...events[0], eventId: `${batchId}-3`, occurredAt: at('2026-02-01T09:10:00Z') }]);
    expect(third.eventIds[0]).toBe(first.eventIds[0]);
    expect(third.eventIds[1]).not.toBe(first.eventIds[1]);
    expect(Number(await countOf())).toBe(3);
    const tooLong = await app.inject({ method: 'POST', url: '/v1/usage-events', headers: rp, payload: { events: [{ ...events[0], eventId: 'x'.repeat(101) }] } });
    expect(tooLong.statusCode).toBe(400);
  });

  it('rule 2: two devices within the window raise an alert; the same device, or two devices far apart, do not', async () => {
    const s = serial();
    const base = { certificateSerial: s, certificateIssuer: ISSUER, purpose: 'signin' };
    await ingest([
      { ...base, occurredAt: at('2026-04-01T05:00:00Z'), deviceId: 'phone', clientIp: '10.0.0.1' },
      { ...base, occurredAt: at('2026-04-01T05:03:00Z'), deviceId: 'phone', clientIp: '10.0.0.2' },
      { ...base, occurredAt: at('2026-04-01T09:00:00Z'), deviceId: 'laptop', clientIp: '10.0.0.3' },
    ]);
    expect((await alertsOf('rule=two-devices&limit=500')).filter((a) => a.certificateSerial === s)).toHaveLength(0);
    const close = await ingest([{ ...base, occurredAt: at('2026-04-01T09:05:00Z'), deviceId: 'desktop', clientIp: '10.0.0.3' }]);
    const found = (await alertsOf('rule=two-devices&limit=500')).filter((a) => a.certificateSerial === s);
    expect(found).toHaveLength(1);
    expect(found[0].evidenceEventIds).toContain(close.eventIds[0]);
    expect(found[0].evidenceEventIds).toHaveLength(2);

    // The same device from another network is two networks.
    const s2 = serial();
    await ingest([
      { certificateSerial: s2, certificateIssuer: ISSUER, purpose: 'verify', occurredAt: at('2026-04-02T05:00:00Z'), deviceId: 'phone', clientIp: '10.0.0.1' },
      { certificateSerial: s2, certificateIssuer: ISSUER, purpose: 'verify', occurredAt: at('2026-04-02T05:01:00Z'), deviceId: 'phone', clientIp: '192.168.7.1' },
    ]);
    expect((await alertsOf('rule=two-devices&limit=500')).filter((a) => a.certificateSerial === s2)).toHaveLength(1);
  });

  it('rule 4: a document signed for the organization after the holder left, by its time stamp', async () => {
    const bin = buildBin();
    const iin = buildIin();
    await employ(bin, iin, '2025-01-01T00:00:00Z', '2026-05-01T00:00:00Z');
    const base = { certificateIssuer: ISSUER, holderIin: iin, organizationBin: bin, purpose: 'verify' };
    const s1 = serial();
    const s2 = serial();
    // Verified after the end, but signed (time stamp) before it: no rule 4 alert.
    await ingest([{ ...base, certificateSerial: s1, occurredAt: at('2026-05-10T06:00:00Z'), signedAt: at('2026-04-20T06:00:00Z') }]);
    // Signed after the end.
    const late = await ingest([{ ...base, certificateSerial: s2, occurredAt: at('2026-05-10T06:00:00Z'), signedAt: at('2026-05-02T06:00:00Z') }]);
    const alerts = await alertsOf(`organization=${bin}&rule=signed-after-departure`);
    expect(alerts.map((a) => a.certificateSerial)).toEqual([s2]);
    expect(alerts[0].evidenceEventIds).toEqual(late.eventIds);
    expect(alerts[0].details.signedAt).toBe('2026-05-02T06:00:00.000Z');
  });

  it('rule 5: a use at an hour unusual for the holder gets a score and an alert; a use at the usual hour does not', async () => {
    const iin = buildIin();
    const s = serial();
    const base = { certificateSerial: s, certificateIssuer: ISSUER, holderIin: iin, purpose: 'signin', deviceId: 'pc' };
    // Office hours: 10:00 local (05:00 UTC), on many days.
    const history = Array.from({ length: UNUSUAL_HOURS_MIN_HISTORY + 5 }, (_, i) => ({ ...base, occurredAt: new Date(Date.UTC(2026, 0, 1 + i, 5, 0)).toISOString() }));
    expect(localHour(new Date(history[0].occurredAt))).toBe(10);
    await ingest(history);
    const person = app.pseudonymizer.of(iin).toString('hex');
    expect((await alertsOf('rule=unusual-hours&limit=500')).filter((a) => a.person === person)).toHaveLength(0);
    await ingest([{ ...base, occurredAt: at('2026-02-10T05:30:00Z') }]);
    expect((await alertsOf('rule=unusual-hours&limit=500')).filter((a) => a.person === person)).toHaveLength(0);
    // 03:00 local.
    const night = await ingest([{ ...base, occurredAt: at('2026-02-11T22:00:00Z') }]);
    const alerts = (await alertsOf('rule=unusual-hours&limit=500')).filter((a) => a.person === person);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].score).toBe(1);
    expect(alerts[0].evidenceEventIds).toEqual(night.eventIds);
  });

  it("alerts reach the organization's HR admins and the inspectors' mailbox; the holder hears of a new device", async () => {
    const db = app.database.db;
    const bin = buildBin();
    const hrIin = buildIin();
    const holderIin = buildIin();
    await employ(bin, hrIin, '2020-01-01T00:00:00Z', null, true);
    await employ(bin, holderIin, '2020-01-01T00:00:00Z', '2026-06-01T00:00:00Z');
    await app.notifications.contacts.add(app.pseudonymizer.of(hrIin), 'webhook', 'https://hr.example.kz/hook', 'en');
    await app.notifications.contacts.add(app.pseudonymizer.of(holderIin), 'webhook', 'https://holder.example.kz/hook', 'en');
    const added = await app.inject({ method: 'POST', url: '/v1/inspectors/contacts', headers: inspector, payload: { channel: 'webhook', address: 'https://inspectors.example.kz/hook' } });
    expect(added.statusCode, added.body).toBe(201);

    const s = serial();
    const base = { certificateSerial: s, certificateIssuer: ISSUER, holderIin, organizationBin: bin, purpose: 'sign' };
    const first = await ingest([{ ...base, occurredAt: at('2026-05-20T05:00:00Z'), deviceId: 'own-laptop' }]);
    expect(first.alertIds).toHaveLength(0);
    const misuse = await ingest([{ ...base, occurredAt: at('2026-06-03T05:00:00Z'), deviceId: 'new-worker-pc' }]);
    expect(misuse.alertIds).toHaveLength(1);

    const alertNotices = await db.selectFrom('notification_outbox').select(['person_hash', 'payload']).where('event', '=', 'signature.alert').execute();
    const forAlert = alertNotices.filter((n) => (n.payload as { alertId?: string }).alertId === misuse.alertIds[0]);
    const recipients = forAlert.map((n) => Buffer.from(n.person_hash).toString('hex'));
    expect(recipients).toContain(app.pseudonymizer.of(hrIin).toString('hex'));
    expect(recipients).toContain(INSPECTORS_MAILBOX.toString('hex'));
    expect(recipients).not.toContain(app.pseudonymizer.of(holderIin).toString('hex'));

    const deviceNotices = await db.selectFrom('notification_outbox').select(['payload']).where('event', '=', 'signature.new-device').where('person_hash', '=', app.pseudonymizer.of(holderIin)).execute();
    expect(deviceNotices.map((n) => (n.payload as { deviceId: string }).deviceId)).toEqual(['new-worker-pc']);
  });
});
