import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';

export interface CliContext {
  config: Config;
  database: Database;
  close(): Promise<void>;
}

/** Opens the configured database (migrated) for one CLI command. */
export async function openCliContext(): Promise<CliContext> {
  // Loaded here, not at the top: `qorgau --help` must not pay for the database and its drivers.
  const config = (await import('../config/config.js')).loadConfig();
  const database = await (await import('../db/database.js')).openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 4 });
  await (await import('../db/migrate.js')).migrateToLatest(database.db);
  const { Pseudonymizer } = await import('../privacy/pseudonym.js');
  const pseudonymizer = new Pseudonymizer(config.pseudonymKey);
  (await import('../features/log/index.js')).setLogPseudonymizer((iin) => pseudonymizer.of(iin));
  return { config, database, close: () => database.close() };
}

/** Runs one command with the database open, and closes it however the command ends. */
export async function withCliContext<T>(run: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = await openCliContext();
  try {
    return await run(ctx);
  } finally {
    await ctx.close();
  }
}
