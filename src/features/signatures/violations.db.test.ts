import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, getTestDatabase } from '../../../test/helpers/test-database.js';
import { buildBin, buildIin, buildOperatorToken } from '../../../test/helpers/factories.js';
import { buildEmployee } from '../../../test/helpers/pki-factories.js';
import { certifyPerson } from '../../../test/helpers/person-sessions.js';
import { revokeCertificates } from '../ca/index.js';
import { CertificateInfo } from '../../pkix/certificate.js';

const ISSUER = 'CN=Test Relying CA,C=KZ';

describe('compliance check, violation cases and fines', () => {
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

  async function employ(bin: string, iin: string, startedAt: Date, endedAt: Date | null) {
    const db = app.database.db;
    await db.insertInto('enrolled_organizations').values({ bin, name: 'Test LLP', enrolled_by: 'test' }).onConflict((c) => c.doNothing()).execute();
    await db.insertInto('employments').values({ bin, iin, position: 'clerk', started_at: startedAt, ended_at: endedAt }).execute();
  }

  /** An alert of rule 1 for a fresh organization: a use after the holder left. */
  async function departureAlert() {
    const bin = buildBin();
    const iin = buildIin();
    await employ(bin, iin, new Date('2025-01-01T00:00:00Z'), new Date('2026-03-01T00:00:00Z'));
    const response = await app.inject({
      method: 'POST',
      url: '/v1/usage-events',
      headers: rp,
      payload: { events: [{ occurredAt: '2026-03-10T06:00:00Z', certificateSerial: randomBytes(8).toString('hex'), certificateIssuer: ISSUER, holderIin: iin, organizationBin: bin, purpose: 'sign' }] },
    });
    expect(response.statusCode, response.body).toBe(201);
    const [alertId] = response.json().alertIds;
    expect(alertId).toBeDefined();
    return { bin, iin, alertId: alertId as string, eventIds: response.json().eventIds as string[] };
  }

  it("rule 3: an ended employee's certificates still unrevoked a day later are a compliance alert; revoked ones or recent ends are not", async () => {
    const hour = 3600_000;
    const late = await certifyPerson(app, buildEmployee());
    const recent = await certifyPerson(app, buildEmployee());
    const revoked = await certifyPerson(app, buildEmployee());
    await employ(late.person.bin!, late.iin, new Date(Date.now() - 400 * 24 * hour), new Date(Date.now() - 25 * hour));
    await employ(recent.person.bin!, recent.iin, new Date(Date.now() - 400 * 24 * hour), new Date(Date.now() - 2 * hour));
    await employ(revoked.person.bin!, revoked.iin, new Date(Date.now() - 400 * 24 * hour), new Date(Date.now() - 25 * hour));
    await revokeCertificates(app.database.db, { issuer: app.pki!.issuing.name, serials: [revoked.issued.auth.serial], reason: 'affiliationChanged', actor: 'test' });

    const run = await app.inject({ method: 'POST', url: '/v1/usage-alerts/compliance-check', headers: inspector });
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json().alertsCreated).toBeGreaterThanOrEqual(1);
    const list = async (bin: string) => (await app.inject({ method: 'GET', url: `/v1/usage-alerts?organization=${bin}&rule=unrevoked-after-departure`, headers: inspector })).json();
    const [alert, ...more] = await list(late.person.bin!);
    expect(more).toHaveLength(0);
    expect(alert.person).toBe(app.pseudonymizer.of(late.iin).toString('hex'));
    expect([...alert.details.unrevokedSerials].sort()).toEqual([CertificateInfo.parse(late.issued.auth.der).serialHex, CertificateInfo.parse(late.issued.sign.der).serialHex].sort());
    expect(await list(recent.person.bin!)).toHaveLength(0);
    expect(await list(revoked.person.bin!)).toHaveLength(0);

    // Running again finds the same and raises nothing new.
    await app.inject({ method: 'POST', url: '/v1/usage-alerts/compliance-check', headers: inspector });
    expect(await list(late.person.bin!)).toHaveLength(1);
  });

  it("the inspector's list of cases: newest first, by status or organization, with the fine; for inspectors only", async () => {
    const first = await departureAlert();
    const second = await departureAlert();
    const open = async (alertId: string) => (await app.inject({ method: 'POST', url: '/v1/violations', headers: inspector, payload: { alertId, violationType: 'art640-6', offenderCategory: 'official' } })).json();
    const a = await open(first.alertId);
    const b = await open(second.alertId);
    const fined = await app.inject({ method: 'POST', url: `/v1/violations/${a.id}/decision`, headers: inspector, payload: { status: 'fined', decision: 'Used after leaving' } });
    expect(fined.statusCode, fined.body).toBe(200);

    const list = async (query: string) => {
      const res = await app.inject({ url: `/v1/violations${query}`, headers: inspector });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { id: string; status: string; organizationBin: string; fine: { tenge: number } | null }[];
    };
    const all = (await list('?limit=500')).map((c) => c.id);
    expect(all.indexOf(b.id)).toBeGreaterThanOrEqual(0);
    expect(all.indexOf(a.id)).toBeGreaterThan(all.indexOf(b.id));
    const ofFirst = await list(`?organization=${first.bin}`);
    expect(ofFirst.map((c) => c.id)).toEqual([a.id]);
    expect(ofFirst[0]).toMatchObject({ status: 'fined', fine: { tenge: fined.json().fine.tenge } });
    expect((await list('?status=fined&limit=500')).map((c) => c.id)).toContain(a.id);
    expect((await list('?status=fined&limit=500')).map((c) => c.id)).not.toContain(b.id);
    expect((await list('?status=open&limit=500')).map((c) => c.id)).toContain(b.id);

    expect((await app.inject({ url: '/v1/violations', headers: rp })).json()).toMatchObject({ status: 403, code: 'AUTH_FORBIDDEN' });
    expect((await app.inject({ url: '/v1/violations' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/v1/violations?status=bogus', headers: inspector })).json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('an inspector escalates an alert to a case, fines it per the schedule in MCI and tenge, and it shows in the statistics', async () => {
    const { bin, iin, alertId, eventIds } = await departureAlert();
    const year = new Date().getUTCFullYear();
    const before = (await app.inject({ method: 'GET', url: `/v1/violations/statistics?year=${year}` })).json() as { violationType: string; cases: number; fined: number; fineTenge: number }[];
    const opened = await app.inject({ method: 'POST', url: '/v1/violations', headers: inspector, payload: { alertId, violationType: 'art640-6', offenderCategory: 'official' } });
    expect(opened.statusCode, opened.body).toBe(201);
    const violation = opened.json();
    expect(violation).toMatchObject({
      alertId,
      organizationBin: bin,
      person: app.pseudonymizer.of(iin).toString('hex'),
      rule: 'used-after-departure',
      status: 'open',
      fine: null,
      schedule: { minMci: 100, maxMci: 100 },
      evidenceEventIds: eventIds,
    });
    const alert = (await app.inject({ method: 'GET', url: `/v1/usage-alerts/${alertId}`, headers: inspector })).json();
    expect(alert.status).toBe('escalated');

    const fined = await app.inject({ method: 'POST', url: `/v1/violations/${violation.id}/decision`, headers: inspector, payload: { status: 'fined', decision: 'Used a former employee\'s e-signature', year: 2026 } });
    expect(fined.statusCode, fined.body).toBe(200);
    expect(fined.json()).toMatchObject({ status: 'fined', fine: { mci: 100, year: 2026, mciTenge: 4325, tenge: 432_500 } });
    expect((await app.inject({ method: 'GET', url: `/v1/violations/${violation.id}`, headers: inspector })).json().fine.tenge).toBe(432_500);

    const after = (await app.inject({ method: 'GET', url: `/v1/violations/statistics?year=${year}` })).json() as typeof before;
    const row = (rows: typeof before) => rows.find((r) => r.violationType === 'art640-6') ?? { cases: 0, fined: 0, fineTenge: 0 };
    expect(row(after).cases - row(before).cases).toBe(1);
    expect(row(after).fined - row(before).fined).toBe(1);
    expect(row(after).fineTenge - row(before).fineTenge).toBe(432_500);
    const all = (await app.inject({ method: 'GET', url: '/v1/violations/statistics' })).json() as { year: number; violationType: string; cases: number }[];
    expect(all.some((r) => r.year === year && r.violationType === 'art640-6' && r.cases >= 1)).toBe(true);

    // Appealed, then closed; a closed case takes no further decision.
    expect((await app.inject({ method: 'POST', url: `/v1/violations/${violation.id}/decision`, headers: inspector, payload: { status: 'appealed', decision: 'Appeal filed' } })).json().status).toBe('appealed');
    expect((await app.inject({ method: 'POST', url: `/v1/violations/${violation.id}/decision`, headers: inspector, payload: { status: 'closed', decision: 'Appeal upheld' } })).json().status).toBe('closed');
    const again = await app.inject({ method: 'POST', url: `/v1/violations/${violation.id}/decision`, headers: inspector, payload: { status: 'fined', decision: 'again' } });
    expect(again.statusCode, again.body).toBe(409);
    expect(again.json().code).toBe('VIOLATION_TRANSITION');
  });

  it('refuses what cannot be: a second case for an alert, an unknown violation type, a fine outside the schedule, an unknown MCI year, other roles', async () => {
    const { alertId } = await departureAlert();
    const open = (payload: Record<string, unknown>, headers = inspector) => app.inject({ method: 'POST', url: '/v1/violations', headers, payload });
    const unknownType = await open({ alertId, violationType: 'art999', offenderCategory: 'individual' });
    expect(unknownType.statusCode).toBe(422);
    expect(unknownType.json().code).toBe('VIOLATION_TYPE_UNKNOWN');
    expect((await open({ alertId, violationType: 'art640-5', offenderCategory: 'nobody' })).statusCode).toBe(400);
    expect((await open({ alertId: '00000000-0000-4000-8000-000000000000', violationType: 'art640-5', offenderCategory: 'individual' })).statusCode).toBe(404);
    const { database } = await getTestDatabase();
    const registrar = { authorization: `Bearer ${await buildOperatorToken(database.db, 'registry-operator')}` };
    expect((await open({ alertId, violationType: 'art640-5', offenderCategory: 'individual' }, registrar)).statusCode).toBe(403);

    const opened = await open({ alertId, violationType: 'art640-5', offenderCategory: 'large' });
    expect(opened.statusCode).toBe(201);
    const second = await open({ alertId, violationType: 'art640-5', offenderCategory: 'large' });
    expect(second.statusCode).toBe(409);
    expect(second.json().code).toBe('ALERT_ALREADY_ESCALATED');

    const decide = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: `/v1/violations/${opened.json().id}/decision`, headers: inspector, payload });
    const outside = await decide({ status: 'fined', decision: 'x', fineMci: 151 });
    expect(outside.statusCode).toBe(422);
    expect(outside.json()).toMatchObject({ code: 'FINE_OUT_OF_RANGE', minMci: 150, maxMci: 150 });
    const noYear = await decide({ status: 'fined', decision: 'x', year: 2019 });
    expect(noYear.statusCode).toBe(422);
    expect(noYear.json().code).toBe('MCI_UNKNOWN_YEAR');
    const fined = await decide({ status: 'fined', decision: 'Passed the signature of a large business official', year: 2025 });
    expect(fined.json().fine).toEqual({ mci: 150, year: 2025, mciTenge: 3932, tenge: 589_800 });
    expect((await app.inject({ method: 'GET', url: '/v1/violations/not-a-case', headers: inspector })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/v1/violations/00000000-0000-4000-8000-000000000000', headers: inspector })).statusCode).toBe(404);
  });

  it('publishes the fine schedule of article 640 parts 5 and 6', async () => {
    const schedule = (await app.inject({ method: 'GET', url: '/v1/violations/fine-schedule' })).json() as { violationType: string; offenderCategory: string; minMci: number }[];
    const mci = (type: string) => ['individual', 'official', 'medium', 'large'].map((c) => schedule.find((s) => s.violationType === type && s.offenderCategory === c)?.minMci);
    expect(mci('art640-5')).toEqual([10, 15, 30, 150]);
    expect(mci('art640-6')).toEqual([50, 100, 150, 200]);
  });
});
