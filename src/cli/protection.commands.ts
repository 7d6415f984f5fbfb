import { Option, type Command } from 'commander';
import { topLevelCommand } from './commands.js';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { AppError } from '../errors/app-error.js';
import { CertificateInfo } from '../pkix/certificate.js';
import { readPkcs12, signerFromPrivateKey } from '../client/pkcs12.js';
import { signCms } from '../client/sign.js';
import { canonicalJson, purposeOf, signerIdentityOf } from '../features/trust/index.js';
import type { SavedSession } from './login.commands.js';
import { readInput, readPasswordFile, requestJson } from './http.js';

/**
 * A person's own protection from the command line: `qorgau protection place|lift|cancel|show`
 * and `qorgau me ...`. The request is built here, shown in plain words, signed with the
 * person's SIGN key from their .p12 and sent with the session saved by `qorgau login --save`.
 */
interface SessionOptions {
  session: string;
}

interface SigningOptions extends SessionOptions {
  p12: string;
  passwordFile: string;
  yes?: boolean;
  out?: string;
}

async function loadSession(file: string): Promise<SavedSession> {
  const text = (await readInput(file, 'session file')).toString('utf8');
  try {
    const session = JSON.parse(text) as SavedSession;
    if (!session.url || !session.cookie) throw new Error('shape');
    return session;
  } catch {
    throw AppError.badRequest('SESSION_FILE_INVALID', `${file} is not a saved session: make one with "qorgau login --p12 auth.p12 --password-file F --url URL --save ${file}"`);
  }
}

function callAsPerson<T>(session: SavedSession, route: string, body?: unknown): Promise<T> {
  return requestJson<T>(`${session.url}${route}`, { body, cookie: session.cookie, unauthorizedHint: ' (sign in again with "qorgau login ... --save FILE")' });
}

/** Builds, shows, signs (SIGN key) and sends one request; the signed document can be kept with --out. */
async function signAndSend<T>(opts: SigningOptions, route: string, build: (iin: string) => Record<string, unknown>, describe: (doc: Record<string, unknown>) => string): Promise<T> {
  const session = await loadSession(opts.session);
  const password = await readPasswordFile(opts.passwordFile);
  const p12 = readPkcs12(await readInput(opts.p12, 'PKCS#12 file'), password);
  const certificate = CertificateInfo.parse(p12.certificate);
  if (purposeOf(certificate) !== 'SIGN') {
    throw AppError.badRequest('WRONG_CERTIFICATE', 'Requests that change your protection are signed with your SIGN certificate: give the SIGN .p12 (sign.p12), not the AUTH one');
  }
  const iin = signerIdentityOf(certificate).iin?.value;
  if (!iin) throw AppError.badRequest('CERTIFICATE_NO_IIN', 'This certificate names no IIN: use your own individual SIGN certificate');
  const document = { ...build(iin), iin, issuedAt: new Date().toISOString(), nonce: randomBytes(16).toString('base64url') };
  process.stderr.write(`${describe(document)}\nYou are signing this request:\n${canonicalJson(document)}\n`);
  if (!opts.yes) {
    if (!process.stdin.isTTY) throw AppError.badRequest('CONFIRMATION_REQUIRED', 'Nothing was signed: add --yes to sign without being asked');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question('Sign and send it? [y/N] ');
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) throw AppError.badRequest('NOT_CONFIRMED', 'Nothing was signed or sent');
  }
  const cms = await signCms({
    content: Buffer.from(canonicalJson(document), 'utf8'),
    signer: signerFromPrivateKey(p12.privateKey),
    certificate: p12.certificate,
    chain: p12.chain.filter((der) => !CertificateInfo.parse(der).selfIssued),
  });
  if (opts.out) await writeFile(opts.out, cms);
  return callAsPerson<T>(session, route, { document: cms.toString('base64') });
}

const sessionOption = () => new Option('--session <file>', 'the session saved by "qorgau login --save FILE"').env('QORGAU_SESSION_FILE').makeOptionMandatory();

function signingCommand(command: Command): Command {
  return command
    .addOption(sessionOption())
    .requiredOption('--p12 <file>', 'your SIGN .p12 (sign.p12)')
    .requiredOption('--password-file <file>', 'file whose first line is the .p12 password')
    .option('--out <file>', 'also keep the signed request (CMS, DER) in this file')
    .option('--yes', 'sign without asking (scripts)');
}

const list = (values: string, allowed: string[], what: string) => {
  const items = values.split(',').map((v) => v.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item)) throw AppError.badRequest('OPTION_INVALID', `${what} must be among ${allowed.join(', ')}; got ${item}`);
  return [...new Set(items)];
};

interface Restriction {
  id: string;
  kind: string;
  products: string[];
  channels: string[];
  since: string;
  until: string | null;
  inForce?: boolean;
  reason: string;
}
interface Lift {
  id: string;
  restrictionId: string | null;
  scope: string;
  status: string;
  effectiveAt?: string;
}

