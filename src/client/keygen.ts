import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors/app-error.js';
import { checkIin } from '../identifiers/iin.js';
import { bufferSource } from '../der/bytes.js';
import { pkijs as pki } from '../pkix/pkijs-engine.js';
import type { KeyAlgorithm } from '../pkix/key-signer.js';
import { buildPkcs12 } from './pkcs12-writer.js';
import { personSubject, type PersonSubject } from '../pkix/names.js';
import { buildCsr, generateSubjectKeys } from './csr-builder.js';
import { assertStrongPassword } from './password-strength.js';

/**
 * `qorgau keygen` on the person's own machine: two key pairs (AUTH and SIGN) and their
 * CSRs; the private keys wait, encrypted with the person's password, until the
 * certificates are issued, and then go into two .p12 files under the same password.
 */
export const keygenFiles = (dir: string) => ({
  authKey: path.join(dir, 'auth.key.pem'),
  signKey: path.join(dir, 'sign.key.pem'),
  authCsr: path.join(dir, 'auth.csr.pem'),
  signCsr: path.join(dir, 'sign.csr.pem'),
  application: path.join(dir, 'application.json'),
  authP12: path.join(dir, 'auth.p12'),
  signP12: path.join(dir, 'sign.p12'),
});

export interface KeyRequestOptions {
  dir: string;
  person: PersonSubject;
  /** For identity proofing; left out when the application is signed with the person's own certificate. */
  idDocumentNumber?: string;
  password: string;
  algorithm?: KeyAlgorithm;
}

function personalInputs(person: PersonSubject, extra: string[] = []): string[] {
  return [person.iin, person.surname, person.givenName, person.patronymic ?? '', person.organization ?? '', person.bin ?? '', ...extra];
}

const pem = (der: Uint8Array, label: string) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;

async function writeEncryptedKey(file: string, key: CryptoKey, password: string): Promise<void> {
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const encrypted = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: password });
  await writeFile(file, encrypted, { mode: 0o600, flag: 'wx' });
}

/** Makes the keys and CSRs, and application.json: the body of POST /v1/pki/applications. */
export async function createKeyRequest(options: KeyRequestOptions): Promise<{ application: Record<string, unknown>; files: ReturnType<typeof keygenFiles> }> {
  const { dir, person } = options;
  const iin = checkIin(person.iin);
  if (!iin.ok) throw AppError.badRequest(iin.problem, iin.message);
  // Checked first: no key is made under a password that will be refused later.
  assertStrongPassword(options.password, personalInputs(person, options.idDocumentNumber ? [options.idDocumentNumber] : []));
  const files = keygenFiles(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (existsSync(files.authKey) || existsSync(files.signKey)) {
    throw AppError.conflict('KEYS_EXIST', `${dir} already holds keys; use another folder so no key is overwritten`);
  }
  const holder = person.bin ? 'employee' : 'individual';
  const subject = personSubject(holder, person);
  const authKeys = await generateSubjectKeys(options.algorithm);
  const signKeys = await generateSubjectKeys(options.algorithm);
  const authCsr = await buildCsr(authKeys, subject);
  const signCsr = await buildCsr(signKeys, subject);
  await writeEncryptedKey(files.authKey, authKeys.privateKey, options.password);
  await writeEncryptedKey(files.signKey, signKeys.privateKey, options.password);
  await writeFile(files.authCsr, pem(authCsr, 'CERTIFICATE REQUEST'));
  await writeFile(files.signCsr, pem(signCsr, 'CERTIFICATE REQUEST'));
  const application = {
    iin: person.iin,
    ...(options.idDocumentNumber ? { idDocumentNumber: options.idDocumentNumber } : {}),
    surname: person.surname,
    givenName: person.givenName,
    ...(person.patronymic ? { patronymic: person.patronymic } : {}),
    ...(holder === 'employee' ? { holder, organization: person.organization, bin: person.bin } : {}),
    authCsr: pem(authCsr, 'CERTIFICATE REQUEST'),
    signCsr: pem(signCsr, 'CERTIFICATE REQUEST'),
  };
  await writeFile(files.application, JSON.stringify(application, null, 2) + '\n');
  return { application, files };
}

export interface FinishOptions {
  dir: string;
  password: string;
  authCertificate: Buffer;
  signCertificate: Buffer;
  /** Issuing and root CA certificates to include. */
  chain?: Buffer[];
}

/** Decodes a certificate given as DER or PEM. */
export function certificateDer(data: Buffer): Buffer {
  const text = data.toString('latin1');
  const match = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(text);
  return match ? Buffer.from(match[1].replace(/\s+/g, ''), 'base64') : data;
}

async function privateKeyFor(file: string, password: string, certificate: Buffer, what: string): Promise<Buffer> {
  let key;
  try {
    key = createPrivateKey({ key: await readFile(file), format: 'pem', passphrase: password });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw AppError.notFound('KEYS_NOT_FOUND', `No ${path.basename(file)} here: run "qorgau keygen" first`);
    throw AppError.unprocessable('KEY_DECRYPT_FAILED', `The ${what} key could not be decrypted: use the password given to "qorgau keygen"`);
  }
  let certificateSpki: Buffer;
  try {
    certificateSpki = Buffer.from(pki.Certificate.fromBER(bufferSource(certificate)).subjectPublicKeyInfo.toSchema().toBER(false));
  } catch {
    throw AppError.badRequest('CERTIFICATE_MALFORMED', `The ${what} certificate is not a DER or PEM X.509 certificate`);
  }
  if (!createPublicKey(key).export({ type: 'spki', format: 'der' }).equals(certificateSpki)) {
    throw AppError.unprocessable('CERTIFICATE_KEY_MISMATCH', `The ${what} certificate is not for the ${what} key in this folder`);
  }
  return key.export({ type: 'pkcs8', format: 'der' });
}

/** Writes auth.p12 and sign.p12 under the password, then removes the waiting key files. */
export async function finishKeyRequest(options: FinishOptions): Promise<{ authP12: string; signP12: string }> {
  const files = keygenFiles(options.dir);
  assertStrongPassword(options.password);
  const auth = certificateDer(options.authCertificate);
  const sign = certificateDer(options.signCertificate);
  const authKey = await privateKeyFor(files.authKey, options.password, auth, 'AUTH');
  const signKey = await privateKeyFor(files.signKey, options.password, sign, 'SIGN');
  const chain = (options.chain ?? []).map(certificateDer);
  const subjectCn = pki.Certificate.fromBER(bufferSource(sign)).subject.typesAndValues.find((t) => t.type === '2.5.4.3')?.value.valueBlock.value ?? 'Qorgau';
  await writeFile(files.authP12, await buildPkcs12({ privateKeyPkcs8: authKey, certificate: auth, chain, password: options.password, name: `${subjectCn} AUTH` }), { mode: 0o600 });
  await writeFile(files.signP12, await buildPkcs12({ privateKeyPkcs8: signKey, certificate: sign, chain, password: options.password, name: `${subjectCn} SIGN` }), { mode: 0o600 });
  // One copy of each key, in its .p12: the waiting PEM files are no longer needed.
  await rm(files.authKey);
  await rm(files.signKey);
  return { authP12: files.authP12, signP12: files.signP12 };
}
