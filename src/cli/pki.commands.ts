import { Option, type Command } from 'commander';
import { topLevelCommand } from './commands.js';
import path from 'node:path';
import { initCa } from '../features/ca/index.js';
import type { KeyAlgorithm } from '../pkix/key-signer.js';
import { readPassphraseFile, ROLLOVER_ENTITIES, rollOver, type RolloverEntity } from '../features/ca/index.js';
import { AppError } from '../errors/app-error.js';
import { createKeyRequest, finishKeyRequest } from '../client/keygen.js';
import { readFile, writeFile } from 'node:fs/promises';
import { signedEmployeeApplication } from './employee-application.js';
import { request } from './http.js';

/** Reads a password file (first line); the password never appears in argv or the shell history. */
async function readPasswordFile(file: string): Promise<string> {
  try {
    return await readPassphraseFile(file);
  } catch (err) {
    if (err instanceof AppError) throw new AppError(err.kind, err.code.replace('PASSPHRASE', 'PASSWORD'), err.message.replace('passphrase', 'password'));
    throw err;
  }
}

/** Downloads the issued pair and the CA chain of an application. */
async function downloadIssued(server: string, applicationId: string) {
  const base = server.replace(/\/+$/, '');
  const view = (await (await request(`${base}/v1/pki/applications/${applicationId}`)).json()) as { status: string; decisionReason?: string; reviewReason?: string };
  if (view.status !== 'issued') {
    const why = view.status === 'rejected' ? `rejected: ${view.decisionReason}` : `waiting for review${view.reviewReason ? ` (${view.reviewReason})` : ''}`;
    throw new AppError('conflict', 'APPLICATION_NOT_ISSUED', `Application ${applicationId} is ${why}; run "qorgau keygen finish" again once it is issued`);
  }
  const get = async (url: string) => Buffer.from(await (await request(url)).arrayBuffer());
  return {
    auth: await get(`${base}/v1/pki/applications/${applicationId}/certificates/auth`),
    sign: await get(`${base}/v1/pki/applications/${applicationId}/certificates/sign`),
    chain: [await get(`${base}/pki/ca/issuing.cer`), await get(`${base}/pki/ca/root.cer`)],
  };
}

