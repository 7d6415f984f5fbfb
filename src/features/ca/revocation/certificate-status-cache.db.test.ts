import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestDatabase, testDbKind } from '../../../../test/helpers/test-database.js';
import { buildTestHierarchy, insertTestCertificate, randomSerial, type TestHierarchy } from '../../../../test/helpers/revocation-fixtures.js';
import type { Database } from '../../../db/database.js';
import { releaseCertificateHold, revokeCertificates } from './certificate-revoker.js';
import { CertificateStatusCache } from './certificate-status-cache.js';
import { CertificateStatusReader, type CertificateStatus } from './certificate-status.js';

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}

// LISTEN/NOTIFY between connections needs PostgreSQL; PGlite runs without the cache.
describe.skipIf(testDbKind !== 'postgres')('certificate status cache (LISTEN/NOTIFY)', () => {
  let database: Database;
  let url: string;
  let h: TestHierarchy;
  let cache: CertificateStatusCache;
  let fallbackCalls = 0;

  beforeAll(async () => {
    const shared = await getTestDatabase();
    database = shared.database;
    url = shared.databaseUrl!;
    h = await buildTestHierarchy();
    const reader = new CertificateStatusReader(database.db);
    cache = new CertificateStatusCache({
      primaryUrl: url,
      db: database.db,
      issuers: [h.issuing.name],
      fallback: { status: (issuer, serial) => (fallbackCalls++, reader.status(issuer, serial)) },
      // Small pages, so loading pages at all is exercised; not tiny: the worker's database holds every
      // test's certificates of issuer "issuing", and thousands of 3-row pages took minutes in a full run.
      pageSize: 200,
    });
  });
  afterAll(async () => {
    await cache?.close();
  });

  const statusOf = (serial: string): Promise<CertificateStatus | null> => cache.status(h.issuing.name, serial);

  it('loads every certificate, answers from memory, and sees revocations and releases within a second', async () => {
    const certs: Awaited<ReturnType<typeof insertTestCertificate>>[] = [];
    for (let i = 0; i < 7; i++) certs.push(await insertTestCertificate(database.db, h));
    await revokeCertificates(database.db, { issuer: h.issuing.name, serials: [certs[0].serial], reason: 'keyCompromise', actor: 'test' });
    await cache.start();
    expect(cache.isLive).toBe(true);

    const before = fallbackCalls;
    expect((await statusOf(certs[0].serial))?.reason).toBe('keyCompromise');
    expect((await statusOf(certs[1].serial))?.revokedAt).toBeNull();
    expect(fallbackCalls).toBe(before);

    await revokeCertificates(database.db, { issuer: h.issuing.name, serials: [certs[2].serial], reason: 'certificateHold', actor: 'test' });
    expect(await eventually(async () => (await statusOf(certs[2].serial))?.reason === 'certificateHold', 1000)).toBe(true);
    await releaseCertificateHold(database.db, { issuer: h.issuing.name, serial: certs[2].serial, actor: 'test' });
    expect(await eventually(async () => (await statusOf(certs[2].serial))?.revokedAt === null, 1000)).toBe(true);
    expect(fallbackCalls).toBe(before);
  });

  it('asks the database for a serial issued since the load, and answers unknown for one never issued', async () => {
    const late = await insertTestCertificate(database.db, h);
    const before = fallbackCalls;
    expect((await statusOf(late.serial))?.revokedAt).toBeNull();
    expect(await statusOf(randomSerial())).toBeNull();
    expect(fallbackCalls).toBe(before + 2);
    // Remembered once found.
    await statusOf(late.serial);
    expect(fallbackCalls).toBe(before + 2);
  });

  it('holds at most maxGoodSerials good serials, all revoked ones, and still answers every certificate right', async () => {
    const own = await buildTestHierarchy();
    const certs: Awaited<ReturnType<typeof insertTestCertificate>>[] = [];
    for (let i = 0; i < 6; i++) certs.push(await insertTestCertificate(database.db, own));
    await revokeCertificates(database.db, { issuer: own.issuing.name, serials: [certs[0].serial, certs[5].serial], reason: 'keyCompromise', includePair: false, actor: 'test' });
    let asked = 0;
    const reader = new CertificateStatusReader(database.db);
    const capped = new CertificateStatusCache({
      primaryUrl: url,
      db: database.db,
      issuers: [own.issuing.name],
      fallback: { status: (issuer, serial) => (asked++, reader.status(issuer, serial)) },
      pageSize: 2,
      maxGoodSerials: 2,
    });
    try {
      await capped.start();
      const statuses = await Promise.all(certs.map((c) => capped.status(own.issuing.name, c.serial)));
      expect(statuses.map((st) => st?.reason ?? 'good')).toEqual(['keyCompromise', 'good', 'good', 'good', 'good', 'keyCompromise']);
      // Two good ones held, two asked of the database; the revoked ones never are.
      expect(asked).toBe(2);
    } finally {
      await capped.close();
    }
  });

  it('stops trusting itself when its LISTEN connection is cut, answers from the database meanwhile, and reloads', async () => {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const c = await insertTestCertificate(database.db, h);
      await statusOf(c.serial);
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where query like 'listen %' and datname = current_database() and pid <> pg_backend_pid()`);
      expect(await eventually(async () => !cache.isLive, 2000)).toBe(true);
      // Revoked while nobody listens: the answer must still be right.
      await revokeCertificates(database.db, { issuer: h.issuing.name, serials: [c.serial], reason: 'superseded', actor: 'test' });
      expect((await statusOf(c.serial))?.reason).toBe('superseded');
      expect(await eventually(async () => cache.isLive, 5000)).toBe(true);
      expect((await statusOf(c.serial))?.reason).toBe('superseded');
    } finally {
      await admin.end();
    }
  });
});
