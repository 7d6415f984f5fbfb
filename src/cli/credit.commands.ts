import { Option, type Command } from 'commander';
import { LenderService } from '../features/credit/lenders.service.js';
import type { LenderLicence } from '../features/credit/credit.tables.js';
import { openCliContext } from './context.js';
import { LENDER_SCOPES, type LenderScope } from '../auth/lender-keys.js';

/** `qorgau lender create|list` and `qorgau lender key create|revoke`. */
export function registerCreditCommands(program: Command): void {
  const lender = program.command('lender').description('lenders (banks and microfinance organizations) that check for credit restrictions');
  lender
    .command('create')
    .description('register a lender')
    .requiredOption('--bin <bin>', "the lender's BIN (12 digits)")
    .requiredOption('--name <name>', "the lender's name")
    .addOption(new Option('--licence <licence>', 'licence type').choices(['bank', 'mfo']).makeOptionMandatory())
    .action(async (opts: { bin: string; name: string; licence: LenderLicence }) => {
      const ctx = await openCliContext();
      try {
        const created = await new LenderService(ctx.database).create({ bin: opts.bin, name: opts.name, licence: opts.licence });
        console.log(`lender ${created.bin} (${created.licence}) ${created.name} created`);
      } finally {
        await ctx.close();
      }
    });
  lender
    .command('list')
    .description('list lenders')
    .action(async () => {
      const ctx = await openCliContext();
      try {
        for (const l of await new LenderService(ctx.database).list()) console.log([l.bin, l.licence, l.name, l.disabledAt ? 'disabled' : 'active'].join('\t'));
      } finally {
        await ctx.close();
      }
    });

  const key = lender.command('key').description("lenders' API keys (scopes credit:check, fraud:lookup)");
  key
    .command('create')
    .description('create an API key and print it once (only its hash is stored)')
    .requiredOption('--bin <bin>', "the lender's BIN")
    .addOption(new Option('--scope <scope...>', 'what the key may do').choices([...LENDER_SCOPES]).default(['credit:check']))
    .action(async (opts: { bin: string; scope: LenderScope[] }) => {
      const ctx = await openCliContext();
      try {
        const created = await new LenderService(ctx.database).createKey(opts.bin, opts.scope);
        process.stderr.write(`key ${created.id} of lender ${created.lenderBin} (${created.scopes.join(', ')}) created; it is shown once:\n`);
        console.log(created.key);
      } finally {
        await ctx.close();
      }
    });
  key
    .command('revoke <id>')
    .description('revoke a key by its id')
    .requiredOption('--bin <bin>', "the lender's BIN")
    .action(async (id: string, opts: { bin: string }) => {
      const ctx = await openCliContext();
      try {
        await new LenderService(ctx.database).revokeKey(opts.bin, id);
        console.log(`key ${id} revoked`);
      } finally {
        await ctx.close();
      }
    });
}
