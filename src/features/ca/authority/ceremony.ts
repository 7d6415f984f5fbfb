import 'reflect-metadata';
import { X509Certificate } from '@peculiar/x509';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../../errors/app-error.js';
import type { KeyAlgorithm, KeySigner } from '../../../pkix/key-signer.js';
import { EncryptedFileSigner, readPassphraseFile } from '../keys/encrypted-file-signer.js';
import { Pkcs11Signer } from '../keys/pkcs11-signer.js';
import { PROFILES, type Profile } from '../profiles.js';
import { signWithProfile, type SignedCertificate } from './certificate-authority.js';
import type { CaEntity, CaHierarchy } from './hierarchy.js';

/** The entities of a hierarchy, in the order the ceremony creates them. */
const ENTITIES = [
  { key: 'root', name: 'root', profile: PROFILES['root-ca'], commonName: 'Qorgau Root CA', issuedBy: null },
  { key: 'issuing', name: 'issuing', profile: PROFILES['issuing-ca'], commonName: 'Qorgau Issuing CA', issuedBy: 'root' },
  { key: 'ocspSigner', name: 'ocsp-signer', profile: PROFILES['ocsp-signer'], commonName: 'Qorgau OCSP Responder', issuedBy: 'issuing' },
  { key: 'tsa', name: 'tsa', profile: PROFILES.tsa, commonName: 'Qorgau Time-Stamping Authority', issuedBy: 'issuing' },
] as const satisfies readonly { key: keyof CaHierarchy; name: string; profile: Profile; commonName: string; issuedBy: string | null }[];

export const CEREMONY_FILE = 'ceremony.json';

export const caFiles = (dir: string, name: string) => ({
  key: path.join(dir, `${name}.key.pem`),
  der: path.join(dir, `${name}.cer`),
  pem: path.join(dir, `${name}.pem`),
});

export interface CeremonyRecord {
  what: 'qorgau ca init';
  version: 1;
  startedAt: string;
  finishedAt: string;
  host: string;
  operator: string;
  algorithm: KeyAlgorithm;
  publicUrl: string;
  /** Where the keys are: encrypted files beside the certificates, or a PKCS#11 token. */
  keyStorage: KeyStorage;
  steps: { at: string; action: string; entity: string; detail: string }[];
  entities: {
    name: string;
    profile: string;
    subject: string;
    issuer: string;
    serial: string;
    notBefore: string;
    notAfter: string;
    /** The key file, or the key's CKA_LABEL on the token. */
    keyFile: string;
    certificateFile: string;
    sha256Fingerprint: string;
    publicKeySha256: string;
  }[];
}

export type KeyStorage =
  | { kind: 'encrypted-file'; format: 'encrypted PKCS#8 (PBES2, PBKDF2/HMAC-SHA-256, AES-256-CBC)' }
  | { kind: 'pkcs11'; library: string; tokenLabel: string };

/** The CKA_LABEL of an entity's key on a token. */
const tokenKeyLabel = (name: string) => `qorgau-${name}`;

export interface CaInitOptions {
  dir: string;
  /** Encrypts the key files; with `pkcs11`, it is the token's user PIN. */
  passphrase: string;
  /** Generate the keys on a PKCS#11 token (an HSM) instead of in encrypted files. */
  pkcs11?: { library: string; tokenLabel: string };
  algorithm?: KeyAlgorithm;
  publicUrl: string;
  now?: Date;
}

function pem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

const fingerprint = (der: Buffer) => createHash('sha256').update(der).digest('hex').replace(/(..)(?!$)/g, '$1:').toUpperCase();

/**
 * The key ceremony: four keys generated and encrypted at rest (or on a PKCS#11 token), the root self-signed,
 * the issuing CA signed by the root, the OCSP signer and the TSA signed by the issuing
 * CA, and a record of every step with fingerprints. Refuses to touch an existing hierarchy.
 */
