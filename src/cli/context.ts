import { loadConfig, type Config } from '../config/config.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { Pseudonymizer } from '../privacy/pseudonym.js';
import { setLogPseudonymizer } from '../features/log/index.js';

export interface CliContext {
  config: Config;
  database: Database;
  close(): Promise<void>;
}

/** Opens the configured database (migrated) for one CLI command. */
export async function openCliContext(): Promise<CliContext> {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 4 });
  await migrateToLatest(database.db);
  const pseudonymizer = new Pseudonymizer(config.pseudonymKey);
  setLogPseudonymizer((iin) => pseudonymizer.of(iin));
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
