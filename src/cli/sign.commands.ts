import { Option, type Command } from 'commander';
import { topLevelCommand } from './commands.js';
import { writeFile } from 'node:fs/promises';
import { readInput, readPasswordFile, requestJson } from './http.js';

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
  topLevelCommand(program, 'sign')
    .requiredOption('--p12 <file>', 'the signer\'s PKCS#12 file')
    .requiredOption('--password-file <file>', 'file whose first line is the .p12 password')
    .requiredOption('--in <file>', 'the document to sign')
    .requiredOption('--out <file>', 'where to write the signature (.p7s)')
    .option('--detached', 'leave the document out of the signature (the verifier needs both files)')
    .option('--tsa <url>', 'RFC 3161 time-stamp authority to stamp the signature, e.g. http://localhost:8080/pki/tsa')
    .action(async (opts: SignOptions) => {
      // Loaded when used, so `qorgau --help` stays fast.
      const { CertificateInfo } = await import('../pkix/certificate.js');
      const { readPkcs12, signerFromPrivateKey } = await import('../client/pkcs12.js');
      const { signCms } = await import('../client/sign.js');
      const { purposeOf } = await import('../features/trust/index.js');
      const { requestTimeStamp } = await import('../client/time-stamp-client.js');
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

  topLevelCommand(program, 'verify')
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
      const answer = await requestJson<{ result?: string }>(url, { body });
      console.log(JSON.stringify(answer, null, 2));
      process.exitCode = answer.result === 'valid' ? 0 : answer.result === 'indeterminate' ? 3 : 1;
    });
}
