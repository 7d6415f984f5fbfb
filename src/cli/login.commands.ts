import { Option, type Command } from 'commander';
import { topLevelCommand } from './commands.js';
import { chmod, writeFile } from 'node:fs/promises';
import { AppError } from '../errors/app-error.js';
import { readInput, readPasswordFile, request, requestJson } from './http.js';

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

/**
 * Signs in as the e-government portal does: asks for a nonce, signs it (CMS) with the AUTH
 * key of the .p12, and sends it back; the session comes back as a cookie.
 */
export async function login(options: { p12: Buffer; password: string; url: string; fetch?: typeof fetch }): Promise<SavedSession> {
  // Loaded when used, so `qorgau --help` stays fast.
  const { CertificateInfo } = await import('../pkix/certificate.js');
  const { readPkcs12, signerFromPrivateKey } = await import('../client/pkcs12.js');
  const { signCms } = await import('../client/sign.js');
  const { purposeOf } = await import('../features/trust/index.js');
  const { SESSION_COOKIE } = await import('../features/signin/index.js');
  const fetcher = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  const p12 = readPkcs12(options.p12, options.password);
  const certificate = CertificateInfo.parse(p12.certificate);
  if (purposeOf(certificate) === 'SIGN') {
    throw AppError.badRequest('SIGNIN_WRONG_CERTIFICATE', 'This .p12 holds a SIGN certificate; sign in with your AUTH (authentication) certificate');
  }
  const { nonce } = await requestJson<{ nonce: string }>(`${base}/v1/auth/challenge`, { method: 'POST', fetch: fetcher });
  const cms = await signCms({
    content: Buffer.from(nonce, 'utf8'),
    signer: signerFromPrivateKey(p12.privateKey),
    certificate: p12.certificate,
    chain: p12.chain.filter((der) => !CertificateInfo.parse(der).selfIssued),
  });
  const signin = await request(`${base}/v1/auth/signin`, { body: { nonce, cms: cms.toString('base64') }, fetch: fetcher });
  const session = (await signin.json()) as { sessionId: string; displayName: string; expiresAt: string };
  const cookie = (signin.headers.getSetCookie?.() ?? [signin.headers.get('set-cookie') ?? ''])
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!cookie) throw new AppError('upstream', 'SESSION_COOKIE_MISSING', 'The server opened a session but sent no session cookie');
  return { url: base, cookie, sessionId: session.sessionId, displayName: session.displayName, expiresAt: session.expiresAt };
}

/** `qorgau login`: sign in with a .p12 and print or save the session. */
export function registerLoginCommands(program: Command): void {
  topLevelCommand(program, 'login')
    .requiredOption('--p12 <file>', 'your PKCS#12 file with the AUTH (authentication) certificate')
    .requiredOption('--password-file <file>', 'file whose first line is the .p12 password')
    .addOption(new Option('--url <url>', 'the server, e.g. http://localhost:8080').env('QORGAU_URL').makeOptionMandatory())
    .option('--save <file>', 'write the session there (mode 0600) instead of printing it')
    .action(async (opts: LoginOptions) => {
      const password = await readPasswordFile(opts.passwordFile);
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
