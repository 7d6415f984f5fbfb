import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { getTestDatabase, testDbKind } from '../../../../test/helpers/test-database.js';
import {
  buildOcspRequest,
  buildTestHierarchy,
  insertTestCertificate,
  openssl,
  tempDir,
  writeTemp,
  type TestHierarchy,
} from '../../../../test/helpers/revocation-fixtures.js';
import { createApiToken } from '../../../auth/api-tokens.js';
import { buildApp } from '../../../http/app.js';
import type { Database } from '../../../db/database.js';
import { releaseCertificateHold, revokeCertificates } from './certificate-revoker.js';
import { CrlPublisher } from './crl-publisher.js';

describe('revocation, CRL and OCSP routes', () => {
  let app: FastifyInstance;
  let h: TestHierarchy;
  let database: Database;
  let auth: { authorization: string };
  let dir: string;

  beforeAll(async () => {
    const shared = await getTestDatabase();
    database = shared.database;
    h = await buildTestHierarchy();
    // On PostgreSQL the app runs with its LISTEN/NOTIFY status cache, as in production.
    app = await buildApp({ config: { ...shared.config, databaseUrl: shared.databaseUrl }, database, logger: false, pki: h });
    await app.ready();
    const { token } = await createApiToken(database.db, 'revocation-test', 'ca-operator');
    auth = { authorization: `Bearer ${token}` };
    dir = tempDir();
  });
  afterAll(async () => {
    await app?.close();
  });

  const revoke = (serial: string, body: Record<string, unknown>, headers = auth) =>
    app.inject({ method: 'POST', url: `/v1/pki/certificates/${serial}/revoke`, headers, payload: body });

  async function ocsp(serial: string, options: { nonce?: Buffer; issuerDer?: Buffer; hash?: 'sha1' | 'sha256'; get?: boolean } = {}) {
    const request = buildOcspRequest(options.issuerDer ?? h.issuing.der, serial, options);
    const response = options.get
      ? await app.inject({ method: 'GET', url: `/pki/ocsp/${encodeURIComponent(request.toString('base64'))}` })
      : await app.inject({ method: 'POST', url: '/pki/ocsp', headers: { 'content-type': 'application/ocsp-request' }, payload: request });
    const text = await openssl(['ocsp', '-respin', writeTemp(dir, `resp-${randomUUID()}.der`, response.rawPayload), '-resp_text', '-noverify']);
    return { response, text: text.stdout + text.stderr };
  }

  /** A change must show in OCSP answers within one second (the status cache hears of it by NOTIFY). */
  async function ocspWithinASecond(serial: string, expected: string) {
    const until = Date.now() + 1000;
    for (;;) {
      const answer = await ocsp(serial);
      if (answer.text.includes(expected) || Date.now() > until) return answer;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('revokes an AUTH/SIGN pair together, with reason and invalidity date; OCSP then answers revoked', async () => {
    const pairId = randomUUID();
    const auth1 = await insertTestCertificate(database.db, h, { pairId, profile: 'individual-auth' });
    const sign1 = await insertTestCertificate(database.db, h, { pairId, profile: 'individual-sign' });
    expect((await ocsp(sign1.serial)).text).toContain('Cert Status: good');

    const invalidityDate = '2026-11-01T10:00:00.000Z';
    const res = await revoke(auth1.serial, { reason: 'keyCompromise', invalidityDate });
    expect(res.statusCode).toBe(200);
    const revoked = res.json().revoked;
    expect(revoked.map((r: { serial: string; viaPair: boolean }) => [r.serial, r.viaPair]).sort()).toEqual([[auth1.serial, false], [sign1.serial, true]].sort());
    expect(revoked[0].invalidityDate).toBe(invalidityDate);

    const answer = await ocspWithinASecond(sign1.serial, 'Cert Status: revoked');
    expect(answer.response.statusCode).toBe(200);
    expect(answer.response.headers['content-type']).toBe('application/ocsp-response');
    expect(answer.text).toContain('Cert Status: revoked');
    expect(answer.text).toContain('Revocation Reason: keyCompromise (0x1)');

    const again = await revoke(auth1.serial, { reason: 'superseded' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALREADY_REVOKED');
  });

  it('revokes one of a pair alone when asked', async () => {
    const pairId = randomUUID();
    const a = await insertTestCertificate(database.db, h, { pairId });
    const b = await insertTestCertificate(database.db, h, { pairId });
    const res = await revoke(a.serial, { reason: 'superseded', includePair: false });
    expect(res.json().revoked).toHaveLength(1);
    expect((await ocsp(b.serial)).text).toContain('Cert Status: good');
  });

  it('answers 404 CERTIFICATE_NOT_FOUND for an unknown serial, 400 for a bad one, 401/403 without the role', async () => {
    const unknown = await revoke(randomBytes(16).toString('hex').replace(/^./, '1'), { reason: 'keyCompromise' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('CERTIFICATE_NOT_FOUND');
    expect((await revoke('zz-not-hex', { reason: 'keyCompromise' })).statusCode).toBe(400);
    const badReason = await revoke('01', { reason: 'removeFromCRL' });
    expect(badReason.statusCode).toBe(400);
    expect(badReason.json().code).toBe('VALIDATION_FAILED');
    const future = await revoke('01', { reason: 'keyCompromise', invalidityDate: '2999-01-01T00:00:00Z' });
    expect(future.json().code).toBe('INVALID_INVALIDITY_DATE');
    expect((await revoke('01', { reason: 'keyCompromise' }, { authorization: '' } as never)).statusCode).toBe(401);
    const { token } = await createApiToken(database.db, 'registry-only', 'registry-operator');
    expect((await revoke('01', { reason: 'keyCompromise' }, { authorization: `Bearer ${token}` })).statusCode).toBe(403);
  });

  it('puts a pair on hold and releases it: OCSP goes revoked (certificateHold), then good', async () => {
    const pairId = randomUUID();
    const a = await insertTestCertificate(database.db, h, { pairId });
    const b = await insertTestCertificate(database.db, h, { pairId });
    expect((await revoke(a.serial, { reason: 'certificateHold' })).statusCode).toBe(200);
    expect((await ocspWithinASecond(b.serial, 'certificateHold')).text).toContain('Revocation Reason: certificateHold (0x6)');
    expect((await revoke(a.serial, { reason: 'certificateHold' })).json().code).toBe('ALREADY_REVOKED');

    const release = await app.inject({ method: 'POST', url: `/v1/pki/certificates/${b.serial}/release-hold`, headers: auth, payload: {} });
    expect(release.statusCode).toBe(200);
    expect(release.json().released.sort()).toEqual([a.serial, b.serial].sort());
    expect((await ocspWithinASecond(a.serial, 'Cert Status: good')).text).toContain('Cert Status: good');
    const notHeld = await app.inject({ method: 'POST', url: `/v1/pki/certificates/${b.serial}/release-hold`, headers: auth, payload: {} });
    expect(notHeld.statusCode).toBe(409);
    expect(notHeld.json().code).toBe('NOT_ON_HOLD');
  });

  it('turns a hold into a permanent revocation, keeping the hold date', async () => {
    const c = await insertTestCertificate(database.db, h);
    const held = (await revoke(c.serial, { reason: 'certificateHold' })).json().revoked[0];
    const final = await revoke(c.serial, { reason: 'keyCompromise' });
    expect(final.statusCode).toBe(200);
    expect(final.json().revoked[0].revokedAt).toBe(held.revokedAt);
    expect((await ocspWithinASecond(c.serial, 'keyCompromise')).text).toContain('keyCompromise');
  });

  it('serves the CRL as DER; it lists revocations after they are made and drops released holds', async () => {
    const kept = await insertTestCertificate(database.db, h);
    const held = await insertTestCertificate(database.db, h);
    await revoke(kept.serial, { reason: 'affiliationChanged' });
    await revoke(held.serial, { reason: 'certificateHold' });
    const publisher = new CrlPublisher(database, new Map([[h.issuing.name, h.issuing]]));
    const first = await publisher.publish(h.issuing.name);
    let res = await app.inject({ method: 'GET', url: `/pki/crl/${h.issuing.name}.crl` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pkix-crl');
    let text = (await openssl(['crl', '-inform', 'DER', '-in', writeTemp(dir, 'a.crl', res.rawPayload), '-text', '-noout'])).stdout;
    expect(text).toContain(kept.serial.toUpperCase());
    expect(text).toContain(held.serial.toUpperCase());
    expect(text).toContain('Affiliation Changed');

    await releaseCertificateHold(database.db, { issuer: h.issuing.name, serial: held.serial, actor: 'test' });
    const second = await publisher.publish(h.issuing.name);
    // The app publishes after each revocation too, so other numbers may come between.
    expect(second.crlNumber).toBeGreaterThan(first.crlNumber);
    res = await app.inject({ method: 'GET', url: `/pki/crl/${h.issuing.name}.crl` });
    text = (await openssl(['crl', '-inform', 'DER', '-in', writeTemp(dir, 'b.crl', res.rawPayload), '-text', '-noout'])).stdout;
    expect(text).toContain(kept.serial.toUpperCase());
    expect(text).not.toContain(held.serial.toUpperCase());
    // Nothing changed since: the stored CRL stands.
    expect((await publisher.publish(h.issuing.name)).crlNumber).toBe(second.crlNumber);
  });

  it('reads revoked certificates in pages, in byte order of the serial, and leaves out expired ones', async () => {
    const own = await buildTestHierarchy();
    const serials: string[] = [];
    for (let i = 0; i < 7; i++) {
      const c = await insertTestCertificate(database.db, own);
      serials.push(c.serial);
      await revokeCertificates(database.db, { issuer: own.issuing.name, serials: [c.serial], reason: 'superseded', actor: 'test' });
    }
    const expired = await insertTestCertificate(database.db, own);
    await revokeCertificates(database.db, { issuer: own.issuing.name, serials: [expired.serial], reason: 'superseded', actor: 'test' });
    await database.db.updateTable('certificates').set({ not_after: new Date(Date.now() - 1000) }).where('issuer', '=', own.issuing.name).where('serial', '=', expired.serial).execute();
    const publisher = new CrlPublisher(database, new Map([[own.issuing.name, own.issuing]]), { pageSize: 2 });
    const meta = await publisher.publish(own.issuing.name);
    expect(meta.entries).toBe(7);
    const text = (await openssl(['crl', '-inform', 'DER', '-in', writeTemp(dir, 'paged.crl', (await publisher.latest(own.issuing.name)).der), '-text', '-noout'])).stdout;
    const listed = [...text.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => m[1].toLowerCase());
    expect(listed).toEqual([...serials].sort());
  });

  it.skipIf(testDbKind !== 'postgres')('a CRL published while two revocations are in flight lists neither, then both (the log keeps commit order)', async () => {
    const own = await buildTestHierarchy();
    const early = await insertTestCertificate(database.db, own);
    const late = await insertTestCertificate(database.db, own);
    const publisher = new CrlPublisher(database, new Map([[own.issuing.name, own.issuing]]));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const began = new Promise<void>((r) => (started = r));
    // The early revocation takes the lower event id but commits last.
    const slow = database.db.transaction().execute(async (trx) => {
      await revokeCertificates(trx, { issuer: own.issuing.name, serials: [early.serial], reason: 'keyCompromise', actor: 'test' });
      started();
      await gate;
    });
    await began;
    // Revocations are appended to the transparency log in commit order: the late one waits for
    // the early one's transaction, so a CRL published meanwhile holds neither, never a gap.
    const late_ = revokeCertificates(database.db, { issuer: own.issuing.name, serials: [late.serial], reason: 'superseded', actor: 'test' });
    expect((await publisher.publish(own.issuing.name)).entries).toBe(0);
    release();
    await slow;
    await late_;
    expect((await publisher.publish(own.issuing.name)).entries).toBe(2);
  });

  it('publishes the first CRL on demand and 404s an issuer it does not serve', async () => {
    const fresh = await buildTestHierarchy();
    const other = await buildApp({ config: (await getTestDatabase()).config, database, logger: false, pki: fresh });
    await other.ready();
    try {
      const res = await other.inject({ method: 'GET', url: `/pki/crl/${fresh.root.name}.crl` });
      expect(res.statusCode).toBe(200);
      const text = await openssl(['crl', '-inform', 'DER', '-in', writeTemp(dir, 'root.crl', res.rawPayload), '-text', '-noout']);
      expect(text.stdout).toContain('No Revoked Certificates');
      const missing = await other.inject({ method: 'GET', url: '/pki/crl/nobody.crl' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().code).toBe('CRL_ISSUER_NOT_FOUND');
    } finally {
      await other.close();
    }
  });

  it('revokes inside a caller transaction: rolled back with it, committed with it', async () => {
    const c = await insertTestCertificate(database.db, h);
    await expect(
      database.db.transaction().execute(async (trx) => {
        await revokeCertificates(trx, { issuer: h.issuing.name, serials: [c.serial], reason: 'affiliationChanged', actor: 'employee-termination' });
        throw new Error('the caller failed');
      }),
    ).rejects.toThrow('the caller failed');
    expect((await ocsp(c.serial)).text).toContain('Cert Status: good');
    await database.db.transaction().execute((trx) => revokeCertificates(trx, { issuer: h.issuing.name, serials: [c.serial], reason: 'affiliationChanged', actor: 'employee-termination' }));
    expect((await ocspWithinASecond(c.serial, 'Cert Status: revoked')).text).toContain('Cert Status: revoked');
  });

  describe('OCSP', () => {
    it('echoes the nonce, answers by GET too, and includes the signer certificate', async () => {
      const c = await insertTestCertificate(database.db, h);
      const nonce = randomBytes(16);
      const post = await ocsp(c.serial, { nonce });
      expect(post.text).toMatch(new RegExp(`Response Extensions:\\s+OCSP Nonce:\\s+0410${nonce.toString('hex').toUpperCase()}`));
      expect(post.text).toContain(`Subject: CN=Qorgau Test OCSP`);
      const get = await ocsp(c.serial, { get: true, hash: 'sha256' });
      expect(get.response.statusCode).toBe(200);
      expect(get.text).toContain('Cert Status: good');
      expect(get.text).toContain('Hash Algorithm: sha256');
    });

    it('answers unknown for a serial it never issued', async () => {
      const answer = await ocsp(randomBytes(16).toString('hex').replace(/^./, '2'));
      expect(answer.text).toContain('Cert Status: unknown');
    });

    it('answers unauthorized for another issuer', async () => {
      const stranger = await buildTestHierarchy();
      const answer = await ocsp('01', { issuerDer: stranger.issuing.der });
      expect(answer.response.statusCode).toBe(200);
      expect(answer.text).toContain('Responder Error: unauthorized (6)');
    });

    it('answers malformedRequest with HTTP 400 to bad DER, bad base64 and oversized nonces', async () => {
      const valid = buildOcspRequest(h.issuing.der, '01');
      const bodies = [Buffer.from('not DER at all'), valid.subarray(0, valid.length - 3), Buffer.concat([valid, Buffer.from([0])]), Buffer.alloc(0), buildOcspRequest(h.issuing.der, '01', { nonce: randomBytes(33) })];
      for (const body of bodies) {
        const res = await app.inject({ method: 'POST', url: '/pki/ocsp', headers: { 'content-type': 'application/ocsp-request' }, payload: body });
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toBe('application/ocsp-response');
        expect(res.rawPayload).toEqual(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]));
      }
      for (const path of ['not*base64!', Buffer.from('garbage').toString('base64'), encodeURIComponent(valid.subarray(0, 10).toString('base64'))]) {
        const get = await app.inject({ method: 'GET', url: `/pki/ocsp/${path}` });
        expect(get.statusCode).toBe(400);
        expect(get.rawPayload).toEqual(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]));
      }
      const json = await app.inject({ method: 'POST', url: '/pki/ocsp', headers: { 'content-type': 'application/json' }, payload: '{}' });
      expect(json.statusCode).toBe(400);
      expect(json.rawPayload).toEqual(Buffer.from([0x30, 0x03, 0x0a, 0x01, 0x01]));
    });
  });
});
