import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildTestApp, getTestDatabase } from '../helpers/test-database.js';
import { buildBin, buildOperatorToken } from '../helpers/factories.js';
import { certifyPerson, signAs, type CertifiedPerson } from '../helpers/person-sessions.js';
import { downloadPair, enrolledOrganization, signedEmployeeApplication } from '../helpers/organizations.js';
import { INSPECTORS_MAILBOX } from '../../src/features/signatures/index.js';

/**
 * The seed's story: HR authorizes an employee's pair; she applies with keys made on her own
 * laptop, signing the application with her personal certificate; she quits; HR terminates; the
 * certificates are revoked; a new worker handed them tries to sign in and to sign, and is refused;
 * the misuse is an alert, the inspector opens a violation case and fines it per article 640.
 */
describe('an employee quits and her e-signature is passed to a new worker', () => {
  let app: FastifyInstance;
  let inspector: Record<string, string>;
  let documentSystem: Record<string, string>;

  beforeAll(async () => {
    // A day's window: the story's uses are seconds apart, however slow the machine.
    app = await buildTestApp({ usageTwoDevicesWindowMinutes: 24 * 60 });
    const db = (await getTestDatabase()).database.db;
    inspector = { authorization: `Bearer ${await buildOperatorToken(db, 'inspector')}` };
    // The company's document system verifies signatures with its relying-party credential: its verifications are reported uses.
    documentSystem = { authorization: `Bearer ${await buildOperatorToken(db, 'relying-party')}` };
  });
  afterAll(async () => app.close());

  it('walks from hiring to the fine', async () => {
    const db = app.database.db;
    const org = await enrolledOrganization(app, buildBin());
    const hrHeaders = { cookie: org.hrCookie };
    // The HR officer is on the staff list with the HR role, and hears about alerts by webhook.
    const hrRecord = await app.inject({ method: 'PUT', url: `/v1/orgs/${org.bin}/employees/${org.hr.iin}`, headers: hrHeaders, payload: { position: 'HR officer', roles: { hr: true }, startDate: '2024-01-15' } });
    expect(hrRecord.statusCode, hrRecord.body).toBe(201);
    await app.notifications.contacts.add(app.pseudonymizer.of(org.hr.iin), 'webhook', 'https://hr.example.kz/qorgau', 'en');
    await app.inject({ method: 'POST', url: '/v1/inspectors/contacts', headers: inspector, payload: { channel: 'webhook', address: 'https://inspection.example.kz/qorgau' } });

    // Hired; HR authorizes a pair; she makes the keys on her laptop and applies, signing with her personal certificate.
    const citizen = await certifyPerson(app, { surname: 'Сейітова', givenName: 'Айгерім' });
    const hired = await app.inject({ method: 'PUT', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}`, headers: hrHeaders, payload: { position: 'accountant', surname: 'Сейітова', givenName: 'Айгерім', roles: { maySign: true }, startDate: '2025-02-01' } });
    expect(hired.statusCode, hired.body).toBe(201);
    const hrMadeKeys = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}/certificates`, headers: hrHeaders, payload: {} });
    expect(hrMadeKeys.json().code).toBe('EMPLOYEE_KEYS_FROM_HR_REFUSED');
    const authorized = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}/certificate-authorizations`, headers: hrHeaders, payload: { validDays: 3 } });
    expect(authorized.statusCode, authorized.body).toBe(201);
    const application = await signedEmployeeApplication(app, citizen, org.bin);
    const applied = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: application.body });
    expect(applied.statusCode, applied.body).toBe(201);
    const pair = applied.json() as { id: string; pairId: string; certificates: { kind: 'auth' | 'sign'; serial: string }[] };
    const aigerim = { ...citizen.person, organization: 'ТОО «Test»', bin: org.bin };
    const holder: CertifiedPerson = {
      person: aigerim,
      iin: aigerim.iin,
      issued: { pairId: pair.pairId, ...(await downloadPair(app, pair.id)) } as unknown as CertifiedPerson['issued'],
      authKey: application.authKey,
      signKey: application.signKey,
    };
    await app.notifications.contacts.add(app.pseudonymizer.of(aigerim.iin), 'webhook', 'https://aigerim.example.kz/qorgau', 'en');

    // She works: signs in and signs a payment order from her laptop.
    const ownDevice = { 'x-device-id': 'aigerim-laptop' };
    const { nonce: firstNonce } = (await app.inject({ method: 'POST', url: '/v1/auth/challenge' })).json();
    const ownSignin = await app.inject({ method: 'POST', url: '/v1/auth/signin', headers: ownDevice, payload: { nonce: firstNonce, cms: (await signAs(app, holder, 'auth', firstNonce)).toString('base64') } });
    expect(ownSignin.statusCode, ownSignin.body).toBe(200);
    const order = await signAs(app, holder, 'sign', 'Payment order 17');
    const ownSignature = await app.inject({ method: 'POST', url: '/v1/signatures/verify', headers: { ...documentSystem, ...ownDevice }, payload: { cms: order.toString('base64') } });
    expect(ownSignature.json().result).toBe('valid');
    const serials = pair.certificates.map((c) => c.serial);
    const alertsOf = async () => ((await app.inject({ method: 'GET', url: `/v1/usage-alerts?organization=${org.bin}`, headers: inspector })).json() as { id: string; rule: string; certificateSerial: string; evidenceEventIds: string[] }[]);
    expect(await alertsOf()).toEqual([]);

    // She quits; HR terminates; both certificates are revoked (affiliationChanged).
    const terminated = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${aigerim.iin}/terminate`, headers: hrHeaders, payload: { reason: 'resigned' } });
    expect(terminated.statusCode, terminated.body).toBe(200);
    expect(terminated.json().revoked.map((r: { serial: string }) => r.serial).sort()).toEqual([...serials].sort());
    expect(terminated.json().revoked.every((r: { reason: string }) => r.reason === 'affiliationChanged')).toBe(true);

    // A new worker at another computer is handed her token and password.
    const strangerDevice = { 'x-device-id': 'new-worker-pc' };
    const { nonce } = (await app.inject({ method: 'POST', url: '/v1/auth/challenge' })).json();
    const signin = await app.inject({ method: 'POST', url: '/v1/auth/signin', headers: strangerDevice, payload: { nonce, cms: (await signAs(app, holder, 'auth', nonce)).toString('base64') } });
    expect(signin.statusCode).toBe(401);
    expect(signin.json().code).toBe('SIGNIN_CERTIFICATE_REVOKED');
    const contract = await signAs(app, holder, 'sign', 'Supply contract 2026/44');
    const signature = await app.inject({ method: 'POST', url: '/v1/signatures/verify', headers: { ...documentSystem, ...strangerDevice }, payload: { cms: contract.toString('base64') } });
    expect(signature.statusCode).toBe(200);
    expect(signature.json().result).toBe('invalid');
    expect(signature.json().signers[0].checks).toContainEqual(expect.objectContaining({ check: 'revocation', status: 'failed', code: 'REVOKED' }));

    // Every use was recorded, under her pseudonym only; the two refused ones are the alert's evidence.
    const uses = await db.selectFrom('usage_events').select(['id', 'certificate_serial', 'purpose', 'outcome', 'device_id', 'person_hash']).where('certificate_serial', 'in', serials).orderBy('id').execute();
    expect(uses.map((u) => [u.purpose, u.outcome, u.device_id])).toEqual([
      ['signin', 'accepted', 'aigerim-laptop'],
      ['verify', 'accepted', 'aigerim-laptop'],
      ['signin', 'refused', 'new-worker-pc'],
      ['verify', 'refused', 'new-worker-pc'],
    ]);
    expect(uses.every((u) => u.person_hash && Buffer.from(u.person_hash).equals(app.pseudonymizer.of(aigerim.iin)))).toBe(true);
    const misuse = (await alertsOf()).filter((a) => a.rule === 'used-after-departure');
    expect(misuse).toHaveLength(2);
    expect(misuse.flatMap((a) => a.evidenceEventIds).sort()).toEqual(uses.slice(2).map((u) => String(u.id)).sort());

    // HR and the inspectors were told of the alerts; Aigerim of the new device.
    const notices = await db.selectFrom('notification_outbox').select(['person_hash', 'event', 'payload']).where('event', 'in', ['signature.alert', 'signature.new-device']).execute();
    const to = (hash: Buffer, event: string) => notices.filter((n) => n.event === event && Buffer.from(n.person_hash).equals(hash));
    const about = (n: { payload: unknown }) => (n.payload as { alertId?: string }).alertId;
    // Minutes apart on her laptop and on the new worker's computer: two devices as well.
    const all = await alertsOf();
    expect(all.filter((a) => a.rule === 'two-devices').map((a) => a.certificateSerial).sort()).toEqual([...serials].sort());
    expect(to(app.pseudonymizer.of(org.hr.iin), 'signature.alert').map(about).sort()).toEqual(all.map((a) => a.id).sort());
    expect(to(INSPECTORS_MAILBOX, 'signature.alert').map(about)).toEqual(expect.arrayContaining(all.map((a) => a.id)));
    expect(to(app.pseudonymizer.of(aigerim.iin), 'signature.new-device').map((n) => (n.payload as { deviceId: string }).deviceId)).toEqual(['new-worker-pc', 'new-worker-pc']);

    // HR sees them through the API too; another organization's HR does not.
    const hrView = await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/alerts`, headers: hrHeaders });
    expect(hrView.statusCode, hrView.body).toBe(200);
    expect(hrView.json().map((a: { id: string }) => a.id).sort()).toEqual(all.map((a) => a.id).sort());
    const other = await enrolledOrganization(app, buildBin());
    expect((await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/alerts`, headers: { cookie: other.hrCookie } })).statusCode).toBe(403);

    // The inspector opens a case (passing one's own e-signature, an individual) and fines it.
    const signAlert = misuse.find((a) => a.certificateSerial === pair.certificates.find((c) => c.kind === 'sign')!.serial)!;
    const opened = await app.inject({ method: 'POST', url: '/v1/violations', headers: inspector, payload: { alertId: signAlert.id, violationType: 'art640-5', offenderCategory: 'individual' } });
    expect(opened.statusCode, opened.body).toBe(201);
    expect(opened.json()).toMatchObject({ organizationBin: org.bin, person: app.pseudonymizer.of(aigerim.iin).toString('hex'), status: 'open', evidenceEventIds: signAlert.evidenceEventIds });
    const fined = await app.inject({
      method: 'POST',
      url: `/v1/violations/${opened.json().id}/decision`,
      headers: inspector,
      payload: { status: 'fined', decision: 'Passed her SIGN certificate to a new worker after leaving (CoAO art. 640 part 5)', year: 2026 },
    });
    expect(fined.statusCode, fined.body).toBe(200);
    expect(fined.json()).toMatchObject({ status: 'fined', fine: { mci: 10, year: 2026, mciTenge: 4325, tenge: 43_250 } });
    const statistics = (await app.inject({ method: 'GET', url: `/v1/violations/statistics?year=${new Date().getUTCFullYear()}` })).json() as { violationType: string; fined: number; fineTenge: number }[];
    const passing = statistics.find((s) => s.violationType === 'art640-5');
    expect(passing?.fined).toBeGreaterThanOrEqual(1);
    expect(passing?.fineTenge).toBeGreaterThanOrEqual(43_250);

    // Her IIN is in the clear only where the law or the organization's own records put it.
    // (HR's authorizations and the pairs issued under them are the organization's own records of its employees.)
    const lawful = ['certificates', 'certificate_applications', 'signed_documents', 'employments', 'employee_certificate_requests', 'employee_certificate_authorizations'];
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(db);
    const pseudonym = app.pseudonymizer.of(aigerim.iin).toString('hex');
    const holding: string[] = [];
    for (const { table_name } of tables.rows.filter((t) => !lawful.includes(t.table_name))) {
      const raw = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)} as t where strpos(t::text, ${aigerim.iin}) > 0`.execute(db);
      expect(raw.rows[0].n, `${table_name} holds her IIN`).toBe(0);
      const canary = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)} as t where strpos(t::text, ${pseudonym}) > 0`.execute(db);
      if (canary.rows[0].n > 0) holding.push(table_name);
    }
    expect(holding).toEqual(expect.arrayContaining(['usage_events', 'usage_alerts', 'usage_hour_profiles', 'violation_cases']));
  });
});
