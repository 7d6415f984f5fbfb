import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { getTestDatabase, testDbKind } from '../helpers/test-database.js';
import { startServer } from '../helpers/server-process.js';

const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map((l) => Number(l.trim())).filter(Boolean);
  } catch {
    return [];
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('QORGAU_WORKERS', () => {
  it('defaults to one process on the embedded PGlite and refuses more (one process may open it)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qorgau-workers-'));
    expect(loadConfig({ QORGAU_DATA_DIR: dir }).workers).toBe(1);
    expect(() => loadConfig({ QORGAU_DATA_DIR: dir, QORGAU_WORKERS: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ QORGAU_DATA_DIR: dir, QORGAU_WORKERS: '2' })).toThrow(/needs PostgreSQL/);
  });

  it.skipIf(testDbKind !== 'postgres')('serves with 2 worker processes on PostgreSQL and stops them all on SIGTERM', async () => {
    const { databaseUrl } = await getTestDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qorgau-workers-'));
    const keyFile = path.join(dataDir, 'pseudonym.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    const server = startServer({ DATABASE_URL: databaseUrl!, QORGAU_PSEUDONYM_KEY_FILE: keyFile, QORGAU_DATA_DIR: dataDir, QORGAU_WORKERS: '2' });
    let workers: number[] = [];
    try {
      const url = await server.ready;
      // The primary forks the second worker once the first listens.
      for (let i = 0; i < 100 && !/2 worker processes/.test(server.output.stderr); i++) await new Promise((r) => setTimeout(r, 100));
      expect(server.output.stderr).toContain('2 worker processes serve the API');
      workers = childrenOf(server.pid);
      expect(workers).toHaveLength(2);
      // The banner (and the demo people, the background jobs) come from the first worker only.
      expect(server.output.stderr.match(/Qorgau API listening on/g)).toHaveLength(1);
      // Many connections, each answered (by either worker: they share the socket).
      const answers = await Promise.all(Array.from({ length: 40 }, () => fetch(`${url}/healthz`, { headers: { connection: 'close' } }).then((r) => r.json())));
      expect(answers.every((a) => a.status === 'ok')).toBe(true);
      const ocsp = await fetch(`${url}/pki/ca/issuing.cer`);
      expect(ocsp.status).toBe(200);
    } finally {
      await server.stop();
    }
    expect(server.exited()).toBe(0);
    for (let i = 0; i < 50 && workers.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(workers.filter(alive), 'no worker outlives the primary').toEqual([]);
  }, 180_000);
});
