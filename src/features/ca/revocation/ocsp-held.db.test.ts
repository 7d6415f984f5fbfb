import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestDatabase, testDbKind } from '../../../../test/helpers/test-database.js';
import { buildOcspRequest, buildTestHierarchy, insertTestCertificate, openssl, pem, tempDir, writeTemp, type TestHierarchy } from '../../../../test/helpers/revocation-fixtures.js';
import type { Database } from '../../../db/database.js';
import { releaseCertificateHold, revokeCertificates } from './certificate-revoker.js';
import { CertificateStatusCache } from './certificate-status-cache.js';
import { CertificateStatusReader } from './certificate-status.js';
import { OcspResponder, type OcspAnswer } from './ocsp-responder.js';
import { PresignedOcsp } from './ocsp-presigned.js';

const HOUR = 3_600_000;

/**
 * The status the answer's bytes state for the request's certificate: the CertStatus right after
 * its CertID in the SingleResponse ([0] good, [1] revoked). The request has no nonce and one
 * CertID, which ends it (five SEQUENCE headers of two octets before it).
 */
function statedIn(body: Buffer, request: Buffer): 'good' | 'revoked' | 'unknown' {
  const certId = request.subarray(8);
  const at = body.indexOf(certId);
  expect(at).toBeGreaterThan(0);
  return ({ 0x80: 'good', 0xa1: 'revoked', 0x82: 'unknown' } as Record<number, 'good' | 'revoked' | 'unknown'>)[body[at + certId.length]];
}

/**
 * One server process as revocation.routes.ts wires it: status cache, pre-signed answers, responder.
 * Without `forget`, the cache does not tell the answers of a change: then only the check that an
 * answer states the status held keeps an old one out.
 */
async function instance(database: Database, url: string, h: TestHierarchy, forget = true) {
  const reader = new CertificateStatusReader(database.db);
  // The cache tells the pre-signed answers of a change, as resign() does in the routes.
  const held: { presigned?: PresignedOcsp } = {};
  const cache = new CertificateStatusCache({
    primaryUrl: url,
    db: database.db,
    issuers: [h.issuing.name],
    fallback: reader,
    pageSize: 1000,
    onChange: (_issuer, serials) => forget && held.presigned?.forget(serials),
  });
  const responder = await OcspResponder.create({ issuer: h.issuing, signer: h.ocspSigner, status: cache });
  held.presigned = new PresignedOcsp({ db: database.db, readDb: database.readDb, kind: database.kind, issuer: h.issuing.name, responder, validityMs: 24 * HOUR });
  responder.usePresigned(held.presigned);
  await cache.start();
  return { cache, responder };
}