export async function initCa(options: CaInitOptions): Promise<CeremonyRecord> {
  const { dir, passphrase, publicUrl } = options;
  const algorithm = options.algorithm ?? 'ECDSA-P256';
  if (passphrase.length < 12 && !options.pkcs11) throw AppError.badRequest('PASSPHRASE_TOO_SHORT', 'The CA key passphrase must be at least 12 characters');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (existsSync(path.join(dir, CEREMONY_FILE)) || ENTITIES.some((e) => existsSync(caFiles(dir, e.name).key))) {
    throw AppError.conflict('CA_ALREADY_INITIALIZED', `${dir} already holds a CA hierarchy; the ceremony never overwrites keys`);
  }
  const startedAt = new Date().toISOString();
  const steps: CeremonyRecord['steps'] = [];
  const step = (action: string, entity: string, detail: string) => steps.push({ at: new Date().toISOString(), action, entity, detail });
  const entities: Partial<Record<string, CaEntity>> = {};
  const record: CeremonyRecord['entities'] = [];

  const keyStorage: KeyStorage = options.pkcs11
    ? { kind: 'pkcs11', ...options.pkcs11 }
    : { kind: 'encrypted-file', format: 'encrypted PKCS#8 (PBES2, PBKDF2/HMAC-SHA-256, AES-256-CBC)' };

  for (const spec of ENTITIES) {
    const files = caFiles(dir, spec.name);
    let signer: KeySigner;
    let where: string;
    if (options.pkcs11) {
      signer = Pkcs11Signer.generate({ ...options.pkcs11, pin: passphrase, keyLabel: tokenKeyLabel(spec.name) }, algorithm);
      where = `on PKCS#11 token "${options.pkcs11.tokenLabel}" as ${tokenKeyLabel(spec.name)} (never extractable)`;
    } else {
      signer = await EncryptedFileSigner.generate(files.key, passphrase, algorithm);
      where = `encrypted to ${path.basename(files.key)}`;
    }
    const spki = await signer.publicKeySpki();
    step('generate key', spec.name, `${algorithm}, ${where}, public key SHA-256 ${createHash('sha256').update(spki).digest('hex')}`);
    const issuer = spec.issuedBy ? entities[spec.issuedBy]! : null;
    const signed: SignedCertificate = await signWithProfile(
      { profile: spec.profile, commonName: spec.commonName, subjectPublicKeyInfo: spki, notBefore: options.now },
      issuer ? { entity: issuer } : { selfSigned: signer },
      publicUrl,
      options.now,
    );
    await writeFile(files.der, signed.der, { flag: 'wx' });
    await writeFile(files.pem, pem(signed.der), { flag: 'wx' });
    step('sign certificate', spec.name, `${spec.profile.name} signed by ${issuer?.name ?? 'itself'}, serial ${signed.serial}, SHA-256 ${fingerprint(signed.der)}`);
    entities[spec.name] = { name: spec.name, certificate: new X509Certificate(new Uint8Array(signed.der)), der: signed.der, signer };
    record.push({
      name: spec.name,
      profile: spec.profile.name,
      subject: signed.subjectDn,
      issuer: issuer?.name ?? spec.name,
      serial: signed.serial,
      notBefore: signed.notBefore.toISOString(),
      notAfter: signed.notAfter.toISOString(),
      keyFile: options.pkcs11 ? tokenKeyLabel(spec.name) : path.basename(files.key),
      certificateFile: path.basename(files.der),
      sha256Fingerprint: fingerprint(signed.der),
      publicKeySha256: createHash('sha256').update(spki).digest('hex'),
    });
  }
  const ceremony: CeremonyRecord = {
    what: 'qorgau ca init',
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    host: os.hostname(),
    operator: os.userInfo().username,
    algorithm,
    publicUrl,
    keyStorage,
    steps,
    entities: record,
  };
  await writeFile(path.join(dir, CEREMONY_FILE), JSON.stringify(ceremony, null, 2) + '\n', { flag: 'wx' });
  return ceremony;
}

async function loadEntity(dir: string, name: string, signer: KeySigner): Promise<CaEntity> {
  const der = await readFile(caFiles(dir, name).der).catch(() => {
    throw AppError.notFound('CA_NOT_INITIALIZED', `${dir} has no ${name} certificate; run "qorgau ca init"`);
  });
  const certificate = new X509Certificate(new Uint8Array(der));
  const spki = await signer.publicKeySpki();
  if (!Buffer.from(certificate.publicKey.rawData).equals(spki)) {
    throw AppError.conflict('CA_KEY_MISMATCH', `The ${name} key does not match the ${name} certificate`);
  }
  return { name, certificate, der, signer };
}

/**
 * Loads the hierarchy made by `initCa`: key files decrypted with the passphrase, or,
 * when the ceremony record says the keys are on a PKCS#11 token, the token opened
 * with the passphrase as its PIN.
 */
export async function loadCaHierarchy(dir: string, passphrase: string): Promise<CaHierarchy> {
  let keyStorage: KeyStorage = { kind: 'encrypted-file', format: 'encrypted PKCS#8 (PBES2, PBKDF2/HMAC-SHA-256, AES-256-CBC)' };
  try {
    keyStorage = (JSON.parse(await readFile(path.join(dir, CEREMONY_FILE), 'utf8')) as CeremonyRecord).keyStorage ?? keyStorage;
  } catch {
    // No record (a hierarchy assembled by hand): the key files decide.
  }
  const hierarchy: Partial<CaHierarchy> = {};
  for (const spec of ENTITIES) {
    const signer =
      keyStorage.kind === 'pkcs11'
        ? Pkcs11Signer.open({ library: keyStorage.library, tokenLabel: keyStorage.tokenLabel, pin: passphrase, keyLabel: tokenKeyLabel(spec.name) })
        : await EncryptedFileSigner.load(caFiles(dir, spec.name).key, passphrase);
    hierarchy[spec.key] = await loadEntity(dir, spec.name, signer);
  }
  return hierarchy as CaHierarchy;
}

export const DEV_PASSPHRASE_FILE = 'passphrase.txt';

/**
 * For the embedded `npm start`: the development hierarchy in <dataDir>/pki, created
 * with a generated passphrase file beside it the first time. Never for production:
 * there the passphrase file lives apart from the keys (`qorgau ca init`).
 */
export async function ensureDevHierarchy(dataDir: string, publicUrl = 'http://localhost:8080'): Promise<CaHierarchy> {
  const dir = path.join(dataDir, 'pki');
  const passphraseFile = path.join(dir, DEV_PASSPHRASE_FILE);
  if (!existsSync(path.join(dir, CEREMONY_FILE))) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    if (!existsSync(passphraseFile)) await writeFile(passphraseFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    await initCa({ dir, passphrase: await readPassphraseFile(passphraseFile), publicUrl });
  }
  return loadCaHierarchy(dir, await readPassphraseFile(passphraseFile));
}
