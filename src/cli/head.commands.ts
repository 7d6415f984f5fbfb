import { Option, type Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { AppError } from '../errors/app-error.js';
import type { KeyAlgorithm } from '../pkix/key-signer.js';
import { headshipOf, signedHeadApplication } from './employee-application.js';
import { login, type SavedSession } from './login.commands.js';
import { readInput, readPasswordFile, requestJson } from './http.js';

/** Shows what will happen and asks; without a terminal, only --yes goes on. */
async function confirm(plan: string, yes: boolean | undefined, question: string): Promise<void> {
  process.stderr.write(`${plan}\n`);
  if (yes) return;
  if (!process.stdin.isTTY) throw AppError.badRequest('CONFIRMATION_REQUIRED', 'Nothing was done: add --yes to go on without being asked');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${question} [y/N] `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) throw AppError.badRequest('NOT_CONFIRMED', 'Nothing was done');
}

/** Through the CLI's one HTTP client: an unreachable server and a problem document read the same as in every command. */
function send<T>(url: string, init: { method: string; body?: unknown; cookie?: string }): Promise<T> {
  return requestJson<T>(url, init);
}

/** Signs in with the head's AUTH .p12 (the pair Qorgau issued, or a national-CA head certificate). */
async function signedIn(opts: { p12: string; passwordFile: string; url: string }): Promise<SavedSession> {
  return login({ p12: await readInput(opts.p12, 'PKCS#12 file'), password: await readPasswordFile(opts.passwordFile), url: opts.url });
}

const urlOption = () => new Option('--url <url>', 'the Qorgau server, e.g. https://qorgau.kz').env('QORGAU_URL').makeOptionMandatory();

interface ApplyOptions {
  bin: string; organization: string; iin: string; surname: string; givenName: string; patronymic?: string;
  registrationExtract?: string; signedWith?: string; signedWithPasswordFile?: string; idDocument?: string;
  out: string; passwordFile: string; url: string; algorithm: KeyAlgorithm; yes?: boolean;
}

/**
 * `qorgau org head apply|enrol|grant-hr`: a company head enrols their organization without an
 * administrator. Each step says what it will do and asks before doing it (`--yes` for scripts),
 * and ends with the next step's command.
 */
export function registerHeadCommands(org: Command): void {
  const head = org.command('head').description("a company head's own steps: apply for the first-head pair, enrol the organization, grant HR (no administrator needed)");

  head
    .command('apply')
    .description(
      'step 1: make your keys here and apply for the first-head pair of your organization. Prove the headship with --registration-extract (an operator checks it in the business registry) ' +
        'or by signing with a certificate that already carries the first-head role for the BIN (--signed-with, e.g. from the national CA)',
    )
    .requiredOption('--bin <bin>', "your organization's BIN")
    .requiredOption('--organization <name>', "your organization's name, as registered")
    .requiredOption('--iin <iin>', 'your IIN')
    .requiredOption('--surname <surname>', 'your surname, as in your certificate or ID document')
    .requiredOption('--given-name <name>', 'your given name')
    .option('--patronymic <patronymic>', 'patronymic (отчество), if any')
    .option('--registration-extract <number>', 'number of the registration extract from the business registry that names you as the head')
    .option('--signed-with <p12>', 'prove who you are by signing with your own AUTH certificate (.p12): your individual one (then give --registration-extract), or one already carrying the first-head role')
    .option('--signed-with-password-file <file>', 'password file of the --signed-with .p12 (default: --password-file)')
    .option('--id-document <number>', 'without --signed-with: your ID card or passport number, for identity proofing by an operator')
    .addOption(new Option('--algorithm <algorithm>', 'key algorithm').choices(['ECDSA-P256', 'RSA-2048']).default('ECDSA-P256'))
    .requiredOption('--out <dir>', 'folder for your new keys, CSRs and the application id')
    .requiredOption('--password-file <file>', 'file whose first line is the password for your new keys and .p12 files (12+ characters)')
    .addOption(urlOption())
    .option('--yes', 'do not ask before applying (scripts)')
    .action(async (opts: ApplyOptions) => {
      // Loaded when used, so `qorgau --help` stays fast.
      const { createKeyRequest } = await import('../client/keygen.js');
      const base = opts.url.replace(/\/+$/, '');
      const password = await readPasswordFile(opts.passwordFile);
      let proof: string;
      let signer: { p12: Buffer; password: string } | undefined;
      if (opts.signedWith) {
        signer = { p12: await readInput(opts.signedWith, 'PKCS#12 file'), password: opts.signedWithPasswordFile ? await readPasswordFile(opts.signedWithPasswordFile) : password };
        const shows = headshipOf(signer.p12, signer.password, opts.bin);
        if (shows.iin !== opts.iin) throw AppError.unprocessable('APPLICATION_SIGNER_MISMATCH', `${opts.signedWith} names IIN ${shows.iin ?? '(none)'}, not ${opts.iin}: each person applies for their own pair`);
        if (shows.proves === 'identity' && !opts.registrationExtract) {
          throw AppError.unprocessable('HEADSHIP_PROOF_REQUIRED', `${opts.signedWith} proves who you are, not that you head ${opts.bin}: add --registration-extract <number>`);
        }
        proof = shows.proves === 'headship'
          ? `your certificate already carries the first-head role for ${opts.bin}: the pair is issued at once`
          : `your signature proves who you are; an operator checks registration extract ${opts.registrationExtract} in the business registry`;
      } else {
        if (!opts.registrationExtract || !opts.idDocument) {
          throw AppError.unprocessable('HEADSHIP_PROOF_REQUIRED', 'Give --signed-with <your auth.p12>, or both --id-document and --registration-extract (an operator then checks you and the extract)');
        }
        proof = `an operator checks your ID document and registration extract ${opts.registrationExtract}`;
      }
      await confirm(
        `You apply for a certificate pair naming you (IIN ${opts.iin}) as the first head of "${opts.organization}" (BIN ${opts.bin}).\n` +
          `Proof: ${proof}.\nYour keys are made here, in ${opts.out}, and never leave this machine.`,
        opts.yes,
        'Make the keys and apply?',
      );
      const person = { iin: opts.iin, surname: opts.surname, givenName: opts.givenName, patronymic: opts.patronymic, organization: opts.organization, bin: opts.bin };
      const { application } = await createKeyRequest({ dir: opts.out, person, idDocumentNumber: opts.idDocument, password, algorithm: opts.algorithm });
      const body = signer
        ? await signedHeadApplication({
            ...signer,
            iin: opts.iin,
            bin: opts.bin,
            organization: opts.organization,
            registrationExtract: opts.registrationExtract,
            authCsrPem: application.authCsr as string,
            signCsrPem: application.signCsr as string,
          })
        : { ...application, registrationExtract: opts.registrationExtract };
      const view = await send<{ id: string; status: string; reviewReason?: string }>(`${base}/v1/pki/applications${signer ? '/signed' : ''}`, { method: 'POST', body });
      await writeFile(path.join(opts.out, 'application-id.txt'), `${view.id}\n`);
      console.log(`application ${view.id}: ${view.status === 'issued' ? 'issued' : 'waiting for an operator to check the registration extract'}`);
      console.log(`next: qorgau keygen finish --dir ${opts.out} --password-file ${opts.passwordFile} --url ${base}${view.status === 'issued' ? '' : '   (once it is issued)'}`);
      console.log(`then: qorgau org head enrol --bin ${opts.bin} --name "${opts.organization}" --p12 ${path.join(opts.out, 'auth.p12')} --password-file ${opts.passwordFile} --url ${base}`);
    });

  head
    .command('enrol')
    .description('step 2: enrol your organization, signed in with your first-head AUTH certificate (auth.p12)')
    .requiredOption('--bin <bin>', "your organization's BIN")
    .requiredOption('--name <name>', "your organization's name")
    .requiredOption('--p12 <file>', 'your first-head AUTH .p12 (auth.p12 written by "qorgau keygen finish")')
    .requiredOption('--password-file <file>', 'file whose first line is the .p12 password')
    .addOption(urlOption())
    .option('--yes', 'do not ask before enrolling (scripts)')
    .action(async (opts: { bin: string; name: string; p12: string; passwordFile: string; url: string; yes?: boolean }) => {
      const session = await signedIn(opts);
      await confirm(
        `Signed in as ${session.displayName}. You enrol "${opts.name}" (BIN ${opts.bin}): you become its first employee record, as first head, and its employees' certificates then go through you and your HR.`,
        opts.yes,
        'Enrol it?',
      );
      const enrolled = await send<{ bin: string; name: string }>(`${session.url}/v1/orgs`, { method: 'POST', cookie: session.cookie, body: { bin: opts.bin, name: opts.name } });
      console.log(`organization ${enrolled.bin} (${enrolled.name}) enrolled`);
      console.log(`next: record an employee (PUT ${session.url}/v1/orgs/${opts.bin}/employees/<IIN>, or the portal's Organization page), then grant HR with`);
      console.log(`      qorgau org head grant-hr --bin ${opts.bin} --iin <IIN> --p12 ${opts.p12} --password-file ${opts.passwordFile} --url ${session.url}`);
    });

  head
    .command('grant-hr')
    .description("step 3: make a current employee (or yourself) HR; it takes effect at once, no new certificate needed (--remove takes it back)")
    .requiredOption('--bin <bin>', "your organization's BIN")
    .requiredOption('--iin <iin>', "the employee's IIN (your own to make yourself HR)")
    .requiredOption('--p12 <file>', 'your first-head AUTH .p12')
    .requiredOption('--password-file <file>', 'file whose first line is the .p12 password')
    .option('--remove', 'take the HR role away instead')
    .addOption(urlOption())
    .option('--yes', 'do not ask (scripts)')
    .action(async (opts: { bin: string; iin: string; p12: string; passwordFile: string; url: string; remove?: boolean; yes?: boolean }) => {
      const session = await signedIn(opts);
      const route = `${session.url}/v1/orgs/${opts.bin}/employees/${opts.iin}`;
      const record = await send<{ position: string; surname: string | null; givenName: string | null; employed: boolean; roles: { maySign: boolean; maySignFinancial: boolean; hr: boolean } }>(route, { method: 'GET', cookie: session.cookie });
      if (!record.employed) throw AppError.notFound('EMPLOYEE_NOT_EMPLOYED', `${opts.iin} is not employed by ${opts.bin} now: record the employment first (PUT /v1/orgs/${opts.bin}/employees/${opts.iin})`);
      const who = [record.surname, record.givenName].filter(Boolean).join(' ') || opts.iin;
      await confirm(
        opts.remove ? `${who} (${record.position}) will no longer be HR of ${opts.bin}.` : `${who} (${record.position}) becomes HR of ${opts.bin}: they may record employees, authorize their certificates and end employments. Their certificate stays as it is.`,
        opts.yes,
        'Go on?',
      );
      const { maySign, maySignFinancial } = record.roles;
      const updated = await send<{ roles: { hr: boolean } }>(route, { method: 'PUT', cookie: session.cookie, body: { position: record.position, roles: { maySign, maySignFinancial, hr: !opts.remove } } });
      console.log(`${who}: HR ${updated.roles.hr ? 'granted' : 'removed'}`);
    });
}
