import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { loadConfig, ConfigError } from './config/config.js';
import { openDatabase, DatabaseInUseError } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { buildApp } from './http/app.js';
import { AppError } from './errors/app-error.js';
import { ensureBootstrapToken } from './auth/bootstrap.js';
import { ensureDevHierarchy, loadCaHierarchy } from './features/ca/index.js';
import { readPassphraseFile } from './features/ca/index.js';
import { ensureDemoPeople } from './demo/demo-people.js';

/**
 * `npm start`: migrate, then serve the API. With no DATABASE_URL, the embedded PGlite in ./data.
 * With QORGAU_WORKERS above 1 (the default on PostgreSQL: one per core) this process is the
 * primary of a node:cluster and the workers serve; see serveWithWorkers.
 */
async function main() {
  const config = loadConfig();
  if (cluster.isPrimary && config.workers > 1) return serveWithWorkers(config.workers);
  // Worker 0 (or the only process) migrates, makes missing keys and runs the background jobs.
  const first = cluster.isPrimary || process.env.QORGAU_WORKER_INDEX === '0';
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    databaseReadUrl: config.databaseReadUrl,
    readMaxLagSeconds: config.databaseReadMaxLagSeconds,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  });
  if (first) await migrateToLatest(database.db);
  const bootstrapFile = database.kind === 'pglite' ? await ensureBootstrapToken(database.db, config.dataDir) : null;
  const pki = config.caDir
    ? await loadCaHierarchy(config.caDir, await readPassphraseFile(config.caPassphraseFile!))
    : await ensureDevHierarchy(config.dataDir, config.publicUrl);
  if (!config.caDir && database.kind === 'postgres' && first) {
    process.stderr.write(`qorgau: warning: using the development CA in ${config.dataDir}/pki; set QORGAU_CA_DIR and QORGAU_CA_PASSPHRASE_FILE for a CA made by "qorgau ca init"\n`);
  }
  if (database.kind === 'postgres' && first) {
    // Instances with their own data folders would each make their own key and contradict each other.
    for (const [file, folder, name, what] of [
      [config.noticeKeyFile, 'notifications', 'QORGAU_NOTICE_KEY_FILE', 'webhook notices'],
      [config.creditKeyFile, 'credit', 'QORGAU_CREDIT_KEY_FILE', "lenders' check answers"],
      [config.logKeyFile, 'log', 'QORGAU_LOG_KEY_FILE', "the transparency log's tree heads"],
    ] as const) {
      if (!file) process.stderr.write(`qorgau: warning: ${what} are signed with a key made in ${config.dataDir}/${folder}; set ${name} so that every instance signs with the same key\n`);
    }
  }
  const app = await buildApp({ config, database, pki, backgroundJobs: first });
  let closing = false;
  const shutdown = async (signal: string) => {
    // Ctrl-C reaches a worker twice (from the terminal and from the primary): the first one counts.
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  if (cluster.isWorker) {
    process.send?.({ qorgau: 'listening' });
    if (!first) return;
  }
  const port = (app.server.address() as AddressInfo | null)?.port ?? config.port;
  const url = config.port === 0 ? `http://localhost:${port}` : config.publicUrl;
  const where = database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}/pglite` : 'PostgreSQL';
  app.log.info({ url, docs: `${url}/docs`, database: database.kind }, 'Qorgau API ready');
  process.stderr.write(`\nQorgau API listening on ${url}  (database: ${where})\nAPI docs: ${url}/docs\n`);
  process.stderr.write(`Portal: ${url}/\n`);
  if (bootstrapFile) process.stderr.write(`Operator token (admin) for this embedded instance: ${bootstrapFile}\n`);
  process.stderr.write('\n');
  // Demo people only where nothing real lives: the embedded database, or when asked (QORGAU_DEMO=1).
  // Made after the server listens, so a first start answers at once; their line follows.
  if (database.kind === 'pglite' || process.env.QORGAU_DEMO === '1') {
    try {
      const demo = await ensureDemoPeople(app, config.dataDir);
      if (demo) process.stderr.write(`Demo people, their key files (.p12) and passwords: ${demo}\n\n`);
    } catch (err) {
      process.stderr.write(`qorgau: warning: the demo people could not be made (${(err as Error).message}); the server runs without them\n`);
    }
  }
}

/**
 * The primary of a cluster serves nothing itself. Worker 0 starts first and alone (it
 * migrates, makes the development CA and any missing signing keys), then the others,
 * which share its listening socket. A worker that dies is replaced with the same index,
 * so exactly one runs the background jobs. SIGTERM or SIGINT stop every worker (each
 * finishes its requests and closes its pool) before the primary exits.
 */
async function serveWithWorkers(count: number): Promise<void> {
  // The kernel hands connections to the workers (docs/decisions/0005): with Node's round-robin the
  // primary accepts every connection and passes it over IPC, which capped a new connection per
  // request at a third of this. NODE_CLUSTER_SCHED_POLICY=rr brings round-robin back.
  if (!process.env.NODE_CLUSTER_SCHED_POLICY) cluster.schedulingPolicy = cluster.SCHED_NONE;
  let stopping = false;
  const indexOf = new Map<number, number>();
  const fork = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const worker = cluster.fork({ QORGAU_WORKER_INDEX: String(index) });
      indexOf.set(worker.id, index);
      worker.on('message', (message: { qorgau?: string }) => {
        if (message?.qorgau === 'listening') resolve();
      });
      worker.once('exit', (code, signal) => {
        indexOf.delete(worker.id);
        reject(new Error(`worker ${index} exited (${signal ?? code}) before it listened`));
        if (stopping) return;
        process.stderr.write(`qorgau: worker ${index} exited (${signal ?? code}); starting another\n`);
        // A replacement that cannot start is tried again every second; the others keep serving meanwhile.
        setTimeout(() => void fork(index).catch(() => {}), 1000).unref();
      });
    });
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            w.once('exit', () => resolve());
            w.process.kill(signal);
          }),
      ),
    );
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  try {
    await fork(0);
  } catch (err) {
    stopping = true;
    process.stderr.write(`qorgau: ${(err as Error).message}\n`);
    process.exit(1);
  }
  await Promise.all(Array.from({ length: count - 1 }, (_, i) => fork(i + 1)));
  process.stderr.write(`qorgau: ${count} worker processes serve the API (QORGAU_WORKERS)\n`);
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DatabaseInUseError) {
    process.stderr.write(`qorgau: ${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof AppError) {
    process.stderr.write(`qorgau: cannot start: ${err.message} [${err.code}]\n`);
    process.exit(2);
  }
  process.stderr.write(`qorgau: failed to start: ${err?.stack ?? err}\n`);
  process.exit(1);
});
