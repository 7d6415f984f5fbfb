import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { topLevelCommand } from './commands.js';
import { AppError } from '../errors/app-error.js';
import { Pseudonymizer } from '../privacy/pseudonym.js';
import { notifyThroughOutbox, parseWarningCsv, WarningList } from '../features/fraud/index.js';
import { withCliContext } from './context.js';

/** `qorgau fraud warning-list import|list`. */
export function registerFraudCommands(program: Command): void {
  const fraud = topLevelCommand(program, 'fraud');
  const list = fraud.command('warning-list').description("legitimate identifiers (banks' official numbers and sites): marked in reports, never linked");
  list
    .command('import <file>')
    .description('import a CSV of "type,value,owner[,note]" lines (type: phone, card, iban, url, domain, handle, wallet); idempotent')
    .action(async (file: string) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new AppError('malformed', 'FILE_NOT_FOUND', `Cannot read ${file}`);
      }
      let entries;
      try {
        entries = parseWarningCsv(text);
      } catch (err) {
        throw new AppError('malformed', 'WARNING_LIST_MALFORMED', `${file}: ${(err as Error).message}`);
      }
      await withCliContext(async (ctx) => {
        const result = await new WarningList(ctx.database, new Pseudonymizer(ctx.config.pseudonymKey), notifyThroughOutbox).import(entries, `file:${file.split('/').pop()}`);
        console.log(`${result.listed} identifiers listed; links taken back for ${result.unlinked} already reported`);
      });
    });
  list
    .command('list')
    .description('print the warning list as CSV')
    .action(async () => {
      await withCliContext(async (ctx) => {
        console.log('type,value,owner,note');
        for (const e of await new WarningList(ctx.database, new Pseudonymizer(ctx.config.pseudonymKey), notifyThroughOutbox).list()) console.log([e.kind, e.value, e.owner, e.note ?? ''].join(','));
      });
    });
}
