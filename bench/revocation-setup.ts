/**
 * Shared set-up of the revocation benchmarks (bench/crl.ts, bench/ocsp.ts): a scratch
 * PostgreSQL database, a CA hierarchy made by the real ceremony, and certificate rows
 * inserted set-based.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { initCa } from '../src/features/ca/index.js';

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database with the migrations applied. */
export async function createBenchDatabase(name: string): Promise<{ url: string; database: Database }> {
  await admin(async (c) => {
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.query(`create database "${name}"`);
  });
  const url = databaseUrl(name);
  const database = await openDatabase({ databaseUrl: url, poolSize: 4 });
  await migrateToLatest(database.db);
  return { url, database };
}

export async function dropBenchDatabase(name: string): Promise<void> {
  await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
}

/** The ceremony's hierarchy (encrypted PKCS#8 keys) in a temp folder. */
export async function benchHierarchy(): Promise<{ dir: string; passphrase: string }> {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'qorgau-bench-ca-')), 'pki');
  const passphrase = randomBytes(18).toString('base64url');
  await initCa({ dir, passphrase, publicUrl: 'http://127.0.0.1' });
  return { dir, passphrase };
}

export interface CertificateRowsOptions {
  issuer: string;
  count: number;
  /** Every n-th certificate is revoked (1 = all). */
  revokeEvery: number;
}

/**
 * `count` certificate rows in one INSERT ... SELECT over generate_series. They only
 * serve status (OCSP, CRL), so `der` is empty and the profile says so: no row pretends
 * to hold a certificate it does not. Serials: 16 octets, md5-derived, top bit clear.
 */
export async function insertCertificateRows(database: Database, { issuer, count, revokeEvery }: CertificateRowsOptions): Promise<void> {
  await database.withBulkSession(async (s) => {
    await s.query(
      `insert into certificates (serial, issuer, profile, subject_dn, not_before, not_after, der, revoked_at, revocation_reason, invalidity_date)
       select ${BENCH_SERIAL_SQL}, $1, 'bench-status-only', 'CN=BENCH ' || g, now() - interval '1 day', now() + interval '365 days', '\\x'::bytea,
              case when g % $3 = 0 then now() - make_interval(secs => g) end,
              case when g % $3 = 0 then (array['keyCompromise','affiliationChanged','superseded','cessationOfOperation','certificateHold'])[1 + (g / $3) % 5] end,
              case when g % $3 = 0 and g % 7 = 0 then now() - interval '30 days' end
         from generate_series(1, $2::int) g`,
      [issuer, count, revokeEvery],
    );
    await s.query('analyze certificates');
  });
}

/** The serial of row g, in SQL and in JS (the same md5-derived 16 octets). */
export const BENCH_SERIAL_SQL = `'4' || substr(md5('bench-' || g), 2)`;

export function benchSerial(g: number): string {
  return '4' + createHash('md5').update(`bench-${g}`).digest('hex').slice(1);
}
