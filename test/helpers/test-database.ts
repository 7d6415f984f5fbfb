import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { buildApp } from '../../src/http/app.js';
import { initCa, loadCaHierarchy } from '../../src/features/ca/index.js';
import type { CaHierarchy } from '../../src/features/ca/index.js';

/**
 * One database per test worker, shared by its test files (vitest runs them with
 * isolate: false): PGlite in memory, or a fresh PostgreSQL database named after the
 * worker when the project is "postgres". Tests make their own data (factories with
 * random identifiers) instead of truncating, so files can share it.
 */
let shared: Promise<{ database: Database; config: Config; databaseUrl?: string }> | undefined;

export const testDbKind = (process.env.QORGAU_TEST_DB ?? 'pglite') as 'pglite' | 'postgres';

async function createPostgresDatabase(): Promise<string> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `qorgau_test_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Test files share a worker's database and inject from one address, so the rate limits are off
 * unless a test turns one on (test/hardening/rate-limits.db.test.ts).
 */
const RATE_LIMITS_OFF = {
  QORGAU_RATE_LIMIT_SIGNIN_CHALLENGES: 'off',
  QORGAU_RATE_LIMIT_SIGNIN_FAILURES: 'off',
  QORGAU_RATE_LIMIT_CREDENTIAL_FAILURES: 'off',
  QORGAU_RATE_LIMIT_LENDER_CHECKS: 'off',
  QORGAU_RATE_LIMIT_CHECKS_PER_IIN: 'off',
};

export function testConfig(extra: Record<string, string> = {}): Config {
  const dir = mkdtempSync(path.join(tmpdir(), 'qorgau-test-'));
  const keyFile = path.join(dir, 'pseudonym.key');
  writeFileSync(keyFile, randomBytes(32).toString('hex'));
  return loadConfig({ QORGAU_DATA_DIR: dir, QORGAU_PSEUDONYM_KEY_FILE: keyFile, LOG_LEVEL: 'silent', ...RATE_LIMITS_OFF, ...extra });
}

export function getTestDatabase(): Promise<{ database: Database; config: Config; databaseUrl?: string }> {
  shared ??= (async () => {
    const config = testConfig();
    const databaseUrl = testDbKind === 'postgres' ? await createPostgresDatabase() : undefined;
    const database = databaseUrl ? await openDatabase({ databaseUrl, poolSize: 8 }) : await openDatabase({ inMemory: true });
    await migrateToLatest(database.db);
    return { database, config, databaseUrl };
  })();
  return shared;
}

let hierarchy: Promise<CaHierarchy> | undefined;

/** One CA hierarchy (ECDSA P-256, in a temp folder) per test worker, made by the real ceremony. */
export function getTestHierarchy(): Promise<CaHierarchy> {
  hierarchy ??= (async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'qorgau-ca-')), 'pki');
    const passphrase = randomBytes(18).toString('base64url');
    await initCa({ dir, passphrase, publicUrl: 'http://localhost:8080' });
    return loadCaHierarchy(dir, passphrase);
  })();
  return hierarchy;
}

/** The real application on the worker's database, for `app.inject`. */
export async function buildTestApp(overrides: Partial<Omit<Config, 'pseudonymKey'>> = {}) {
  const { database, config } = await getTestDatabase();
  const app = await buildApp({ config: { ...config, ...overrides }, database, logger: false, pki: await getTestHierarchy() });
  await app.ready();
  return app;
}
