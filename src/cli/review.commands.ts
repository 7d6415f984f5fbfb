import type { Command } from 'commander';
import { AppError } from '../errors/app-error.js';
import { topLevelCommand } from './commands.js';
import { callServer, resolveServer, withServerOptions, type ServerOptions } from './server-client.js';

interface ReviewItem {
  id: string;
  holder: string;
  surname: string;
  givenName: string;
  organization: string | null;
  bin: string | null;
  registrationExtract: string | null;
  identityProven: boolean;
  reviewReason: string | null;
}

const target = (opts: ServerOptions) => {
  const server = resolveServer(opts);
  if (!server) throw AppError.badRequest('SERVER_URL_REQUIRED', 'The review queue is on the running server: add --url http://host:port and an operator token (--token-file)');
  return server;
};

/**
 * `qorgau ca queue|approve|reject`: a CA operator's review queue against a running server. A
 * head's application is approved only with the registration extract number the operator checked.
 */
export function registerReviewCommands(program: Command): void {
  // Beside the CA's other commands (pki.commands.ts, loaded first for "ca").
  const ca = program.commands.find((c) => c.name() === 'ca') ?? topLevelCommand(program, 'ca');
  withServerOptions(ca.command('queue').description('applications waiting for an operator, oldest first (heads show the registration extract to check)')).action(async (opts: ServerOptions) => {
    const { items } = await callServer<{ items: ReviewItem[] }>(target(opts), '/v1/pki/review-queue');
    for (const i of items) {
      const head = i.registrationExtract ? `head of ${i.bin} (${i.organization}): check extract ${i.registrationExtract}${i.identityProven ? '; identity proven by signature' : ''}` : i.holder;
      console.log([i.id, `${i.surname} ${i.givenName}`, head, i.reviewReason ?? ''].join('\t'));
    }
  });
  withServerOptions(
    ca
      .command('approve <id>')
      .description("confirm the applicant and issue the pair; for a head's application give the extract number you checked in the business registry")
      .option('--registration-extract <number>', "a head's application: the extract number you checked (it must name the applicant as the head of the BIN)")
      .option('--role <role...>', "a head's application: roles of the pair (first-head, the default; may-sign; may-sign-financial)")
      .option('--in-person', 'you saw the applicant in person (default: remote)'),
  ).action(async (id: string, opts: ServerOptions & { registrationExtract?: string; role?: string[]; inPerson?: boolean }) => {
    const body = {
      proofingMethod: opts.inPerson ? 'in-person' : 'remote',
      ...(opts.registrationExtract ? { registrationExtract: opts.registrationExtract } : {}),
      ...(opts.role ? { roles: opts.role } : {}),
    };
    const view = await callServer<{ id: string; status: string; roles: string[] | null }>(target(opts), `/v1/pki/applications/${encodeURIComponent(id)}/approve`, { body });
    console.log(`application ${view.id}: ${view.status}${view.roles ? ` (roles ${view.roles.join(', ')})` : ''}`);
  });
  withServerOptions(
    ca.command('reject <id>').description('reject an application; the applicant sees the reason').requiredOption('--reason <text>', 'why, in words the applicant understands'),
  ).action(async (id: string, opts: ServerOptions & { reason: string }) => {
    const view = await callServer<{ id: string; status: string }>(target(opts), `/v1/pki/applications/${encodeURIComponent(id)}/reject`, { body: { reason: opts.reason } });
    console.log(`application ${view.id}: ${view.status}`);
  });
}
