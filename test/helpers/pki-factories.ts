import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { buildBin, buildIin } from './factories.js';
import { personSubject, type PersonSubject } from '../../src/features/ca/index.js';
import { buildCsr, generateSubjectKeys } from '../../src/client/csr-builder.js';

const execFileAsync = promisify(execFile);

/** A fresh temp folder for one test's files. */
export function tempDir(prefix = 'qorgau-pki-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes bytes into `dir` and returns the path, for handing to the openssl binary. */
export function writeTemp(dir: string, name: string, data: string | Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return file;
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

/** Runs the real OpenSSL; resolves with its output and exit code instead of throwing, so tests can assert failures. */
export async function openssl(args: string[], options: { input?: string | Buffer } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const child = execFileAsync('/usr/bin/openssl', args, { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (options.input !== undefined) {
      child.child.stdin?.end(options.input);
    }
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}

// --- Subjects and keys -------------------------------------------------------------

let personSequence = 0;
/** A person with a random valid IIN (and a BIN for employees); names in Kazakh as people write them. */
export function buildPerson(overrides: Partial<PersonSubject> = {}): PersonSubject {
  personSequence++;
  return {
    iin: buildIin(),
    surname: 'Сәрсенбаев',
    givenName: `Ерлан${personSequence}`,
    patronymic: 'Қайратұлы',
    ...overrides,
  };
}

export function buildEmployee(overrides: Partial<PersonSubject> = {}): PersonSubject {
  return buildPerson({ organization: 'ТОО «Qorgau Test»', bin: buildBin(), ...overrides });
}

/** A subject key pair; the SPKI as DER, as a CSR or the certificate carries it. */
export function buildSubjectKey(algorithm: 'ECDSA-P256' | 'RSA-2048' | 'ECDSA-P384' = 'ECDSA-P256'): { privateKey: KeyObject; spki: Buffer } {
  const { privateKey, publicKey } =
    algorithm === 'RSA-2048'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: algorithm === 'ECDSA-P384' ? 'P-384' : 'P-256' });
  return { privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
}

/** A CSR pair (AUTH and SIGN keys) naming the person, as `qorgau keygen` makes them. */
export async function buildCsrPair(person: PersonSubject, algorithm: 'ECDSA-P256' | 'RSA-2048' = 'ECDSA-P256') {
  const subject = personSubject(person.bin ? 'employee' : 'individual', person);
  const authKeys = await generateSubjectKeys(algorithm);
  const signKeys = await generateSubjectKeys(algorithm);
  return { authKeys, signKeys, authCsr: await buildCsr(authKeys, subject), signCsr: await buildCsr(signKeys, subject) };
}

/** The JSON body of POST /v1/pki/applications for a person and their CSRs. */
export function applicationBody(person: PersonSubject, csrs: { authCsr: Buffer; signCsr: Buffer }, overrides: Record<string, unknown> = {}) {
  return {
    iin: person.iin,
    idDocumentNumber: '045123456',
    surname: person.surname,
    givenName: person.givenName,
    patronymic: person.patronymic,
    ...(person.bin ? { holder: 'employee', organization: person.organization, bin: person.bin } : {}),
    authCsr: toPem(csrs.authCsr, 'CERTIFICATE REQUEST'),
    signCsr: csrs.signCsr.toString('base64'),
    ...overrides,
  };
}

// --- Remote identity proofing ----------------------------------------------------

/** Bytes a JPEG reader recognizes (SOI marker), with random content so that no two frames are alike. */
export function buildJpeg(size = 2048): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(size), Buffer.from([0xff, 0xd9])]);
}

/** The body of POST /v1/pki/applications/{id}/capture answering a challenge, with fresh pictures. */
export function captureBody(challenge: { prompts: string[]; code: string }) {
  return {
    code: challenge.code,
    idPhoto: buildJpeg(4096).toString('base64'),
    frames: challenge.prompts.map((prompt) => ({ prompt, image: buildJpeg().toString('base64') })),
  };
}

/** Asks for a liveness challenge and answers it, as the portal does with the camera (with the secret the submission returned). */
export async function giveCapture(app: { inject: (o: object) => Promise<{ statusCode: number; body: string; json: () => any }> }, applicationId: string, captureSecret: string) {
  const headers = { 'qorgau-capture-secret': captureSecret };
  const challenge = await app.inject({ method: 'POST', url: `/v1/pki/applications/${applicationId}/liveness-challenge`, headers });
  if (challenge.statusCode !== 201) throw new Error(`liveness challenge: ${challenge.statusCode} ${challenge.body}`);
  const body = captureBody(challenge.json());
  const capture = await app.inject({ method: 'POST', url: `/v1/pki/applications/${applicationId}/capture`, headers, payload: body });
  if (capture.statusCode !== 201) throw new Error(`capture: ${capture.statusCode} ${capture.body}`);
  return body;
}
