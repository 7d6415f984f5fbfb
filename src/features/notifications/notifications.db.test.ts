import { createPublicKey, verify } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { buildBin, buildBreach, buildOperatorToken } from '../../../test/helpers/factories.js';
import { certifyPerson, signIn, signedRequest, type CertifiedPerson } from '../../../test/helpers/person-sessions.js';
import { readMail } from '../../../test/helpers/mail.js';
import { EmailChannel, isPrivateAddress, WebhookChannel } from './channels.js';
import { CODE_RULES, ContactService } from './contacts.js';
import { NotificationWorker } from './worker.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: { id: string; event: string; data: Record<string, unknown>; text: string };
}

const BOTH = { products: ['bank_loan', 'microcredit'], channels: ['online', 'in_person'] };
const HOUR = 3_600_000;

describe('notifications: transactional outbox, worker, webhook and SMTP', () => {
  let app: FastifyInstance;
  let webhook: Server;
  let webhookUrl: string;
  const received: Received[] = [];
  /** Paths whose next answers are failures, to test retries. */
  const failures = new Map<string, number>();
  let smtp: SMTPServer;
  let smtpUrl: string;
  const mails: { to: string[]; raw: string }[] = [];

  beforeAll(async () => {
    webhook = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const path = request.url ?? '/';
        const failing = failures.get(path) ?? 0;
        if (failing > 0) {
          failures.set(path, failing - 1);
          response.writeHead(503).end();
          return;
        }
        received.push({ path, headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}`;

    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    app = await buildTestApp({ smtpUrl });
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => webhook?.close(resolve));
    await new Promise((resolve) => smtp?.close(() => resolve(undefined)));
  });

  const worker = (options: ConstructorParameters<typeof NotificationWorker>[2] = {}) =>
    new NotificationWorker(app.database.db, [new WebhookChannel({ timeoutMs: 5000, allowPrivate: true, signer: app.notifications.signer }), new EmailChannel(smtpUrl, 'Qorgau <no-reply@qorgau.test>')], { backoffMs: 60_000, ...options });
  const outboxOf = (who: CertifiedPerson) =>
    app.database.db.selectFrom('notification_outbox').selectAll().where('person_hash', '=', app.pseudonymizer.of(who.iin)).orderBy('id').execute();

  const mailsTo = (address: string) => mails.filter((m) => m.to.includes(address)).map((m) => readMail(m.raw));
  /** The code in the last letter sent to `address` (six digits after "code"/"код"/"Кодыңыз"). */
  const codeSentTo = (address: string) => {
    const letters = mailsTo(address).filter((m) => m.headers['x-qorgau-event'] === 'contact.verification');
    return /(\d{6})/.exec(letters[letters.length - 1]?.text ?? '')?.[1];
  };
  const newAddress = () => `p${Math.random().toString(36).slice(2)}@example.kz`;

  async function personWithContact(channel: 'webhook' | 'email', language = 'en') {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    const path = `/hook/${Math.random().toString(36).slice(2)}`;
    const address = channel === 'webhook' ? `${webhookUrl}${path}` : newAddress();
    const added = await app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie }, payload: { channel, address, language } });
    expect(added.statusCode, added.body).toBe(201);
    if (channel === 'email') {
      const confirmed = await app.inject({ method: 'POST', url: `/v1/me/contacts/${added.json().id}/confirm`, headers: { cookie }, payload: { code: codeSentTo(address) } });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
    }
    return { person, cookie, path, address, contactId: added.json().id as string };
  }
  const place = async (who: CertifiedPerson, cookie: string) => {
    const response = await app.inject({ method: 'POST', url: '/v1/me/restrictions', headers: { cookie }, payload: { document: await signedRequest(app, who, { action: 'restriction.place', ...BOTH }) } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };

  it('delivers a restriction change to a webhook (a real HTTP server), without the IIN, and marks it delivered', async () => {
    const { person, cookie, path } = await personWithContact('webhook');
    const { restriction } = await place(person, cookie);
    const rows = await outboxOf(person);
    expect(rows.map((r) => r.event)).toEqual(['contact.added', 'restriction.placed']);
    expect(rows.every((r) => r.delivered_at === null)).toBe(true);

    await worker().runOnce();
    const mine = received.filter((r) => r.path === path);
    // Notices are delivered concurrently: their order of arrival is not promised.
    expect(mine.map((r) => r.body.event).sort()).toEqual(['contact.added', 'restriction.placed']);
    const notice = mine.find((r) => r.body.event === 'restriction.placed')!;
    expect(notice.body.data).toMatchObject({ restrictionId: restriction.id, products: BOTH.products });
    expect(notice.headers['idempotency-key']).toBe(notice.body.id);
    expect(notice.headers['content-type']).toBe('application/json');
    expect(JSON.stringify(notice.body)).not.toContain(person.iin);
    // Signed by the notice key published at /v1/notifications/signing-key; the JWS payload is the body.
    const jwk = (await app.inject({ method: 'GET', url: '/v1/notifications/signing-key' })).json();
    const jws = String(notice.headers['x-qorgau-signature']);
    const [header, payload, signature] = jws.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'ES256', typ: 'qorgau-notice+jwt', kid: jwk.kid });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toEqual(notice.body);
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(true);
    const forged = Buffer.from(JSON.stringify({ ...notice.body, event: 'lift.effective' })).toString('base64url');
    expect(verify('sha256', Buffer.from(`${header}.${forged}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(false);
    expect((await outboxOf(person)).every((r) => r.delivered_at !== null)).toBe(true);

    // Delivered rows are not sent again.
    await worker().runOnce();
    expect(received.filter((r) => r.path === path)).toHaveLength(2);
  });

  it('sends e-mail over real SMTP (nodemailer to an SMTP server the test runs)', async () => {
    const { person, cookie, address } = await personWithContact('email');
    await place(person, cookie);
    const lifted = await app.inject({
      method: 'POST',
      url: '/v1/me/lifts',
      headers: { cookie },
      payload: { document: await signedRequest(app, person, { action: 'restriction.lift', restrictionId: null, scope: 'lender', lenderBin: buildBin(), hours: 3 }) },
    });
    expect(lifted.statusCode, lifted.body).toBe(201);
    const report = await worker().runOnce();
    expect(report.failed).toBe(0);
    const mine = mailsTo(address);
    const events = mine.map((m) => m.headers['x-qorgau-event']);
    // The "now in effect" notice waits for the cooling-off.
    expect(events.sort()).toEqual(['contact.added', 'contact.verification', 'lift.requested', 'restriction.placed']);
    const requested = mine.find((m) => m.headers['x-qorgau-event'] === 'lift.requested')!;
    expect(requested.subject).toBe('Qorgau: you asked to lift a restriction');
    expect(requested.text).toContain('cancel it before then');
    expect(requested.headers['content-language']).toBe('en');
    expect(mails.filter((m) => m.to.includes(address)).every((m) => !m.raw.includes(person.iin))).toBe(true);

    const effective = (await outboxOf(person)).find((r) => r.event === 'lift.effective')!;
    expect(effective.delivered_at).toBeNull();
    expect(new Date(effective.next_attempt_at).getTime()).toBe(Date.parse(lifted.json().effectiveAt));
    await worker({ clock: () => new Date(Date.parse(lifted.json().effectiveAt) + 1000) }).runOnce();
    expect(mailsTo(address).map((m) => m.headers['x-qorgau-event'])).toContain('lift.effective');
  });

  it('sends an e-mail contact nothing but its code until the code is confirmed, then notices in its language', async () => {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    const address = newAddress();
    const added = await app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie, 'accept-language': 'ru-RU,ru;q=0.9,en;q=0.8' }, payload: { channel: 'email', address } });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ channel: 'email', address, language: 'ru', verified: false });
    const [letter] = mailsTo(address);
    expect(letter.subject).toBe('Qorgau: подтвердите адрес электронной почты');
    expect(letter.headers['content-language']).toBe('ru');
    const code = codeSentTo(address)!;
    expect(code).toMatch(/^\d{6}$/);
    expect(letter.text).toContain(`Ваш код: ${code}`);

    // Unconfirmed: a change of protection writes no notice for it.
    await place(person, cookie);
    expect(await outboxOf(person)).toEqual([]);
    // Hashed at rest: neither the code nor its plain SHA-256 is in the table.
    const rows = await app.database.db.selectFrom('contact_verification_codes').selectAll().where('contact_id', '=', added.json().id).execute();
    expect(rows).toHaveLength(1);
    const { createHash } = await import('node:crypto');
    expect(JSON.stringify(rows)).not.toContain(code);
    expect(Buffer.from(rows[0].code_hash).equals(createHash('sha256').update(code).digest())).toBe(false);

    const wrong = await app.inject({ method: 'POST', url: `/v1/me/contacts/${added.json().id}/confirm`, headers: { cookie }, payload: { code: code === '000000' ? '000001' : '000000' } });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ code: 'CONTACT_CODE_WRONG', attemptsLeft: CODE_RULES.attempts - 1 });
    const confirmed = await app.inject({ method: 'POST', url: `/v1/me/contacts/${added.json().id}/confirm`, headers: { cookie }, payload: { code } });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json()).toMatchObject({ verified: true, language: 'ru' });
    // Twice is harmless; the spent code does not come back.
    expect((await app.inject({ method: 'POST', url: `/v1/me/contacts/${added.json().id}/confirm`, headers: { cookie }, payload: { code } })).statusCode).toBe(200);

    await place(person, cookie);
    await worker().runOnce();
    const notices = mailsTo(address).filter((m) => m.headers['x-qorgau-event'] !== 'contact.verification');
    expect(notices.map((m) => m.headers['x-qorgau-event']).sort()).toEqual(['contact.added', 'restriction.placed']);
    expect(notices.find((m) => m.headers['x-qorgau-event'] === 'contact.added')!.subject).toBe('Qorgau: уведомления включены');
    expect(notices.every((m) => m.headers['content-language'] === 'ru')).toBe(true);

    // The person switches the contact to Kazakh.
    const switched = await app.inject({ method: 'PATCH', url: `/v1/me/contacts/${added.json().id}`, headers: { cookie }, payload: { language: 'kk' } });
    expect(switched.json().language).toBe('kk');
    await place(person, cookie);
    await worker().runOnce();
    expect(mailsTo(address).at(-1)!.subject).toBe('Qorgau: несиеге тыйымыңыз күшіне енді');
    expect((await app.inject({ method: 'PATCH', url: `/v1/me/contacts/${added.json().id}`, headers: { cookie }, payload: { language: 'de' } })).statusCode).toBe(400);
  });

  it('holds against an attacker: guessing codes, another person\'s contact, an old or spent code, floods', async () => {
    const victim = await certifyPerson(app);
    const victimCookie = await signIn(app, victim);
    const attacker = await certifyPerson(app);
    const attackerCookie = await signIn(app, attacker);
    const address = newAddress();
    const contact = (await app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie: victimCookie }, payload: { channel: 'email', address, language: 'en' } })).json();
    const code = codeSentTo(address)!;
    const confirm = (cookie: string, id: string, value: string) => app.inject({ method: 'POST', url: `/v1/me/contacts/${id}/confirm`, headers: { cookie }, payload: { code: value } });

    // Someone else's contact, even with its right code, does not exist for the attacker.
    expect((await confirm(attackerCookie, contact.id, code)).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/v1/me/contacts/${contact.id}/code`, headers: { cookie: attackerCookie } })).statusCode).toBe(404);
    // The victim's code does not confirm the attacker's own contact for the same address (a code is bound to its contact).
    const own = (await app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie: attackerCookie }, payload: { channel: 'email', address, language: 'en' } })).json();
    expect((await confirm(attackerCookie, own.id, code)).json().code).toBe('CONTACT_CODE_WRONG');

    // Guessing: five wrong tries spend the code; the right one then no longer works.
    const guesses = Array.from({ length: CODE_RULES.attempts }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
    for (const guess of guesses) expect((await confirm(victimCookie, contact.id, guess)).statusCode).toBe(422);
    const exhausted = await confirm(victimCookie, contact.id, code);
    expect(exhausted.statusCode).toBe(429);
    expect(exhausted.json().code).toBe('CONTACT_CODE_ATTEMPTS_EXHAUSTED');
    expect((await app.inject({ method: 'GET', url: '/v1/me/contacts', headers: { cookie: victimCookie } })).json()[0].verified).toBe(false);

    // A new code at once is refused (once a minute), with Retry-After.
    const again = await app.inject({ method: 'POST', url: `/v1/me/contacts/${contact.id}/code`, headers: { cookie: victimCookie } });
    expect(again.statusCode).toBe(429);
    expect(again.json().code).toBe('CONTACT_CODE_RATE_LIMITED');
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);

    // Bad input is a problem document.
    for (const payload of [{ code: 'abcdef' }, { code: '12345' }, {}]) {
      const bad = await app.inject({ method: 'POST', url: `/v1/me/contacts/${contact.id}/confirm`, headers: { cookie: victimCookie }, payload });
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
    }
    expect((await app.inject({ method: 'POST', url: '/v1/me/contacts/not-a-uuid/confirm', headers: { cookie: victimCookie }, payload: { code: '123456' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: `/v1/me/contacts/${contact.id}/confirm`, payload: { code: '123456' } })).statusCode).toBe(401);

    // With time (a service on a clock the test moves): a new code replaces the old; an old code expires.
    const email = new EmailChannel(smtpUrl, 'Qorgau <no-reply@qorgau.test>');
    let now = new Date(Date.now() + 2 * 60_000);
    const { createHmac } = await import('node:crypto');
    const service = new ContactService(app.database.db, {
      clock: () => now,
      codeKey: createHmac('sha256', app.config.pseudonymKey).update('qorgau contact confirmation codes').digest(),
      sendCode: (to, message) => email.deliver(to, message),
    });
    const victimHash = app.pseudonymizer.of(victim.iin);
    await service.sendCode(victimHash, contact.id);
    const second = codeSentTo(address)!;
    now = new Date(now.getTime() + (CODE_RULES.minutes * 60 + 1) * 1000);
    await expect(service.confirm(victimHash, contact.id, second)).rejects.toMatchObject({ code: 'CONTACT_CODE_EXPIRED' });
    await service.sendCode(victimHash, contact.id);
    const third = codeSentTo(address)!;
    if (third !== second) await expect(service.confirm(victimHash, contact.id, second)).rejects.toMatchObject({ code: 'CONTACT_CODE_WRONG' });
    expect((await service.confirm(victimHash, contact.id, third)).verified).toBe(true);
    await expect(service.sendCode(victimHash, contact.id)).rejects.toMatchObject({ code: 'CONTACT_ALREADY_VERIFIED' });

    // Floods: an address gets at most five codes an hour, whoever asks.
    const target = newAddress();
    const statuses: number[] = [];
    for (let i = 0; i < CODE_RULES.perAddressPerHour + 1; i++) {
      const p = await certifyPerson(app);
      const r = await app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie: await signIn(app, p) }, payload: { channel: 'email', address: target } });
      statuses.push(r.statusCode);
      if (r.statusCode === 429) expect(r.json()).toMatchObject({ code: 'CONTACT_CODE_RATE_LIMITED', contactId: expect.any(String) });
    }
    expect(statuses).toEqual([...Array(CODE_RULES.perAddressPerHour).fill(201), 429]);
    expect(mailsTo(target)).toHaveLength(CODE_RULES.perAddressPerHour);
    await email.close();
  });

  it('chooses the language of a new contact from the request, else Kazakh', async () => {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    const add = (headers: Record<string, string>, payload: Record<string, string>) => app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie, ...headers }, payload: { channel: 'webhook', address: `${webhookUrl}/lang/${Math.random()}`, ...payload } });
    expect((await add({}, {})).json().language).toBe('kk');
    expect((await add({ 'accept-language': 'de-DE, en;q=0.5, ru;q=0.7' }, {})).json().language).toBe('ru');
    expect((await add({ 'accept-language': 'ru' }, { language: 'en' })).json().language).toBe('en');
    expect((await add({}, { language: 'fr' })).statusCode).toBe(400);
  });

  it('redelivers after a worker crashes holding its claim (once the lease runs out)', async () => {
    const { person, cookie, path } = await personWithContact('webhook');
    await worker().runOnce();
    await place(person, cookie);
    const t0 = new Date();
    const crashed = worker({ clock: () => t0, leaseMs: 60_000 });
    const claimed = await crashed.claim();
    // The crash: the claim was taken and nothing was delivered or released.
    expect(claimed.map((c) => c.event)).toContain('restriction.placed');
    expect(received.filter((r) => r.path === path && r.body.event === 'restriction.placed')).toHaveLength(0);

    // Another worker during the lease does not take the row; after the lease it does.
    await worker({ clock: () => new Date(t0.getTime() + 30_000) }).runOnce();
    expect(received.filter((r) => r.path === path && r.body.event === 'restriction.placed')).toHaveLength(0);
    await worker({ clock: () => new Date(t0.getTime() + 61_000) }).runOnce();
    expect(received.filter((r) => r.path === path && r.body.event === 'restriction.placed')).toHaveLength(1);
    const row = (await outboxOf(person)).find((r) => r.event === 'restriction.placed')!;
    expect(row.delivered_at).not.toBeNull();
    expect(row.attempts).toBe(2);
  });

  it('retries a failed delivery with backoff, then delivers', async () => {
    const { person, cookie, path } = await personWithContact('webhook');
    await worker().runOnce();
    await place(person, cookie);
    failures.set(path, 1);
    const t0 = new Date();
    await worker({ clock: () => t0 }).runOnce();
    let row = (await outboxOf(person)).find((r) => r.event === 'restriction.placed')!;
    expect(row.delivered_at).toBeNull();
    expect(row.last_error).toContain('503');
    expect(new Date(row.next_attempt_at).getTime()).toBe(t0.getTime() + 60_000);
    await worker({ clock: () => new Date(t0.getTime() + 59_000) }).runOnce();
    expect(received.filter((r) => r.path === path && r.body.event === 'restriction.placed')).toHaveLength(0);
    await worker({ clock: () => new Date(t0.getTime() + 60_000) }).runOnce();
    expect(received.filter((r) => r.path === path && r.body.event === 'restriction.placed')).toHaveLength(1);
    row = (await outboxOf(person)).find((r) => r.event === 'restriction.placed')!;
    expect(row.delivered_at).not.toBeNull();
  });

  it('writes notices only with the change: a refused request leaves none; a cancelled lift withdraws its pending notice', async () => {
    const { person, cookie } = await personWithContact('webhook');
    await place(person, cookie);
    const before = (await outboxOf(person)).length;
    const refused = await app.inject({ method: 'POST', url: '/v1/me/restrictions', headers: { cookie }, payload: { document: await signedRequest(app, person, { action: 'restriction.place', ...BOTH }, { purpose: 'auth' }) } });
    expect(refused.statusCode).toBe(422);
    expect(await outboxOf(person)).toHaveLength(before);

    const lift = (await app.inject({ method: 'POST', url: '/v1/me/lifts', headers: { cookie }, payload: { document: await signedRequest(app, person, { action: 'restriction.lift', restrictionId: null, scope: 'entire' }) } })).json();
    await app.inject({ method: 'POST', url: `/v1/me/lifts/${lift.id}/cancel`, headers: { cookie } });
    const rows = await outboxOf(person);
    expect(rows.find((r) => r.event === 'lift.effective')!.cancelled_at).not.toBeNull();
    expect(rows.map((r) => r.event)).toContain('lift.cancelled');
    await worker({ clock: () => new Date(Date.parse(lift.effectiveAt) + HOUR) }).runOnce();
    expect((await outboxOf(person)).find((r) => r.event === 'lift.effective')!.delivered_at).toBeNull();
  });

  it('notifies the person of a denied lender check', async () => {
    const { person, cookie, path } = await personWithContact('webhook');
    await place(person, cookie);
    const admin = await buildOperatorToken(app.database.db, 'admin');
    const bin = buildBin();
    await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: { authorization: `Bearer ${admin}` }, payload: { bin, name: `Bank ${bin}`, licence: 'bank' } });
    const key = (await app.inject({ method: 'POST', url: `/v1/credit/lenders/${bin}/keys`, headers: { authorization: `Bearer ${admin}` } })).json().key;
    const checked = await app.inject({ method: 'POST', url: '/v1/credit/checks', headers: { authorization: `Bearer ${key}` }, payload: { iin: person.iin, product: 'bank_loan', channel: 'in_person' } });
    expect(checked.json().decision).toBe('deny');
    await worker().runOnce();
    const denied = received.filter((r) => r.path === path && r.body.event === 'check.denied');
    expect(denied).toHaveLength(1);
    expect(denied[0].body.data).toMatchObject({ checkId: checked.json().checkId, lenderBin: bin, lenderName: `Bank ${bin}`, product: 'bank_loan' });
  });

  it('notifies the persons of a published breach of their protective restriction, in the publishing transaction', async () => {
    const { person, path, cookie } = await personWithContact('webhook');
    // An e-mail contact not confirmed gets nothing, also from the set-based SQL of a publication.
    const unconfirmed = (await app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie }, payload: { channel: 'email', address: newAddress() } })).json();
    const operator = await buildOperatorToken(app.database.db, 'registry-operator');
    const headers = { authorization: `Bearer ${operator}` };
    const breach = (await app.inject({ method: 'POST', url: '/v1/breaches', headers, payload: buildBreach({ dataCategories: ['iin', 'bank_card'] }) })).json();
    await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/affected`, headers: { ...headers, 'content-type': 'application/x-ndjson' }, payload: JSON.stringify({ iin: person.iin }) });
    expect((await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/publish`, headers })).statusCode).toBe(200);
    await worker().runOnce();
    const created = received.filter((r) => r.path === path && r.body.event === 'restriction.created');
    expect(created).toHaveLength(1);
    expect((await outboxOf(person)).filter((r) => r.contact_id === unconfirmed.id)).toEqual([]);
    expect(created[0].body.data).toMatchObject({ breachId: breach.id, products: ['bank_loan', 'microcredit'] });
  });

  it('signs notices with the key file configured in QORGAU_NOTICE_KEY_FILE (made by OpenSSL)', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = `${mkdtempSync(`${tmpdir()}/notice-key-`)}/key.pem`;
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
    const configured = await buildTestApp({ noticeKeyFile: file });
    try {
      const jwk = (await configured.inject({ method: 'GET', url: '/v1/notifications/signing-key' })).json();
      const fromOpenssl = createPublicKey(execFileSync('openssl', ['pkey', '-in', file, '-pubout'])).export({ format: 'jwk' });
      expect({ x: jwk.x, y: jwk.y }).toEqual({ x: fromOpenssl.x, y: fromOpenssl.y });
      const jws = configured.notifications.signer.sign(Buffer.from('{"id":"n"}'));
      const [header, payload, signature] = jws.split('.');
      expect(verify('sha256', Buffer.from(`${header}.${payload}`), { key: createPublicKey(execFileSync('openssl', ['pkey', '-in', file, '-pubout'])), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(true);
    } finally {
      await configured.close();
    }
  });

  it('refuses a contact on a channel the server cannot deliver', async () => {
    const plain = await buildTestApp();
    try {
      const person = await certifyPerson(plain);
      const cookie = await signIn(plain, person);
      const response = await plain.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie }, payload: { channel: 'email', address: 'a@example.kz' } });
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('CONTACT_CHANNEL_UNAVAILABLE');
    } finally {
      await plain.close();
    }
  });

  it('two workers at once deliver each notice once (for update skip locked)', async () => {
    const { person, cookie, path } = await personWithContact('webhook');
    await worker().runOnce();
    for (let i = 0; i < 3; i++) await place(person, cookie);
    const reports = await Promise.all([worker().runOnce(), worker().runOnce(), worker().runOnce()]);
    expect(reports.reduce((n, r) => n + r.delivered, 0)).toBeGreaterThanOrEqual(3);
    expect(received.filter((r) => r.path === path && r.body.event === 'restriction.placed')).toHaveLength(3);
    expect((await outboxOf(person)).every((r) => r.delivered_at !== null && r.attempts === 1)).toBe(true);
  });

  it('the listening server runs the worker by itself', async () => {
    const server = await buildTestApp({ smtpUrl, webhookAllowPrivate: true });
    try {
      await server.listen({ port: 0, host: '127.0.0.1' });
      const person = await certifyPerson(server);
      const cookie = await signIn(server, person);
      const path = `/hook/server-${Math.random().toString(36).slice(2)}`;
      await server.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie }, payload: { channel: 'webhook', address: `${webhookUrl}${path}` } });
      for (let waited = 0; waited < 20_000 && !received.some((r) => r.path === path); waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received.filter((r) => r.path === path).map((r) => r.body.event)).toEqual(['contact.added']);
    } finally {
      await server.close();
    }
  });

  it('does not let a webhook reach private addresses unless allowed', async () => {
    const message = { id: 'qorgau-notice-test', event: 'contact.added', occurredAt: new Date().toISOString(), language: 'en', subject: 's', text: 't', data: {} };
    const guarded = new WebhookChannel({ timeoutMs: 5000 });
    for (const address of [`${webhookUrl}/private`, 'http://localhost:9/x', 'http://[::1]:9/x', 'http://169.254.169.254/latest/meta-data']) {
      await expect(guarded.deliver(address, message), address).rejects.toThrow(/private address/);
    }
    expect(received.some((r) => r.path === '/private')).toBe(false);
    await new WebhookChannel({ timeoutMs: 5000, allowPrivate: true }).deliver(`${webhookUrl}/private`, message);
    expect(received.filter((r) => r.path === '/private')).toHaveLength(1);
    expect(isPrivateAddress('::ffff:10.1.2.3', 6)).toBe(true);
    expect(isPrivateAddress('93.184.216.34', 4)).toBe(false);
  });

  it('manages contacts: validation, listing, removal; another person cannot remove them', async () => {
    const { person, cookie } = await personWithContact('webhook');
    const other = await certifyPerson(app);
    const otherCookie = await signIn(app, other);
    const bad = await app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie }, payload: { channel: 'webhook', address: 'ftp://example.kz/x' } });
    expect(bad.json().code).toBe('CONTACT_INVALID_URL');
    expect((await app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie }, payload: { channel: 'email', address: 'not-an-address' } })).json().code).toBe('CONTACT_INVALID_EMAIL');
    const list = (await app.inject({ method: 'GET', url: '/v1/me/contacts', headers: { cookie } })).json();
    expect(list).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: '/v1/me/contacts', headers: { cookie: otherCookie } })).json()).toEqual([]);
    expect((await app.inject({ method: 'DELETE', url: `/v1/me/contacts/${list[0].id}`, headers: { cookie: otherCookie } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/v1/me/contacts/${list[0].id}`, headers: { cookie } })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/v1/me/contacts', headers: { cookie } })).json()).toEqual([]);
    void person;
  });
});
