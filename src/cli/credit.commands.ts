import { Option, type Command } from 'commander';
import { topLevelCommand } from './commands.js';
import { readFile } from 'node:fs/promises';
import { AppError } from '../errors/app-error.js';
import { verifyCheckAnswer, type CheckAnswer } from '../client/check-answer.js';
import { LenderService, type LenderLicence } from '../features/credit/index.js';
import { withCliContext } from './context.js';
import { LENDER_SCOPES, type LenderScope } from '../features/credit/index.js';
import { request } from './http.js';
import { callServer, resolveServer, withServerOptions, type ServerOptions } from './server-client.js';

/** `qorgau lender create|list` and `qorgau lender key create|revoke`, in the database or (with --url) through a running server. */
export function registerCreditCommands(program: Command): void {
  const lender = topLevelCommand(program, 'lender');
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

  const key = lender.command('key').description("lenders' API keys (scopes credit:check, fraud:lookup)");
  withServerOptions(
    key
      .command('create')
      .description('create an API key and print it once (only its hash is stored)')
      .requiredOption('--bin <bin>', "the lender's BIN")
      .addOption(new Option('--scope <scope...>', 'what the key may do').choices([...LENDER_SCOPES]).default(['credit:check'])),
  ).action(async (opts: { bin: string; scope: LenderScope[] } & ServerOptions) => {
    const server = resolveServer(opts);
    const created = server
      ? await callServer<{ id: string; lenderBin: string; key: string }>(server, `/v1/credit/lenders/${encodeURIComponent(opts.bin)}/keys?${opts.scope.map((s) => `scope=${encodeURIComponent(s)}`).join('&')}`, { method: 'POST' })
      : await withCliContext((ctx) => new LenderService(ctx.database).createKey(opts.bin, opts.scope));
    process.stderr.write(`key ${created.id} of lender ${created.lenderBin} (${opts.scope.join(', ')}) created; it is shown once:\n`);
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

  const credit = topLevelCommand(program, 'credit');
  credit
    .command('verify-answer <answer>')
    .description("check that a lender-check answer (the JSON of POST /v1/credit/checks, a file or - for standard input) was signed by the registry: the JWS over the Merkle root, the answer's audit path, and the signed text")
    .addOption(new Option('--url <url>', "the registry, to fetch its public key (GET /v1/credit/signing-key)").env('QORGAU_URL'))
    .option('--key <file>', 'the JWK Set (saved from /v1/credit/signing-key), instead of --url')
    .option('--json', 'print the verdict as JSON')
    .action(async (file: string, opts: { url?: string; key?: string; json?: boolean }) => {
      const read = async (f: string, what: string) => {
        try {
          return f === '-' ? await new Response(process.stdin as unknown as ReadableStream).text() : await readFile(f, 'utf8');
        } catch (err) {
          throw AppError.badRequest('FILE_NOT_FOUND', `Cannot read the ${what} ${f}: ${(err as Error).message}`);
        }
      };
      const json = (text: string, what: string) => {
        try {
          return JSON.parse(text);
        } catch {
          throw AppError.badRequest('NOT_JSON', `The ${what} is not JSON`);
        }
      };
      const answer = json(await read(file, 'answer'), 'answer') as CheckAnswer;
      let keys: { keys: [] };
      if (opts.key) keys = json(await read(opts.key, 'key file'), 'key file');
      else if (opts.url) {
        const response = await request(`${opts.url.replace(/\/+$/, '')}/v1/credit/signing-key`);
        keys = json(await response.text(), 'signing key');
      } else throw AppError.badRequest('SIGNING_KEY_REQUIRED', 'Say where the registry key comes from: --url https://registry (or QORGAU_URL), or --key jwks.json');
      const verdict = await verifyCheckAnswer(answer, keys);
      if (opts.json) console.log(JSON.stringify(verdict, null, 2));
      else if (verdict.valid) console.log(`valid: decision ${answer.decision} for check ${answer.checkId} at ${answer.checkedAt}, signed ${verdict.signedAt} with key ${verdict.kid}`);
      else console.log(`NOT valid: ${verdict.reason}`);
      if (!verdict.valid) process.exitCode = 1;
    });
}
