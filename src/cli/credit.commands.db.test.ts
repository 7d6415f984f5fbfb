import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getTestDatabase, testDbKind } from '../../test/helpers/test-database.js';
import { buildBin } from '../../test/helpers/factories.js';
import { openDatabase } from '../db/database.js';
import { LenderKeyAuthenticator, type LenderPrincipal } from '../features/credit/index.js';
import { runQorgau } from '../../test/helpers/cli.js';


const qorgau = (env: Record<string, string>, args: string[]) => runQorgau(args, { ...env, LOG_LEVEL: 'silent' });

/** Opens the database the CLI used (its PGlite folder, or PostgreSQL) and authenticates a key. */
async function authenticateLenderKeyOnce(env: Record<string, string>, key: string): Promise<LenderPrincipal | null> {
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.QORGAU_DATA_DIR, poolSize: 1 });
  try {
    return await new LenderKeyAuthenticator(database.db).authenticate(key);
  } finally {
    await database.close();
  }
}

describe('qorgau lender', () => {
  it('creates a lender and a credit:check key printed once, and refuses a bad BIN', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qorgau-lender-cli-'));
    const env: Record<string, string> = { QORGAU_DATA_DIR: dataDir };
    if (testDbKind === 'postgres') {
      const { databaseUrl, config } = await getTestDatabase();
      env.DATABASE_URL = databaseUrl!;
      env.QORGAU_PSEUDONYM_KEY_FILE = path.join(config.dataDir, 'pseudonym.key');
    }
    const bin = buildBin();
    const created = await qorgau(env, ['lender', 'create', '--bin', bin, '--name', 'CLI Bank', '--licence', 'mfo']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`lender ${bin} (mfo) CLI Bank created`);
    const key = await qorgau(env, ['lender', 'key', 'create', '--bin', bin]);
    expect(key.code, key.stderr).toBe(0);
    expect(key.stderr).toContain('shown once');
    const printed = key.stdout.trim();
    expect(printed).toMatch(/^qlk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(await authenticateLenderKeyOnce(env, printed)).toMatchObject({ bin, licence: 'mfo', scopes: ['credit:check'] });
    const bad = await qorgau(env, ['lender', 'create', '--bin', bin.slice(0, 11) + String((Number(bin[11]) + 1) % 10), '--name', 'X', '--licence', 'bank']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/BIN_INVALID/);
    const unknown = await qorgau(env, ['lender', 'key', 'create', '--bin', buildBin()]);
    expect(unknown.stderr).toContain('LENDER_NOT_FOUND');
  }, 120_000);
});
