import type { Command } from 'commander';
import { topLevelCommand } from './commands.js';
import { CertificateHoldings } from '../features/ca/index.js';
import { EmploymentService } from '../features/signatures/index.js';
import { OrganizationsService, requireValidIin } from '../features/signatures/index.js';
import { TerminationService } from '../features/signatures/index.js';
import { withCliContext } from './context.js';
import { AppError } from '../errors/app-error.js';
import { EmployeeCertificates } from '../features/signatures/index.js';
import { registerHeadCommands } from './head.commands.js';

/** The CLI acts as an admin operator would. */
const CLI_ACTOR = { kind: 'operator', tokenId: 'cli', name: 'cli' } as const;

/** `qorgau org enrol|show|employees|authorize|terminate` and `qorgau org credential create|list|revoke`. */
export function registerOrgCommands(program: Command): void {
  const org = topLevelCommand(program, 'org');
  registerHeadCommands(org);
  org
    .command('enrol')
    .description('enrol an organization as an admin operator, on this machine\'s database (a company head uses "qorgau org head apply", then "qorgau org head enrol")')
    .requiredOption('--bin <bin>', 'the organization BIN')
    .requiredOption('--name <name>', 'the organization name')
    .action(async (opts: { bin: string; name: string }) => {
      await withCliContext(async (ctx) => {
        const enrolled = await new OrganizationsService(ctx.database.db).enrol({ bin: opts.bin, name: opts.name }, CLI_ACTOR);
        console.log(`organization ${enrolled.bin} (${enrolled.name}) enrolled`);
      });
    });
  org
    .command('show <bin>')
    .description('an enrolled organization and its number of current employees')
    .action(async (bin: string) => {
      await withCliContext(async (ctx) => {
        const view = await new OrganizationsService(ctx.database.db).view(bin);
        console.log([view.bin, view.name, `enrolled ${view.enrolledAt}`, `${view.currentEmployees} current employees`].join('\t'));
      });
    });
  org
    .command('employees <bin>')
    .description('current employees, one per line (IIN, position, start)')
    .action(async (bin: string) => {
      await withCliContext(async (ctx) => {
        const employment = new EmploymentService(ctx.database.db);
        await new OrganizationsService(ctx.database.db).view(bin);
        for (let after: string | undefined; ; ) {
          const page = await employment.list(bin, { status: 'current', after, limit: 1000 });
          for (const e of page.items) console.log([e.iin, e.position, e.startedAt.toISOString()].join('\t'));
          if (!page.next) break;
          after = page.next;
        }
      });
    });
  org
    .command('terminate')
    .description("end an employment and revoke the employee's certificates of the organization (affiliationChanged)")
    .requiredOption('--bin <bin>', 'the organization BIN')
    .requiredOption('--iin <iin>', 'the employee IIN')
    .option('--reason <reason>', 'why the employment ended', 'terminated')
    .action(async (opts: { bin: string; iin: string; reason: string }) => {
      await withCliContext(async (ctx) => {
        await new OrganizationsService(ctx.database.db).view(opts.bin);
        requireValidIin(opts.iin);
        const done = await new TerminationService(ctx.database.db, new CertificateHoldings(ctx.database.db)).terminate(opts.bin, opts.iin, { reason: opts.reason, actor: 'operator:cli' });
        console.log(`employment ended ${done.endedAt.toISOString()}; revoked: ${done.revoked.map((r) => r.serial).join(', ') || 'none'}`);
      });
    });

  org
    .command('authorize')
    .description("authorize a certificate pair for a current employee (the employment's roles); the employee then applies with keys made on their own machine")
    .requiredOption('--bin <bin>', 'the organization BIN')
    .requiredOption('--iin <iin>', 'the employee IIN')
    .option('--valid-days <n>', 'days the employee has to apply (1 to 30)', (v) => Number.parseInt(v, 10), 7)
    .action(async (opts: { bin: string; iin: string; validDays: number }) => {
      await withCliContext(async (ctx) => {
        await new OrganizationsService(ctx.database.db).view(opts.bin);
        requireValidIin(opts.iin);
        if (!Number.isInteger(opts.validDays) || opts.validDays < 1 || opts.validDays > 30) throw AppError.badRequest('VALID_DAYS_RANGE', '--valid-days is a whole number from 1 to 30');
        const authorized = await new EmployeeCertificates(ctx.database.db, new CertificateHoldings(ctx.database.db)).authorize(opts.bin, opts.iin, { validDays: opts.validDays }, 'operator:cli');
        console.log(`authorization ${authorized.id}: roles ${authorized.roles.join(', ')}, open until ${authorized.expiresAt}`);
        console.log(`next: ${authorized.next}`);
      });
    });

  const credential = org.command('credential').description("API credentials of an organization's HR system");
  credential
    .command('create')
    .description('create a credential and print it once (only its hash is stored)')
    .requiredOption('--bin <bin>', 'the organization BIN')
    .option('--name <name>', 'which system holds it', 'hr-system')
    .action(async (opts: { bin: string; name: string }) => {
      await withCliContext(async (ctx) => {
        const service = new OrganizationsService(ctx.database.db);
        await service.view(opts.bin);
        const created = await service.createCredential(opts.bin, opts.name);
        process.stderr.write(`credential ${created.id} of ${opts.bin} (${opts.name}) created; it is shown once:\n`);
        console.log(created.credential);
      });
    });
  credential
    .command('list <bin>')
    .description("list the organization's credentials (never their secrets)")
    .action(async (bin: string) => {
      await withCliContext(async (ctx) => {
        for (const c of await new OrganizationsService(ctx.database.db).credentials(bin)) console.log([c.id, c.name, c.createdAt, c.revokedAt ? 'revoked' : 'active'].join('\t'));
      });
    });
  credential
    .command('revoke <id>')
    .description('revoke a credential by its id')
    .requiredOption('--bin <bin>', 'the organization BIN')
    .action(async (id: string, opts: { bin: string }) => {
      await withCliContext(async (ctx) => {
        await new OrganizationsService(ctx.database.db).revokeCredential(opts.bin, id);
        console.log(`credential ${id} revoked`);
      });
    });
}
