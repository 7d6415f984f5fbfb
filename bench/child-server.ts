import { spawn, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';

/**
 * Benchmarks run each server in a process of its own, so the load client never shares its
 * event loop. The child prints "listening <port>" once it accepts connections.
 */
export function startChildServer(script: string, args: string[], nodeFlags: string[] = [], port = 0): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_PORT: String(port) } });
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve({ proc, port: Number(m[1]) });
    });
    proc.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

/** Worker processes per server in the benchmarks (BENCH_WORKERS): by default one per core, as `npm start` on PostgreSQL. */
export const BENCH_WORKERS = Number(process.env.BENCH_WORKERS ?? os.availableParallelism());

/** The port a child server listens on (BENCH_PORT, set by the parent for each target); 0: any free one. */
export const BENCH_PORT = Number(process.env.BENCH_PORT ?? 0);

/** As src/server.ts: the kernel hands out connections unless NODE_CLUSTER_SCHED_POLICY says otherwise. */
export function schedulingPolicy(): string {
  return process.env.NODE_CLUSTER_SCHED_POLICY ?? 'none';
}

/**
 * In the child: runs `serve` in `workers` processes of a node:cluster sharing one listening
 * socket (as src/server.ts does), and prints "listening <port>" once all listen. Every target
 * of a benchmark gets the same number, so a ratio compares like with like. `serve` starts a
 * server on port 0 (cluster workers asking for port 0 all get the same one) and answers its port.
 */
export async function serveClustered(workers: number, serve: (first: boolean) => Promise<number>): Promise<void> {
  if (workers <= 1) {
    const port = await serve(true);
    process.stdout.write(`listening ${port}\n`);
    return;
  }
  if (cluster.isWorker) {
    const port = await serve(process.env.BENCH_WORKER_INDEX === '0');
    process.send!({ port });
    return;
  }
  if (!process.env.NODE_CLUSTER_SCHED_POLICY) cluster.schedulingPolicy = cluster.SCHED_NONE;
  const ports: number[] = [];
  for (let i = 0; i < workers; i++) {
    // One after another: the first makes what the others would race for.
    ports.push(
      await new Promise<number>((resolve, reject) => {
        const worker = cluster.fork({ BENCH_WORKER_INDEX: String(i) });
        worker.on('message', (m: { port?: number }) => m.port && resolve(m.port));
        worker.on('exit', (code) => reject(new Error(`bench worker ${i} exited ${code}`)));
      }),
    );
  }
  if (new Set(ports).size !== 1) throw new Error(`workers listen on different ports: ${ports.join(', ')}`);
  process.once('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2000).unref();
    let left = Object.keys(cluster.workers ?? {}).length;
    cluster.on('exit', () => --left === 0 && process.exit(0));
  });
  process.stdout.write(`listening ${ports[0]}\n`);
}

/** In the child: the full application as deployed (PostgreSQL, a ceremony's CA), request logging at warn. */
export async function serveQorgau(spec: { dir: string; passphrase: string; url: string; work: string }): Promise<void> {
  return serveClustered(BENCH_WORKERS, (first) => serveQorgauProcess(spec, first));
}

async function serveQorgauProcess(spec: { dir: string; passphrase: string; url: string; work: string }, first: boolean): Promise<number> {
  const { loadConfig } = await import('../src/config/config.js');
  const { openDatabase } = await import('../src/db/database.js');
  const { buildApp } = await import('../src/http/app.js');
  const { loadCaHierarchy } = await import('../src/features/ca/index.js');
  const keyFile = path.join(spec.work, 'pseudonym.key');
  if (first) writeFileSync(keyFile, randomBytes(32).toString('hex'));
  const config = loadConfig({ DATABASE_URL: spec.url, QORGAU_PSEUDONYM_KEY_FILE: keyFile, QORGAU_DATA_DIR: spec.work, LOG_LEVEL: 'warn' });
  const database = await openDatabase({ databaseUrl: spec.url, poolSize: config.databasePoolSize });
  const app = await buildApp({ config, database, pki: await loadCaHierarchy(spec.dir, spec.passphrase), backgroundJobs: first });
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
  await app.listen({ port: BENCH_PORT, host: '127.0.0.1' });
  return (app.server.address() as net.AddressInfo).port;
}
