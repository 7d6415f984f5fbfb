import { Option, type Command } from 'commander';
import { topLevelCommand } from './commands.js';
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { AppError } from '../errors/app-error.js';
import { migrateToLatest } from '../db/migrate.js';
import { createApiToken, listApiTokens, revokeApiToken, TOKEN_ROLES, type TokenRole } from '../auth/api-tokens.js';
import { Pseudonymizer } from '../privacy/pseudonym.js';
import { RegistryService } from '../features/registry/index.js';
import { openCliContext, withCliContext } from './context.js';
import { callServer, resolveServer, withServerOptions, type ServerOptions } from './server-client.js';
import { startProgress } from './progress.js';

/** `qorgau migrate`, `qorgau token ...` and `qorgau breach import`: the database and the registry's operators. */
export function registerCoreCommands(program: Command): void {
  topLevelCommand(program, 'migrate')
    .action(async () => {
      await withCliContext(async (ctx) => {
        const result = await migrateToLatest(ctx.database.db);
        const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
        console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
      });
    });

  const token = topLevelCommand(program, 'token');
  withServerOptions(
    token
      .command('create')
      .description('create a token and print it once (only its hash is stored)')
      .addOption(new Option('--role <role>', 'what the token may do').choices([...TOKEN_ROLES]).makeOptionMandatory())
      .option('--name <name>', 'who or what holds it', 'operator'),
  ).action(async (opts: { role: TokenRole; name: string } & ServerOptions) => {
    const server = resolveServer(opts);
    const created = server
      ? await callServer<{ id: string; token: string }>(server, '/v1/admin/tokens', { body: { role: opts.role, name: opts.name } })
      : await withCliContext((ctx) => createApiToken(ctx.database.db, opts.name, opts.role));
    process.stderr.write(`token ${created.id} (${opts.role}, ${opts.name}) created; it is shown once:\n`);
    console.log(created.token);
  });
  withServerOptions(token.command('list').description('list tokens (never their secrets)')).action(async (opts: ServerOptions) => {
    const server = resolveServer(opts);
    const rows = server
      ? (await callServer<{ items: { id: string; role: string; name: string; createdAt: string; revokedAt: string | null }[] }>(server, '/v1/admin/tokens')).items
      : (await withCliContext((ctx) => listApiTokens(ctx.database.db))).map((t) => ({ ...t, createdAt: new Date(t.created_at).toISOString(), revokedAt: t.revoked_at }));
    for (const t of rows) console.log([t.id, t.role, t.name, t.createdAt, t.revokedAt ? 'revoked' : 'active'].join('\t'));
  });
  withServerOptions(token.command('revoke <id>').description('revoke a token by its id')).action(async (id: string, opts: ServerOptions) => {
    const server = resolveServer(opts);
    if (server) await callServer(server, `/v1/admin/tokens/${encodeURIComponent(id)}/revoke`, { method: 'POST' });
    else
      await withCliContext(async (ctx) => {
        if (!(await revokeApiToken(ctx.database.db, id))) throw new AppError('not_found', 'TOKEN_NOT_FOUND', `No active token ${id}`);
      });
    console.log(`token ${id} revoked`);
  });

  const breach = topLevelCommand(program, 'breach');
  withServerOptions(
    breach
      .command('import <breach-id> <file>')
      .description('import the persons affected by a draft breach from a CSV (header "iin") or NDJSON file of any size; safe to re-run. With --url the file is streamed to the running server (up to QORGAU_IMPORT_MAX_BYTES); without, straight into the database (no size limit; the server must be stopped on the embedded database)')
      .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'ndjson']))
      .option('--chunk-rows <n>', 'rows per COPY into the stage', (v) => Number.parseInt(v, 10), 50_000),
  ).action(async (breachId: string, file: string, opts: { format?: 'csv' | 'ndjson'; chunkRows: number } & ServerOptions) => {
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        throw new AppError('malformed', 'FILE_NOT_FOUND', `Cannot read ${file}`);
      }
      const format = opts.format ?? (/\.(nd)?jsonl?$/i.test(file) ? 'ndjson' : /\.csv$/i.test(file) ? 'csv' : undefined);
      if (!format) throw new AppError('malformed', 'FORMAT_UNKNOWN', `Cannot tell the format of ${file} from its name; pass --format csv or --format ndjson`);
      const server = resolveServer(opts);
      if (server) {
        const progress = startProgress(`upload ${breachId}`, size, 'bytes');
        const file_ = createReadStream(file, { highWaterMark: 1 << 20 });
        // Counted as fetch pulls it, so the bar shows what the server has taken, not what was read ahead.
        const stream = Readable.from(
          (async function* () {
            let sent = 0;
            for await (const chunk of file_) {
              progress.update((sent += (chunk as Buffer).length));
              yield chunk as Buffer;
            }
          })(),
        );
        try {
          const report = await callServer(server, `/v1/breaches/${encodeURIComponent(breachId)}/affected`, {
            stream,
            contentType: format === 'csv' ? 'text/csv' : 'application/x-ndjson',
          });
          progress.stop();
          console.log(JSON.stringify(report, null, 2));
        } finally {
          progress.stop();
        }
        return;
      }
      const ctx = await openCliContext();
      const registry = new RegistryService(ctx.database, new Pseudonymizer(ctx.config.pseudonymKey));
      const progress = startProgress(`import ${breachId}`, size, 'bytes');
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
}
