import { Option, type Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { AppError } from '../errors/app-error.js';
import { CertificateInfo } from '../pkix/certificate.js';
import { readPkcs12, signerFromPrivateKey } from '../client/pkcs12.js';
import { signCms } from '../client/sign.js';
import { purposeOf } from '../features/trust/index.js';
import { requestTimeStamp } from '../client/time-stamp-client.js';

async function readInput(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw AppError.badRequest('FILE_NOT_FOUND', `Cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
}

/** The password is the file's first line, so it never shows in argv or the shell history. */
async function readPasswordFile(file: string): Promise<string> {
  const password = (await readInput(file, 'password file')).toString('utf8').split(/\r?\n/, 1)[0];
  if (!password) throw AppError.badRequest('PASSWORD_EMPTY', `The password file ${file} is empty`);
  return password;
}

interface SignOptions {
  p12: string;
  passwordFile: string;
  in: string;
  out: string;
  detached?: boolean;
  tsa?: string;
}

/** `qorgau sign`: CMS SignedData with a person's .p12, as the national CA's own clients make it; `qorgau verify` asks a server. */
export function registerSignCommands(program: Command): void {
  program
    .command('sign')
    .description(
      'sign a document with a PKCS#12 (.p12) key: CMS SignedData (DER) with SHA-256, signing-time and signing-certificate-v2; ' +
        'optionally detached and time-stamped. Reads modern (AES) and the national CA\'s legacy (3DES/RC2) .p12 files.',
    )
    .requiredOption('--p12 <file>', 'the signer\'s PKCS#12 file')
    .requiredOption('--password-file <file>', 'file whose first line is the .p12 password')
    .requiredOption('--in <file>', 'the document to sign')
    .requiredOption('--out <file>', 'where to write the signature (.p7s)')
    .option('--detached', 'leave the document out of the signature (the verifier needs both files)')
    .option('--tsa <url>', 'RFC 3161 time-stamp authority to stamp the signature, e.g. http://localhost:8080/pki/tsa')
    .action(async (opts: SignOptions) => {
      const p12 = readPkcs12(await readInput(opts.p12, 'PKCS#12 file'), await readPasswordFile(opts.passwordFile));
      const content = await readInput(opts.in, 'document');
      const certificate = CertificateInfo.parse(p12.certificate);
      const cms = await signCms({
        content,
        signer: signerFromPrivateKey(p12.privateKey),
        certificate: p12.certificate,
        chain: p12.chain.filter((der) => !CertificateInfo.parse(der).selfIssued),
        detached: opts.detached,
        timeStamp: opts.tsa ? (signature) => requestTimeStamp(opts.tsa!, signature) : undefined,
      });
      await writeFile(opts.out, cms);
      const purpose = purposeOf(certificate);
      process.stderr.write(
        `signed ${opts.in} (${content.length} bytes) as "${certificate.subject}" with its ${purpose} certificate` +
          `${opts.detached ? ', detached' : ''}${opts.tsa ? ', time-stamped' : ''}: ${opts.out} (${cms.length} bytes)\n` +
          (purpose === 'AUTH' ? 'note: an AUTH certificate signs sign-in challenges; documents are signed with the SIGN certificate\n' : ''),
      );
    });

  program
    .command('verify')
    .description(
      'verify a CMS signature with a Qorgau server (POST /v1/signatures/verify) and print its report; ' +
        'exit status 0 valid, 1 invalid or error, 3 indeterminate',
    )
    .requiredOption('--in <file>', 'the signature (.p7s, DER or PEM)')
    .option('--data <file>', 'the signed document, for a detached signature')
    .addOption(new Option('--url <url>', 'the Qorgau server').env('QORGAU_URL').default(process.env.QORGAU_PUBLIC_URL ?? 'http://localhost:8080'))
    .addOption(new Option('--server <url>', 'old name of --url').hideHelp())
    .action(async (opts: { in: string; data?: string; url: string; server?: string }) => {
      opts.server = opts.server ?? opts.url;
      const cms = await readInput(opts.in, 'signature');
      const body = {
        cms: cms.toString('latin1').includes('-----BEGIN ') ? cms.toString('latin1') : cms.toString('base64'),
        ...(opts.data ? { data: (await readInput(opts.data, 'document')).toString('base64') } : {}),
      };
      const url = `${opts.server!.replace(/\/+$/, '')}/v1/signatures/verify`;
      let response: Response;
      try {
        response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      } catch (err) {
        throw new AppError(503, 'SERVER_UNREACHABLE', `Cannot reach ${url}: ${(err as Error).message}`);
      }
      const answer = (await response.json().catch(() => ({}))) as { result?: string; code?: string; detail?: string };
      if (!response.ok) throw new AppError(response.status, answer.code ?? 'SERVER_ERROR', answer.detail ?? `${url} answered ${response.status}`);
      console.log(JSON.stringify(answer, null, 2));
      process.exitCode = answer.result === 'valid' ? 0 : answer.result === 'indeterminate' ? 3 : 1;
    });
}
