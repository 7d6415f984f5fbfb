import { Option, type Command } from 'commander';
import type { LenderLicence } from '../features/credit/index.js';
import { openCliContext } from './context.js';

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
        const created = await new (await import('../features/credit/index.js')).LenderService(ctx.database).create({ bin: opts.bin, name: opts.name, licence: opts.licence });
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
        for (const l of await new (await import('../features/credit/index.js')).LenderService(ctx.database).list()) console.log([l.bin, l.licence, l.name, l.disabledAt ? 'disabled' : 'active'].join('\t'));
      } finally {
        await ctx.close();
      }
    });

  const key = lender.command('key').description("lenders' API keys (scope credit:check)");
  key
    .command('create')
    .description('create a credit:check API key and print it once (only its hash is stored)')
    .requiredOption('--bin <bin>', "the lender's BIN")
    .action(async (opts: { bin: string }) => {
      const ctx = await openCliContext();
      try {
        const created = await new (await import('../features/credit/index.js')).LenderService(ctx.database).createKey(opts.bin);
        process.stderr.write(`key ${created.id} of lender ${created.lenderBin} (credit:check) created; it is shown once:\n`);
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
        await new (await import('../features/credit/index.js')).LenderService(ctx.database).revokeKey(opts.bin, id);
        console.log(`key ${id} revoked`);
      } finally {
        await ctx.close();
      }
    });
}
