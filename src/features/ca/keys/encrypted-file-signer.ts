import { createPrivateKey, createPublicKey, generateKeyPair, sign as signAsync, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { AppError } from '../../../errors/app-error.js';
import type { KeyAlgorithm, KeySigner } from '../../../pkix/key-signer.js';

const generateKeyPairAsync = promisify(generateKeyPair);
const signWith = promisify(signAsync);

/**
 * The cipher of keys at rest. Node (OpenSSL 3) writes PBES2 with PBKDF2/HMAC-SHA-256
 * around it, which `openssl pkey -in key.pem` reads with the same passphrase.
 */
const CIPHER = 'aes-256-cbc';

/** Reads a passphrase file: the first line, so an editor's trailing newline does not change it. */
export async function readPassphraseFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw AppError.badRequest('PASSPHRASE_FILE_UNREADABLE', `Cannot read the passphrase file ${file}: ${(err as Error).message}`);
  }
  const passphrase = text.split(/\r?\n/, 1)[0];
  if (!passphrase) throw AppError.badRequest('PASSPHRASE_EMPTY', `The passphrase file ${file} is empty`);
  return passphrase;
}

export function algorithmOfKey(key: KeyObject): KeyAlgorithm {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'ECDSA-P256';
  if (key.asymmetricKeyType === 'rsa' && details?.modulusLength === 2048) return 'RSA-2048';
  throw AppError.unprocessable(
    'KEY_ALGORITHM_UNSUPPORTED',
    `A CA key must be ECDSA P-256 or RSA-2048, not ${key.asymmetricKeyType} ${details?.namedCurve ?? details?.modulusLength ?? ''}`.trim(),
  );
}

/**
 * A CA key held as an encrypted PKCS#8 PEM file. The key is decrypted once, into a
 * KeyObject that never leaves this module; signing runs on libuv's thread pool so
 * that a busy CA does not stall the event loop.
 */
export class EncryptedFileSigner implements KeySigner {
  private readonly spki: Buffer;

  private constructor(
    readonly algorithm: KeyAlgorithm,
    private readonly privateKey: KeyObject,
  ) {
    this.spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  }

  /** Decrypts `pem` with the passphrase; a wrong passphrase is a clear error, not an OpenSSL trace. */
  static fromPem(pem: string | Buffer, passphrase: string): EncryptedFileSigner {
    if (!String(pem).includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
      throw AppError.unprocessable('KEY_NOT_ENCRYPTED', 'A CA key file must be an encrypted PKCS#8 PEM (BEGIN ENCRYPTED PRIVATE KEY)');
    }
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: pem, format: 'pem', passphrase });
    } catch {
      throw AppError.unprocessable('KEY_DECRYPT_FAILED', 'The CA key could not be decrypted: wrong passphrase or damaged file');
    }
    return new EncryptedFileSigner(algorithmOfKey(key), key);
  }

  static async load(keyFile: string, passphrase: string): Promise<EncryptedFileSigner> {
    let pem: Buffer;
    try {
      pem = await readFile(keyFile);
    } catch (err) {
      throw AppError.badRequest('KEY_FILE_UNREADABLE', `Cannot read the key file ${keyFile}: ${(err as Error).message}`);
    }
    return EncryptedFileSigner.fromPem(pem, passphrase);
  }

  /** Generates a key and writes it encrypted (mode 0600, never overwriting); returns its signer. */
  static async generate(keyFile: string, passphrase: string, algorithm: KeyAlgorithm = 'ECDSA-P256'): Promise<EncryptedFileSigner> {
    const { privateKey } =
      algorithm === 'ECDSA-P256'
        ? await generateKeyPairAsync('ec', { namedCurve: 'P-256' })
        : await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem', cipher: CIPHER, passphrase });
    await writeFile(keyFile, pem, { mode: 0o600, flag: 'wx' });
    return new EncryptedFileSigner(algorithm, privateKey);
  }

  async publicKeySpki(): Promise<Buffer> {
    return this.spki;
  }

  async sign(data: Uint8Array): Promise<Buffer> {
    // ECDSA: DER ECDSA-Sig-Value (dsaEncoding 'der'); RSA: PKCS#1 v1.5 is node's default padding.
    return signWith('sha256', data, { key: this.privateKey, dsaEncoding: 'der' });
  }
}