export function registerProtectionCommands(program: Command): void {
  const protection = topLevelCommand(program, 'protection');

  protection
    .command('show')
    .description('your restrictions and lifts')
    .addOption(sessionOption())
    .option('--json', 'print JSON')
    .action(async (opts: SessionOptions & { json?: boolean }) => {
      const session = await loadSession(opts.session);
      const restrictions = await callAsPerson<Restriction[]>(session, '/v1/me/restrictions');
      const lifts = await callAsPerson<Lift[]>(session, '/v1/me/lifts');
      if (opts.json) return console.log(JSON.stringify({ restrictions, lifts }, null, 2));
      console.log(restrictions.length ? 'Restrictions:' : 'You have no restrictions.');
      for (const r of restrictions) {
        console.log(`  ${r.id}\t${r.inForce === false ? 'not in force' : 'in force'}\t${r.kind}\t${r.products.join('+')}\t${r.channels.join('+')}\tsince ${r.since}${r.until ? ` until ${r.until}` : ''}\t${r.reason}`);
      }
      if (lifts.length) console.log('Lifts:');
      for (const l of lifts) console.log(`  ${l.id}\t${l.status}\t${l.scope}\t${l.restrictionId ?? 'all restrictions'}${l.effectiveAt ? `\teffective ${l.effectiveAt}` : ''}`);
    });

  signingCommand(
    protection
      .command('place')
      .description('place a voluntary restriction: no lender may give you a loan or microcredit until you lift it')
      .option('--products <list>', 'bank_loan, microcredit or both', 'bank_loan,microcredit')
      .option('--channels <list>', 'online, in_person or both', 'online,in_person'),
  ).action(async (opts: SigningOptions & { products: string; channels: string }) => {
    const products = list(opts.products, ['bank_loan', 'microcredit'], '--products');
    const channels = list(opts.channels, ['online', 'in_person'], '--channels');
    const placed = await signAndSend<{ restriction: Restriction; documentId: string }>(
      opts,
      '/v1/me/restrictions',
      () => ({ action: 'restriction.place', products, channels }),
      () => `Place a restriction: lenders may not give you ${products.join(' or ')} (${channels.join(' or ')}) until you lift it.`,
    );
    console.log(`restriction ${placed.restriction.id} placed; your signed request is document ${placed.documentId}`);
  });

  signingCommand(
    protection
      .command('lift [restriction-id]')
      .description('lift a restriction (or all, without an id): entirely, until a date, or for one lender for some hours; it takes effect after the cooling-off')
      .addOption(new Option('--scope <scope>', 'entire: for good; until: until --until; lender: for --lender during --hours').choices(['entire', 'until', 'lender']).default('entire'))
      .option('--until <date>', 'with --scope until: the date (YYYY-MM-DD) the restriction comes back')
      .option('--lender <bin>', 'with --scope lender: the lender BIN')
      .option('--hours <n>', 'with --scope lender: how many hours the lender may lend', (v) => Number.parseInt(v, 10)),
  ).action(async (restrictionId: string | undefined, opts: SigningOptions & { scope: string; until?: string; lender?: string; hours?: number }) => {
    if (opts.scope === 'until' && !opts.until) throw AppError.badRequest('OPTION_MISSING', '--scope until needs --until YYYY-MM-DD');
    if (opts.scope === 'lender' && (!opts.lender || !opts.hours)) throw AppError.badRequest('OPTION_MISSING', '--scope lender needs --lender BIN and --hours N');
    const extra = opts.scope === 'until' ? { until: opts.until } : opts.scope === 'lender' ? { lenderBin: opts.lender, hours: opts.hours } : {};
    const what = restrictionId ? `restriction ${restrictionId}` : 'all your restrictions';
    const how = opts.scope === 'entire' ? 'for good' : opts.scope === 'until' ? `until ${opts.until}` : `for lender ${opts.lender} during ${opts.hours} hours`;
    const lift = await signAndSend<Lift>(
      opts,
      '/v1/me/lifts',
      () => ({ action: 'restriction.lift', restrictionId: restrictionId ?? null, scope: opts.scope, ...extra }),
      () => `Lift ${what} ${how}. It takes effect after the cooling-off; until then you can cancel it.`,
    );
    console.log(`lift ${lift.id} requested (${lift.status})${lift.effectiveAt ? `; takes effect at ${lift.effectiveAt}` : ''}; cancel it with "qorgau protection cancel ${lift.id}"`);
  });

  protection
    .command('cancel <lift-id>')
    .description('cancel a lift during its cooling-off: your protection stays')
    .addOption(sessionOption())
    .action(async (liftId: string, opts: SessionOptions) => {
      const lift = await callAsPerson<Lift>(await loadSession(opts.session), `/v1/me/lifts/${encodeURIComponent(liftId)}/cancel`, {});
      console.log(`lift ${lift.id} ${lift.status}: your protection stays`);
    });

  const me = topLevelCommand(program, 'me');
  for (const [name, route, description] of [
    ['breaches', '/v1/me/breaches', 'published breaches that include your data'],
    ['inquiries', '/v1/me/inquiries', 'every lender check of your IIN: who, when, for what, and the answer'],
    ['documents', '/v1/me/documents', 'the requests you signed, kept as evidence'],
  ] as const) {
    me.command(name)
      .description(description)
      .addOption(sessionOption())
      .action(async (opts: SessionOptions) => {
        console.log(JSON.stringify(await callAsPerson(await loadSession(opts.session), route), null, 2));
      });
  }
}
