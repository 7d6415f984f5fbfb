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

/** `npm start`: migrate, then serve the API. With no DATABASE_URL, the embedded PGlite in ./data. */
async function main() {
  const config = loadConfig();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    databaseReadUrl: config.databaseReadUrl,
    readMaxLagSeconds: config.databaseReadMaxLagSeconds,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  });
  await migrateToLatest(database.db);
  const bootstrapFile = database.kind === 'pglite' ? await ensureBootstrapToken(database.db, config.dataDir) : null;
  const pki = config.caDir
    ? await loadCaHierarchy(config.caDir, await readPassphraseFile(config.caPassphraseFile!))
    : await ensureDevHierarchy(config.dataDir, config.publicUrl);
  if (!config.caDir && database.kind === 'postgres') {
    process.stderr.write(`qorgau: warning: using the development CA in ${config.dataDir}/pki; set QORGAU_CA_DIR and QORGAU_CA_PASSPHRASE_FILE for a CA made by "qorgau ca init"\n`);
  }
  const app = await buildApp({ config, database, pki });
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
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
