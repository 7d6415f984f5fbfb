import type { AddressInfo } from 'node:net';
import { loadConfig, ConfigError } from './config/config.js';
import { openDatabase, DatabaseInUseError } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { buildApp } from './http/app.js';
import { ensureBootstrapToken } from './auth/bootstrap.js';
import { ensureDevHierarchy } from './features/pki/ca/ceremony.js';

/** `npm start`: migrate, then serve the API. With no DATABASE_URL, the embedded PGlite in ./data. */
async function main() {
  const config = loadConfig();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    databaseReadUrl: config.databaseReadUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
  });
  await migrateToLatest(database.db);
  const bootstrapFile = database.kind === 'pglite' ? await ensureBootstrapToken(database.db, config.dataDir) : null;
  const pki = await ensureDevHierarchy(config.dataDir, config.publicUrl);
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
  if (bootstrapFile) process.stderr.write(`Operator token (admin) for this embedded instance: ${bootstrapFile}\n`);
  process.stderr.write('\n');
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DatabaseInUseError) {
    process.stderr.write(`qorgau: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`qorgau: failed to start: ${err?.stack ?? err}\n`);
  process.exit(1);
});
