import { Option, type Command } from 'commander';
import { LenderService, type LenderLicence } from '../features/credit/index.js';
import { withCliContext } from './context.js';
import { callServer, resolveServer, withServerOptions, type ServerOptions } from './server-client.js';

/** `qorgau lender create|list` and `qorgau lender key create|revoke`, in the database or (with --url) through a running server. */
export function registerCreditCommands(program: Command): void {
  const lender = program.command('lender').description('lenders (banks and microfinance organizations) that check for credit restrictions');
  withServerOptions(
    lender
      .command('create')
      .description('register a lender')
      .requiredOption('--bin <bin>', "the lender's BIN (12 digits)")
      .requiredOption('--name <name>', "the lender's name")
      .addOption(new Option('--licence <licence>', 'licence type').choices(['bank', 'mfo']).makeOptionMandatory()),
  ).action(async (opts: { bin: string; name: string; licence: LenderLicence } & ServerOptions) => {
    const input = { bin: opts.bin, name: opts.name, licence: opts.licence };
    const server = resolveServer(opts);
    const created = server
      ? await callServer<{ bin: string; name: string; licence: string }>(server, '/v1/credit/lenders', { body: input })
      : await withCliContext((ctx) => new LenderService(ctx.database).create(input));
    console.log(`lender ${created.bin} (${created.licence}) ${created.name} created`);
  });
  withServerOptions(lender.command('list').description('list lenders')).action(async (opts: ServerOptions) => {
    const server = resolveServer(opts);
    const lenders = server
      ? await callServer<{ bin: string; licence: string; name: string; disabledAt: string | null }[]>(server, '/v1/credit/lenders')
      : await withCliContext((ctx) => new LenderService(ctx.database).list());
    for (const l of lenders) console.log([l.bin, l.licence, l.name, l.disabledAt ? 'disabled' : 'active'].join('\t'));
  });

  const key = lender.command('key').description("lenders' API keys (scope credit:check)");
  withServerOptions(
    key
      .command('create')
      .description('create a credit:check API key and print it once (only its hash is stored)')
      .requiredOption('--bin <bin>', "the lender's BIN"),
  ).action(async (opts: { bin: string } & ServerOptions) => {
    const server = resolveServer(opts);
    const created = server
      ? await callServer<{ id: string; lenderBin: string; key: string }>(server, `/v1/credit/lenders/${encodeURIComponent(opts.bin)}/keys`, { method: 'POST' })
      : await withCliContext((ctx) => new LenderService(ctx.database).createKey(opts.bin));
    process.stderr.write(`key ${created.id} of lender ${created.lenderBin} (credit:check) created; it is shown once:\n`);
    console.log(created.key);
  });
  withServerOptions(
    key.command('revoke <id>').description('revoke a key by its id').requiredOption('--bin <bin>', "the lender's BIN"),
  ).action(async (id: string, opts: { bin: string } & ServerOptions) => {
    const server = resolveServer(opts);
    if (server) await callServer(server, `/v1/credit/lenders/${encodeURIComponent(opts.bin)}/keys/${encodeURIComponent(id)}`, { method: 'DELETE' });
    else await withCliContext((ctx) => new LenderService(ctx.database).revokeKey(opts.bin, id));
    console.log(`key ${id} revoked`);
  });
}
