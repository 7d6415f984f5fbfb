import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';

/**
 * Benchmarks run each server in a process of its own, so the load client never shares its
 * event loop. The child prints "listening <port>" once it accepts connections.
 */
export function startChildServer(script: string, args: string[], nodeFlags: string[] = []): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

/** In the child: the full application as deployed (PostgreSQL, a ceremony's CA), request logging at warn. */
export async function serveQorgau(spec: { dir: string; passphrase: string; url: string; work: string }): Promise<void> {
  const { loadConfig } = await import('../src/config/config.js');
  const { openDatabase } = await import('../src/db/database.js');
  const { buildApp } = await import('../src/http/app.js');
  const { loadCaHierarchy } = await import('../src/features/ca/index.js');
  const keyFile = path.join(spec.work, 'pseudonym.key');
  writeFileSync(keyFile, randomBytes(32).toString('hex'));
  const config = loadConfig({ DATABASE_URL: spec.url, QORGAU_PSEUDONYM_KEY_FILE: keyFile, QORGAU_DATA_DIR: spec.work, LOG_LEVEL: 'warn' });
  const database = await openDatabase({ databaseUrl: spec.url, poolSize: config.databasePoolSize });
  const app = await buildApp({ config, database, pki: await loadCaHierarchy(spec.dir, spec.passphrase) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`listening ${(app.server.address() as net.AddressInfo).port}\n`);
}
