import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { Pseudonymizer } from '../../src/privacy/pseudonym.js';
import { RegistryService } from '../../src/features/registry/index.js';
import { getTestDatabase, testDbKind } from '../helpers/test-database.js';
import { buildBreach, buildIin } from '../helpers/factories.js';

const CLI = path.resolve('bin/qorgau.js');
const ROWS = 120_000;

interface Target {
  env: Record<string, string>;
  open(): Promise<Database>;
  release(db: Database): Promise<void>;
}

/** The CLI runs in its own process; on PGlite the database is a folder it opens itself. */
async function target(keyFile: string): Promise<Target> {
  if (testDbKind === 'postgres') {
    const { databaseUrl, database } = await getTestDatabase();
    return { env: { DATABASE_URL: databaseUrl!, QORGAU_PSEUDONYM_KEY_FILE: keyFile }, open: async () => database, release: async () => {} };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qorgau-cli-'));
  return {
    env: { QORGAU_DATA_DIR: dataDir, QORGAU_PSEUDONYM_KEY_FILE: keyFile },
    open: async () => {
      const db = await openDatabase({ dataDir });
      await migrateToLatest(db.db);
      return db;
    },
    release: (db) => db.close(),
  };
}

function runImport(env: Record<string, string>, breachId: string, file: string, killWhen?: (stderr: string) => boolean) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, 'breach', 'import', breachId, file, '--chunk-rows', '5000'], {
      env: { ...process.env, ...env, QORGAU_PROGRESS_INTERVAL_MS: '50' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (killWhen?.(stderr)) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('qorgau breach import', () => {
  it('ends a killed and re-run import with exactly the result of an uninterrupted one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qorgau-import-'));
    const keyFile = path.join(dir, 'key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    const iins = Array.from({ length: ROWS }, buildIin);
    const file = path.join(dir, 'affected.csv');
    writeFileSync(file, `iin\n${iins.join('\n')}\n${iins.slice(0, 1000).join('\n')}\nnot-an-iin\n`);
    const unique = new Set(iins).size;

    const where = await target(keyFile);
    const interrupted = buildBreach();
    const uninterrupted = buildBreach();
    let db = await where.open();
    const registry = new RegistryService(db, new Pseudonymizer(Buffer.alloc(32)));
    await registry.createBreach(interrupted);
    await registry.createBreach(uninterrupted);
    if (testDbKind === 'pglite') await where.release(db);

    // Killed once while staging and once while merging; then run to the end.
    const killedStaging = await runImport(where.env, interrupted.id!, file, (err) => /staged=[1-9]/.test(err));
    expect(killedStaging.signal, killedStaging.stderr).toBe('SIGKILL');
    expect(killedStaging.stdout).toBe(''); // no report: it never finished
    const killedMerging = await runImport(where.env, interrupted.id!, file, (err) => /merging \d+ staged/.test(err));
    expect(killedMerging.signal, killedMerging.stderr).toBe('SIGKILL');
    expect(killedMerging.stdout).toBe('');
    const resumed = await runImport(where.env, interrupted.id!, file);
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
    const whole = await runImport(where.env, uninterrupted.id!, file);
    expect(whole.code, whole.stderr + whole.stdout).toBe(0);
    const wholeReport = JSON.parse(whole.stdout);
    expect(wholeReport).toMatchObject({ accepted: unique, duplicate: ROWS + 1000 - unique, invalid: 1, affectedCount: unique });
    expect(JSON.parse(resumed.stdout)).toEqual({ ...wholeReport, breachId: interrupted.id });

    if (testDbKind === 'pglite') db = await where.open();
    try {
      const seqs = await db.db.selectFrom('breaches').select(['id', 'seq', 'affected_count']).where('id', 'in', [interrupted.id!, uninterrupted.id!]).execute();
      const seqOf = (id: string) => seqs.find((s) => s.id === id)!.seq;
      expect(seqs.map((s) => Number(s.affected_count))).toEqual([unique, unique]);
      const difference = await sql<{ n: number }>`
        select count(*)::int as n from (
          (select person_hash, categories from breach_affected where breach_seq = ${seqOf(interrupted.id!)}
           except select person_hash, categories from breach_affected where breach_seq = ${seqOf(uninterrupted.id!)})
          union all
          (select person_hash, categories from breach_affected where breach_seq = ${seqOf(uninterrupted.id!)}
           except select person_hash, categories from breach_affected where breach_seq = ${seqOf(interrupted.id!)})
        ) d`.execute(db.db);
      expect(difference.rows[0].n).toBe(0);
      const count = await sql<{ n: number }>`select count(*)::int as n from breach_affected where breach_seq = ${seqOf(interrupted.id!)}`.execute(db.db);
      expect(count.rows[0].n).toBe(unique);
    } finally {
      if (testDbKind === 'pglite') await where.release(db);
    }
  }, 180_000);
});