// The held path needs the LISTEN/NOTIFY status cache, which runs on PostgreSQL only.
describe.skipIf(testDbKind !== 'postgres')('OCSP answers held in memory (respondHeld) across instances', () => {
  let database: Database;
  let h: TestHierarchy;
  let a: Awaited<ReturnType<typeof instance>>;
  let b: Awaited<ReturnType<typeof instance>>;
  let c: Awaited<ReturnType<typeof instance>>;

  beforeAll(async () => {
    const shared = await getTestDatabase();
    database = shared.database;
    h = await buildTestHierarchy();
    a = await instance(database, shared.databaseUrl!, h);
    b = await instance(database, shared.databaseUrl!, h);
    c = await instance(database, shared.databaseUrl!, h, false);
  });
  afterAll(async () => {
    await a?.cache.close();
    await b?.cache.close();
    await c?.cache.close();
  });

  /** What a request gets: the held answer when there is one, else respond's (which then holds it). */
  const ask = async (who: typeof a, request: Buffer): Promise<{ answer: OcspAnswer; held: boolean }> => {
    const held = who.responder.respondHeld(request);
    return held ? { answer: held, held: true } : { answer: await who.responder.respond(request), held: false };
  };

  it('serves the bytes respond serves, and never the good answer once the revocation reached the instance', async () => {
    const cert = await insertTestCertificate(database.db, h);
    const request = buildOcspRequest(h.issuing.der, cert.serial);
    for (const who of [a, b, c]) {
      // Not held yet (issued after the load): respond answers, from the store, and holds it.
      const first = await ask(who, request);
      expect(first.answer.certStatuses).toEqual(['good']);
      expect(statedIn(first.answer.body, request)).toBe('good');
      const again = await ask(who, request);
      expect(again.held).toBe(true);
      expect(again.answer.body.equals(first.answer.body)).toBe(true);
      expect((await who.responder.respond(request)).body.equals(again.answer.body)).toBe(true);
    }
    // A nonce or SHA-256 request is never taken from memory.
    expect(a.responder.respondHeld(buildOcspRequest(h.issuing.der, cert.serial, { nonce: Buffer.alloc(16, 7) }))).toBeUndefined();
    expect(a.responder.respondHeld(buildOcspRequest(h.issuing.der, cert.serial, { hash: 'sha256' }))).toBeUndefined();

    await revokeCertificates(database.db, { issuer: h.issuing.name, serials: [cert.serial], reason: 'keyCompromise', actor: 'test' });
    // From the moment each instance's cache holds the revocation, no answer says good; it gets there within a second.
    for (const who of [a, b, c]) {
      const until = Date.now() + 1000;
      while (who.cache.statusHeld(h.issuing.name, cert.serial)?.revokedAt == null && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      expect(who.cache.statusHeld(h.issuing.name, cert.serial)?.reason).toBe('keyCompromise');
      for (let i = 0; i < 5; i++) {
        const { answer } = await ask(who, request);
        expect(answer.certStatuses).toEqual(['revoked']);
        expect(statedIn(answer.body, request)).toBe('revoked');
      }
      expect((await ask(who, request)).held).toBe(true);
    }
    // openssl reads what the held path serves as revoked, signature and signer checked.
    const dir = tempDir();
    const checked = await openssl([
      'ocsp', '-respin', writeTemp(dir, 'answer.der', (await ask(b, request)).answer.body), '-issuer', writeTemp(dir, 'issuing.pem', pem('CERTIFICATE', h.issuing.der)),
      '-cert', writeTemp(dir, 'cert.pem', pem('CERTIFICATE', cert.der)), '-CAfile', writeTemp(dir, 'chain.pem', pem('CERTIFICATE', h.root.der) + pem('CERTIFICATE', h.issuing.der)), '-no_nonce',
    ]);
    expect(checked.stderr).toContain('Response verify OK');
    expect(checked.stdout).toContain(': revoked');
  });

  it('a hold released is good again on every instance, and the revoked answer is no longer served', async () => {
    const cert = await insertTestCertificate(database.db, h);
    const request = buildOcspRequest(h.issuing.der, cert.serial);
    await revokeCertificates(database.db, { issuer: h.issuing.name, serials: [cert.serial], reason: 'certificateHold', actor: 'test' });
    for (const who of [a, b, c]) {
      const until = Date.now() + 1000;
      while (who.cache.statusHeld(h.issuing.name, cert.serial)?.revokedAt == null && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      await ask(who, request);
      const held = await ask(who, request);
      expect(held.held).toBe(true);
      expect(held.answer.certStatuses).toEqual(['revoked']);
      expect(statedIn(held.answer.body, request)).toBe('revoked');
    }
    await releaseCertificateHold(database.db, { issuer: h.issuing.name, serial: cert.serial, actor: 'test' });
    for (const who of [a, b, c]) {
      const until = Date.now() + 1000;
      while (who.cache.statusHeld(h.issuing.name, cert.serial)?.revokedAt != null && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      expect(who.cache.statusHeld(h.issuing.name, cert.serial)?.revokedAt).toBeNull();
      const { answer } = await ask(who, request);
      expect(answer.certStatuses).toEqual(['good']);
      expect(statedIn(answer.body, request)).toBe('good');
    }
  });

  it('answers nothing from memory while the cache is not live (its LISTEN connection lost): respond reads the database', async () => {
    const cert = await insertTestCertificate(database.db, h);
    const request = buildOcspRequest(h.issuing.der, cert.serial);
    await ask(a, request);
    expect((await ask(a, request)).held).toBe(true);
    await a.cache.close();
    expect(a.cache.isLive).toBe(false);
    expect(a.responder.respondHeld(request)).toBeUndefined();
    expect((await a.responder.respond(request)).certStatuses).toEqual(['good']);
  });
});
