import { Option, type Command } from 'commander';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { AppError } from '../errors/app-error.js';
import { CertificateInfo } from '../pkix/certificate.js';
import { readPkcs12, signerFromPrivateKey } from '../client/pkcs12.js';
import { signCms } from '../client/sign.js';
import { purposeOf } from '../features/trust/index.js';
import { SESSION_COOKIE } from '../features/signin/index.js';

async function readInput(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw AppError.badRequest('FILE_NOT_FOUND', `Cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
}

interface LoginOptions {
  p12: string;
  passwordFile: string;
  url: string;
  save?: string;
}

/** What `qorgau login` saves: enough for a script to call /v1/me with the session. */
export interface SavedSession {
  url: string;
  cookie: string;
  sessionId: string;
  displayName: string;
  expiresAt: string;
}

async function call(fetcher: typeof fetch, url: string, body?: unknown): Promise<Response> {
  try {
    return await fetcher(url, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new AppError(503, 'SERVER_UNREACHABLE', `Cannot reach ${url}: ${(err as Error).message}`);
  }
}

async function refusal(response: Response): Promise<AppError> {
  const problem = (await response.json().catch(() => ({}))) as { code?: string; detail?: string };
  return new AppError(response.status, problem.code ?? 'HTTP_ERROR', problem.detail ?? `HTTP ${response.status}`);
}

/**
 * Signs in as the e-government portal does: asks for a nonce, signs it (CMS) with the AUTH
 * key of the .p12, and sends it back; the session comes back as a cookie.
 */
export async function login(options: { p12: Buffer; password: string; url: string; fetch?: typeof fetch }): Promise<SavedSession> {
  const fetcher = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  const p12 = readPkcs12(options.p12, options.password);
  const certificate = CertificateInfo.parse(p12.certificate);
  if (purposeOf(certificate) === 'SIGN') {
    throw AppError.badRequest('SIGNIN_WRONG_CERTIFICATE', 'This .p12 holds a SIGN certificate; sign in with your AUTH (authentication) certificate');
  }
  const challenge = await call(fetcher, `${base}/v1/auth/challenge`);
  if (!challenge.ok) throw await refusal(challenge);
  const { nonce } = (await challenge.json()) as { nonce: string };
  const cms = await signCms({
    content: Buffer.from(nonce, 'utf8'),
    signer: signerFromPrivateKey(p12.privateKey),
    certificate: p12.certificate,
    chain: p12.chain.filter((der) => !CertificateInfo.parse(der).selfIssued),
  });
  const signin = await call(fetcher, `${base}/v1/auth/signin`, { nonce, cms: cms.toString('base64') });
  if (!signin.ok) throw await refusal(signin);
  const session = (await signin.json()) as { sessionId: string; displayName: string; expiresAt: string };
  const cookie = (signin.headers.getSetCookie?.() ?? [signin.headers.get('set-cookie') ?? ''])
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new AppError(502, 'SESSION_COOKIE_MISSING', 'The server opened a session but sent no session cookie');
  return { url: base, cookie, sessionId: session.sessionId, displayName: session.displayName, expiresAt: session.expiresAt };
}

/** `qorgau login`: sign in with a .p12 and print or save the session. */
export function registerLoginCommands(program: Command): void {
  program
    .command('login')
    .description(
      'sign in to a Qorgau server with e-signature: signs a one-time challenge with the AUTH certificate of a PKCS#12 (.p12) file. ' +
        'Prints the session (JSON, with the Cookie header value to send) or saves it to a file readable only by you.',
    )
    .requiredOption('--p12 <file>', 'your PKCS#12 file with the AUTH (authentication) certificate')
    .requiredOption('--password-file <file>', 'file whose first line is the .p12 password')
    .addOption(new Option('--url <url>', 'the server, e.g. http://localhost:8080').env('QORGAU_URL').makeOptionMandatory())
    .option('--save <file>', 'write the session there (mode 0600) instead of printing it')
    .action(async (opts: LoginOptions) => {
      const password = (await readInput(opts.passwordFile, 'password file')).toString('utf8').split(/\r?\n/, 1)[0];
      if (!password) throw AppError.badRequest('PASSWORD_EMPTY', `The password file ${opts.passwordFile} is empty`);
      const session = await login({ p12: await readInput(opts.p12, 'PKCS#12 file'), password, url: opts.url });
      const text = JSON.stringify(session, null, 2) + '\n';
      if (opts.save) {
        await writeFile(opts.save, text, { mode: 0o600 });
        await chmod(opts.save, 0o600);
        process.stderr.write(`signed in as "${session.displayName}" until ${session.expiresAt}; session saved to ${opts.save}\n`);
      } else {
        process.stderr.write(`signed in as "${session.displayName}" until ${session.expiresAt}\n`);
        process.stdout.write(text);
      }
    });
}
