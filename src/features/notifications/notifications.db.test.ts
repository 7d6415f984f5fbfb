import { createPublicKey, verify } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { buildBin, buildBreach, buildOperatorToken } from '../../../test/helpers/factories.js';
import { certifyPerson, signIn, signedRequest, type CertifiedPerson } from '../../../test/helpers/person-sessions.js';
import { EmailChannel, isPrivateAddress, WebhookChannel } from './channels.js';
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

  async function personWithContact(channel: 'webhook' | 'email') {
    const person = await certifyPerson(app);
    const cookie = await signIn(app, person);
    const path = `/hook/${Math.random().toString(36).slice(2)}`;
    const address = channel === 'webhook' ? `${webhookUrl}${path}` : `p${Math.random().toString(36).slice(2)}@example.kz`;
    const added = await app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie }, payload: { channel, address } });
    expect(added.statusCode, added.body).toBe(201);
    return { person, cookie, path, address };
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
    const mine = mails.filter((m) => m.to.includes(address));
    const events = mine.map((m) => /X-Qorgau-Event: (\S+)/.exec(m.raw)?.[1]);
    // The "now in effect" notice waits for the cooling-off.
    expect(events.sort()).toEqual(['contact.added', 'lift.requested', 'restriction.placed']);
    const requested = mine.find((m) => m.raw.includes('X-Qorgau-Event: lift.requested'))!;
    expect(requested.raw).toMatch(/Subject: Qorgau: you asked to lift a restriction/);
    expect(requested.raw).toContain('cancel it before then');
    expect(mine.every((m) => !m.raw.includes(person.iin))).toBe(true);

    const effective = (await outboxOf(person)).find((r) => r.event === 'lift.effective')!;
    expect(effective.delivered_at).toBeNull();
    expect(new Date(effective.next_attempt_at).getTime()).toBe(Date.parse(lifted.json().effectiveAt));
    await worker({ clock: () => new Date(Date.parse(lifted.json().effectiveAt) + 1000) }).runOnce();
    expect(mails.filter((m) => m.to.includes(address)).map((m) => /X-Qorgau-Event: (\S+)/.exec(m.raw)?.[1])).toContain('lift.effective');
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
    const { person, path } = await personWithContact('webhook');
    const operator = await buildOperatorToken(app.database.db, 'registry-operator');
    const headers = { authorization: `Bearer ${operator}` };
    const breach = (await app.inject({ method: 'POST', url: '/v1/breaches', headers, payload: buildBreach({ dataCategories: ['iin', 'bank_card'] }) })).json();
    await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/affected`, headers: { ...headers, 'content-type': 'application/x-ndjson' }, payload: JSON.stringify({ iin: person.iin }) });
    expect((await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/publish`, headers })).statusCode).toBe(200);
    await worker().runOnce();
    const created = received.filter((r) => r.path === path && r.body.event === 'restriction.created');
    expect(created).toHaveLength(1);
    expect(created[0].body.data).toMatchObject({ breachId: breach.id, products: ['bank_loan', 'microcredit'] });
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
    const message = { id: 'qorgau-notice-test', event: 'contact.added', occurredAt: new Date().toISOString(), subject: 's', text: 't', data: {} };
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
