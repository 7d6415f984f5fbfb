import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { Pseudonymizer } from '../../src/privacy/pseudonym.js';
import { LenderService } from '../../src/features/credit/index.js';
import { RestrictionService } from '../../src/features/credit/index.js';
import { getTestDatabase, testDbKind } from '../helpers/test-database.js';
import { buildBin, buildIin } from '../helpers/factories.js';

interface Server {
  child: ChildProcess;
  url: string;
}

function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'warn' } });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line:\n${stderr}`)), 90_000);
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${stderr}`)));
  });
}

/**
 * DESIGN.md: a 2xx means the write is durable. A server is killed with SIGKILL while
 * lenders fire checks at it; after a restart, every check it answered with 200 is there.
 */
describe('lender checks survive a crash', () => {
  it('finds an inquiry for every check answered 200 before a SIGKILL', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qorgau-crash-'));
    const keyFile = path.join(dataDir, 'pseudonym.key');
    const key = randomBytes(32);
    writeFileSync(keyFile, key.toString('hex'));
    const env: Record<string, string> = { QORGAU_DATA_DIR: dataDir, QORGAU_PSEUDONYM_KEY_FILE: keyFile };
    let database: Database;
    if (testDbKind === 'postgres') {
      const shared = await getTestDatabase();
      database = shared.database;
      env.DATABASE_URL = shared.databaseUrl!;
    } else {
      database = await openDatabase({ dataDir });
      await migrateToLatest(database.db);
    }
    const bin = buildBin();
    const lenders = new LenderService(database);
    await lenders.create({ bin, name: 'Crash Test Bank', licence: 'bank' });
    const { key: lenderKey } = await lenders.createKey(bin);
    const iins = Array.from({ length: 50 }, buildIin);
    const pseudonymizer = new Pseudonymizer(key);
    for (const iin of iins.slice(0, 10)) {
      await new RestrictionService(database).placeVoluntary(pseudonymizer.of(iin), { products: ['bank_loan'], channels: ['online'] });
    }
    if (testDbKind === 'pglite') await database.close();

    let server = await startServer(env);
    const answered: { checkId: string; decision: string; iin: string }[] = [];
    let failures = 0;
    const KILL_AFTER = 150;
    let killed = false;
    const worker = async (w: number) => {
      for (let i = 0; !killed; i++) {
        const iin = iins[(w * 7 + i) % iins.length];
        try {
          const res = await fetch(`${server.url}/v1/credit/checks`, {
            method: 'POST',
            headers: { authorization: `Bearer ${lenderKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ iin, product: 'bank_loan', channel: 'online', amount: 1000 }),
          });
          const body = await res.json();
          if (res.status === 200) answered.push({ checkId: body.checkId, decision: body.decision, iin });
          else failures++;
        } catch {
          return; // the server is gone
        }
        if (answered.length >= KILL_AFTER && !killed) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      }
    };
    const exited = new Promise((resolve) => server.child.once('exit', (_code, signal) => resolve(signal)));
    await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
    expect(await exited).toBe('SIGKILL');
    expect(failures).toBe(0);
    expect(answered.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(answered.some((a) => a.decision === 'deny')).toBe(true);

    server = await startServer(env);
    try {
      const missing: string[] = [];
      for (const a of answered) {
        const res = await fetch(`${server.url}/v1/credit/checks/${a.checkId}`, { headers: { authorization: `Bearer ${lenderKey}` } });
        if (res.status !== 200) missing.push(a.checkId);
        else expect((await res.json()).decision).toBe(a.decision);
      }
      expect(missing, `${missing.length} of ${answered.length} answered checks have no inquiry`).toEqual([]);
    } finally {
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
    }
  }, 240_000);
});