/** `qorgau ca ...` and `qorgau keygen`: the commands of the certification authority. */
export function registerPkiCommands(program: Command): void {
  const ca = topLevelCommand(program, 'ca');
  ca.command('init')
    .description('key ceremony: create the root CA, issuing CA, OCSP signer and TSA keys (encrypted at rest) and certificates, and a ceremony record')
    .requiredOption('--dir <dir>', 'folder for the keys, certificates and ceremony.json (must not hold a CA yet)')
    .requiredOption('--passphrase-file <file>', 'file whose first line is the passphrase encrypting the keys (12 characters or more)')
    .addOption(new Option('--algorithm <algorithm>', 'key algorithm of the CA keys').choices(['ECDSA-P256', 'RSA-2048']).default('ECDSA-P256'))
    .option('--pkcs11-library <path>', 'generate the keys on a PKCS#11 token with this module (e.g. /usr/lib/softhsm/libsofthsm2.so); the passphrase file then holds the user PIN')
    .option('--pkcs11-token <label>', 'label of the PKCS#11 token')
    .option('--public-url <url>', 'base URL written into CRL, OCSP and CA-issuer URLs, e.g. https://qorgau.kz (default: QORGAU_PUBLIC_URL)')
    .action(async (opts: { dir: string; passphraseFile: string; algorithm: KeyAlgorithm; publicUrl?: string; pkcs11Library?: string; pkcs11Token?: string }) => {
      if (!!opts.pkcs11Library !== !!opts.pkcs11Token) throw AppError.badRequest('PKCS11_OPTIONS', 'Give both --pkcs11-library and --pkcs11-token, or neither');
      const passphrase = await readPassphraseFile(opts.passphraseFile);
      // The URL is written into every certificate for years: it is never guessed.
      const publicUrl = opts.publicUrl ?? process.env.QORGAU_PUBLIC_URL;
      if (!publicUrl || !/^https?:\/\/[^/]+/.test(publicUrl)) {
        throw AppError.badRequest('PUBLIC_URL_REQUIRED', 'Give --public-url (or QORGAU_PUBLIC_URL): the base URL written into the CRL, OCSP and CA-issuer URLs');
      }
      const pkcs11 = opts.pkcs11Library ? { library: opts.pkcs11Library, tokenLabel: opts.pkcs11Token! } : undefined;
      const record = await initCa({ dir: opts.dir, passphrase, algorithm: opts.algorithm, publicUrl, pkcs11 });
      for (const e of record.entities) console.log(`${e.name.padEnd(12)} ${e.subject}\n${''.padEnd(12)} serial ${e.serial}  SHA-256 ${e.sha256Fingerprint}`);
      console.log(`ceremony record: ${path.join(opts.dir, 'ceremony.json')}`);
    });

  ca.command('rollover <entity>')
    .description('renew the OCSP signer\'s or the TSA\'s key and certificate before they expire (entity: ocsp-signer or tsa); the old ones are kept as <name>.<serial>.retired.*; restart the servers to use the new one')
    .requiredOption('--dir <dir>', 'the CA folder made by "qorgau ca init"')
    .requiredOption('--passphrase-file <file>', 'file whose first line is the passphrase of the CA keys')
    .action(async (entity: string, opts: { dir: string; passphraseFile: string }) => {
      if (!(entity in ROLLOVER_ENTITIES)) throw AppError.badRequest('ROLLOVER_ENTITY_UNKNOWN', `Roll over ocsp-signer or tsa, not "${entity}"`);
      const result = await rollOver({ dir: opts.dir, passphrase: await readPassphraseFile(opts.passphraseFile), entity: entity as RolloverEntity });
      console.log(`${entity}: new certificate serial ${result.serial}, valid until ${result.notAfter.toISOString()}; the old one is kept as ${result.retired}`);
    });

  const keygen = topLevelCommand(program, 'keygen');
  keygen
    .command('request', { isDefault: true })
    .description('generate two key pairs and their CSRs (the keys never leave this machine); optionally submit the application')
    .requiredOption('--iin <iin>', 'your IIN')
    .requiredOption('--surname <surname>', 'surname, as in your ID document')
    .requiredOption('--given-name <name>', 'given name')
    .option('--patronymic <patronymic>', 'patronymic (отчество), if any')
    .option('--id-document <number>', 'number of your ID card or passport (identity proofing; not needed with --signed-with)')
    .option('--organization <name>', 'employee certificates: organization name (the certificate carries the name it is enrolled under)')
    .option('--bin <bin>', 'employee certificates: organization BIN; its HR must first authorize your pair (qorgau org authorize, or POST .../certificate-authorizations)')
    .option('--signed-with <p12>', 'employee certificates: prove who you are by signing the application with your own individual AUTH certificate (.p12, Qorgau\'s or the national CA\'s)')
    .option('--signed-with-password-file <file>', 'password file of the --signed-with .p12 (default: --password-file)')
    .addOption(new Option('--algorithm <algorithm>', 'key algorithm').choices(['ECDSA-P256', 'RSA-2048']).default('ECDSA-P256'))
    .requiredOption('--out <dir>', 'folder for the keys, CSRs and application.json')
    .requiredOption('--password-file <file>', 'file whose first line is the password for your keys and .p12 files (12+ characters, hard to guess)')
    .addOption(new Option('--url <url>', 'submit the application to this Qorgau server (e.g. https://qorgau.kz)').env('QORGAU_URL'))
    .addOption(new Option('--submit <url>', 'old name of --url').hideHelp())
    .action(async (opts: {
      iin: string; surname: string; givenName: string; patronymic?: string; idDocument?: string; organization?: string; bin?: string; algorithm: KeyAlgorithm; out: string;
      passwordFile: string; url?: string; submit?: string; signedWith?: string; signedWithPasswordFile?: string;
    }) => {
      opts.submit = opts.submit ?? opts.url;
      if (opts.signedWith && !opts.bin) throw AppError.badRequest('BIN_REQUIRED', '--signed-with applies for an employee pair: give --bin (and --organization) of the organization that authorized it');
      if (!opts.signedWith && !opts.idDocument) {
        throw AppError.badRequest('ID_DOCUMENT_REQUIRED', 'Give --id-document <number> for identity proofing, or (employee pairs) --signed-with <your individual auth.p12>');
      }
      const password = await readPasswordFile(opts.passwordFile);
      const person = { iin: opts.iin, surname: opts.surname, givenName: opts.givenName, patronymic: opts.patronymic, organization: opts.organization ?? (opts.bin ? `BIN ${opts.bin}` : undefined), bin: opts.bin };
      const { application, files } = await createKeyRequest({ dir: opts.out, person, idDocumentNumber: opts.idDocument, password, algorithm: opts.algorithm });
      console.log(`keys (encrypted with your password): ${files.authKey}, ${files.signKey}`);
      console.log(`CSRs: ${files.authCsr}, ${files.signCsr}`);
      const signed = opts.signedWith
        ? await signedEmployeeApplication({
            p12: await readFile(opts.signedWith),
            password: opts.signedWithPasswordFile ? await readPasswordFile(opts.signedWithPasswordFile) : password,
            iin: opts.iin,
            bin: opts.bin!,
            authCsrPem: application.authCsr as string,
            signCsrPem: application.signCsr as string,
          })
        : undefined;
      if (signed) await writeFile(path.join(opts.out, 'signed-application.json'), JSON.stringify(signed) + '\n');
      const route = signed ? '/v1/pki/applications/signed' : '/v1/pki/applications';
      if (!opts.submit) {
        console.log(`application: ${signed ? path.join(opts.out, 'signed-application.json') : files.application} (POST it to ${route})`);
        return;
      }
      const response = await request(`${opts.submit.replace(/\/+$/, '')}${route}`, { body: signed ?? application });
      const view = (await response.json()) as { id: string; status: string; reviewReason?: string };
      await writeFile(path.join(opts.out, 'application-id.txt'), `${view.id}\n`);
      console.log(`application ${view.id}: ${view.status}${view.reviewReason ? ` (${view.reviewReason})` : ''}`);
      console.log(`next: qorgau keygen finish --dir ${opts.out} --password-file ${opts.passwordFile} --url ${opts.submit}`);
    });
  keygen
    .command('finish')
    .description('after issuance: write auth.p12 and sign.p12, protected by your password')
    .requiredOption('--dir <dir>', 'the folder given to "qorgau keygen --out"')
    .requiredOption('--password-file <file>', 'the same password file')
    .addOption(new Option('--url <url>', 'download the certificates of the submitted application from this server').env('QORGAU_URL'))
    .addOption(new Option('--server <url>', 'old name of --url').hideHelp())
    .option('--application <id>', 'application id (default: application-id.txt in the folder)')
    .option('--auth-cert <file>', 'the issued AUTH certificate (DER or PEM), instead of --url')
    .option('--sign-cert <file>', 'the issued SIGN certificate (DER or PEM), instead of --url')
    .action(async (opts: { dir: string; passwordFile: string; url?: string; server?: string; application?: string; authCert?: string; signCert?: string }) => {
      opts.server = opts.server ?? opts.url;
      const password = await readPasswordFile(opts.passwordFile);
      let certificates: { auth: Buffer; sign: Buffer; chain: Buffer[] };
      if (opts.server) {
        const id = opts.application ?? (await readFile(path.join(opts.dir, 'application-id.txt'), 'utf8').catch(() => '')).trim();
        if (!id) throw AppError.badRequest('APPLICATION_ID_REQUIRED', 'Give --application <id> (no application-id.txt in the folder)');
        certificates = await downloadIssued(opts.server, id);
      } else if (opts.authCert && opts.signCert) {
        certificates = { auth: await readFile(opts.authCert), sign: await readFile(opts.signCert), chain: [] };
      } else {
        throw AppError.badRequest('CERTIFICATES_REQUIRED', 'Give --url <server>, or both --auth-cert and --sign-cert');
      }
      const written = await finishKeyRequest({ dir: opts.dir, password, authCertificate: certificates.auth, signCertificate: certificates.sign, chain: certificates.chain });
      console.log(`written: ${written.authP12}, ${written.signP12} (open them with your password)`);
    });
}
