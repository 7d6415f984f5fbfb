import { Command, Option } from 'commander';
import { createApiToken, listApiTokens, revokeApiToken, TOKEN_ROLES } from '../auth/api-tokens.js';
import { createReadStream, statSync } from 'node:fs';
import { AppError } from '../errors/app-error.js';
import type { TokenRole } from '../auth/api-tokens.js';
import { openCliContext, withCliContext } from './context.js';
import { registerPkiCommands } from './pki.commands.js';
import { registerRevocationCommands } from './revocation.commands.js';
import { registerSignCommands } from './sign.commands.js';
import { registerCreditCommands } from './credit.commands.js';
import { registerLoginCommands } from './login.commands.js';
import { registerOrgCommands } from './orgs.commands.js';

// Commands load the code they run when they run (dynamic imports), so `qorgau --help` and a
// mistyped command answer without loading the database, PKI and HTTP libraries.

const program = new Command()
  .name('qorgau')
  .description('Qorgau command line: database, operator tokens and the registry of compromised data.\nConfiguration comes from the environment (DATABASE_URL, QORGAU_DATA_DIR, QORGAU_PSEUDONYM_KEY_FILE).')
  .showHelpAfterError();

program
  .command('migrate')
  .description('apply the database migrations')
  .action(async () => {
    await withCliContext(async (ctx) => {
      const result = await (await import('../db/migrate.js')).migrateToLatest(ctx.database.db);
      const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
    });
  });

const token = program.command('token').description('operator API tokens');
token
  .command('create')
  .description('create a token and print it once (only its hash is stored)')
  .addOption(new Option('--role <role>', 'what the token may do').choices([...TOKEN_ROLES]).makeOptionMandatory())
  .option('--name <name>', 'who or what holds it', 'operator')
  .action(async (opts: { role: TokenRole; name: string }) => {
    await withCliContext(async (ctx) => {
      const created = await createApiToken(ctx.database.db, opts.name, opts.role);
      process.stderr.write(`token ${created.id} (${opts.role}, ${opts.name}) created; it is shown once:\n`);
      console.log(created.token);
    });
  });
token
  .command('list')
  .description('list tokens (never their secrets)')
  .action(async () => {
    await withCliContext(async (ctx) => {
      for (const t of await listApiTokens(ctx.database.db)) {
        console.log([t.id, t.role, t.name, new Date(t.created_at).toISOString(), t.revoked_at ? 'revoked' : 'active'].join('\t'));
      }
    });
  });
token
  .command('revoke <id>')
  .description('revoke a token by its id')
  .action(async (id: string) => {
    await withCliContext(async (ctx) => {
      if (!(await revokeApiToken(ctx.database.db, id))) throw new AppError(404, 'TOKEN_NOT_FOUND', `No active token ${id}`);
      console.log(`token ${id} revoked`);
    });
  });

const breach = program.command('breach').description('breaches of the registry');
breach
  .command('import <breach-id> <file>')
  .description('import the persons affected by a draft breach from a CSV (header "iin") or NDJSON file of any size; safe to re-run')
  .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'ndjson']))
  .option('--chunk-rows <n>', 'rows per COPY into the stage', (v) => Number.parseInt(v, 10), 50_000)
  .action(async (breachId: string, file: string, opts: { format?: 'csv' | 'ndjson'; chunkRows: number }) => {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      throw new AppError(400, 'FILE_NOT_FOUND', `Cannot read ${file}`);
    }
    const format = opts.format ?? (/\.(nd)?jsonl?$/i.test(file) ? 'ndjson' : /\.csv$/i.test(file) ? 'csv' : undefined);
    if (!format) throw new AppError(400, 'FORMAT_UNKNOWN', `Cannot tell the format of ${file} from its name; pass --format csv or --format ndjson`);
    const ctx = await openCliContext();
    const registry = new (await import('../features/registry/index.js')).RegistryService(ctx.database, new (await import('../privacy/pseudonym.js')).Pseudonymizer(ctx.config.pseudonymKey));
    const progress = (await import('./progress.js')).startProgress(`import ${breachId}`, size, 'bytes');
    try {
      const report = await registry.importAffected(breachId, format, createReadStream(file, { highWaterMark: 1 << 20 }), {
        chunkRows: opts.chunkRows,
        sourceName: `cli:${file}`,
        onProgress: (p) => {
          progress.update(p.bytes, { phase: p.phase, staged: p.staged, invalid: p.invalid });
          if (p.phase === 'merging') process.stderr.write(`\nmerging ${p.staged} staged persons into breach ${breachId} in one transaction...\n`);
        },
      });
      progress.stop();
      console.log(JSON.stringify(report, null, 2));
    } finally {
      progress.stop();
      await ctx.close();
    }
  });

registerPkiCommands(program);
registerRevocationCommands(program);
registerSignCommands(program);
registerCreditCommands(program);
registerLoginCommands(program);
registerOrgCommands(program);

export async function runCli(argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof AppError) {
      process.stderr.write(`qorgau: ${err.message} [${err.code}]\n`);
      if (Array.isArray(err.extras.invalidLines)) process.stderr.write(JSON.stringify(err.extras, null, 2) + '\n');
      process.exitCode = 1;
    } else if (err instanceof (await import('../config/config.js')).ConfigError || err instanceof (await import('../db/database.js')).DatabaseInUseError) {
      process.stderr.write(`qorgau: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      throw err;
    }
  }
}

await runCli(process.argv);
