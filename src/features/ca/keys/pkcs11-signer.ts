import { createHash, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as graphene from 'graphene-pk11';
import { AppError } from '../../../errors/app-error.js';
import type { KeyAlgorithm, KeySigner } from '../../../pkix/key-signer.js';
import { ecdsaRawToDer } from '../../../pkix/webcrypto-signer.js';

export interface Pkcs11Options {
  /** Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  library: string;
  /** Label of the token (slot) holding the key. */
  tokenLabel: string;
  /** User PIN, read from a file by the caller. */
  pin: string;
  /** CKA_LABEL of the private key and its public key. */
  keyLabel: string;
}

/** Where Debian's softhsm2 package puts the module. */
export const SOFTHSM2_LIBRARY = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so'].find((p) =>
  existsSync(p),
);

/** DER of the P-256 curve OID, as CKA_EC_PARAMS holds it: OBJECT IDENTIFIER 1.2.840.10045.3.1.7. */
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

interface LoadedModule {
  module: graphene.Module;
  tokens: number;
}

interface OpenToken {
  session: graphene.Session;
  users: number;
  /** The last operation queued on the session: a session runs one operation at a time (CKR_OPERATION_ACTIVE otherwise). */
  tail: Promise<unknown>;
}

/**
 * One initialized module per library and one logged-in session per token: C_Finalize
 * ends every session of the library in the process, and a token allows one login per
 * application, so both are shared and counted.
 */
const loadedModules = new Map<string, LoadedModule>();
const openTokens = new Map<string, OpenToken>();

function loadModule(library: string): LoadedModule {
  let loaded = loadedModules.get(library);
  if (!loaded) {
    try {
      const module = graphene.Module.load(library);
      module.initialize();
      loaded = { module, tokens: 0 };
    } catch (err) {
      throw new AppError('unavailable', 'PKCS11_MODULE_UNAVAILABLE', `Cannot load the PKCS#11 module ${library}: ${(err as Error).message}`);
    }
    loadedModules.set(library, loaded);
  }
  return loaded;
}

function releaseModule(library: string): void {
  const loaded = loadedModules.get(library);
  if (!loaded || loaded.tokens > 0) return;
  loadedModules.delete(library);
  loaded.module.finalize();
}

function openToken(options: Pkcs11Options): OpenToken {
  const id = `${options.library}\0${options.tokenLabel}`;
  const existing = openTokens.get(id);
  if (existing) {
    existing.users++;
    return existing;
  }
  const loaded = loadModule(options.library);
  const slots = loaded.module.getSlots(true);
  let slot: graphene.Slot | undefined;
  for (let i = 0; i < slots.length; i++) {
    if (slots.items(i).getToken().label.trim() === options.tokenLabel) slot = slots.items(i);
  }
  if (!slot) {
    releaseModule(options.library);
    throw new AppError('unavailable', 'PKCS11_TOKEN_NOT_FOUND', `No PKCS#11 token labelled "${options.tokenLabel}"`);
  }
  const session = slot.open(graphene.SessionFlag.SERIAL_SESSION | graphene.SessionFlag.RW_SESSION);
  try {
    session.login(options.pin, graphene.UserType.USER);
  } catch (err) {
    session.close();
    releaseModule(options.library);
    throw new AppError('unavailable', 'PKCS11_LOGIN_FAILED', `Login to the PKCS#11 token "${options.tokenLabel}" failed: ${(err as Error).message}`);
  }
  const token: OpenToken = { session, users: 1, tail: Promise.resolve() };
  openTokens.set(id, token);
  loaded.tokens++;
  return token;
}

function closeToken(options: Pkcs11Options): void {
  const id = `${options.library}\0${options.tokenLabel}`;
  const token = openTokens.get(id);
  if (!token || --token.users > 0) return;
  openTokens.delete(id);
  try {
    token.session.logout();
    token.session.close();
  } finally {
    const loaded = loadedModules.get(options.library);
    if (loaded) loaded.tokens--;
    releaseModule(options.library);
  }
}

function findKey(session: graphene.Session, cls: graphene.ObjectClass, label: string): graphene.SessionObject | undefined {
  const found = session.find({ class: cls, label });
  return found.length > 0 ? found.items(0) : undefined;
}

/** CKA_EC_POINT is the uncompressed point wrapped in a DER OCTET STRING (PKCS#11 v2.40 section 2.3.3). */
function unwrapEcPoint(value: Buffer): Buffer {
  if (value[0] === 0x04 && value.length === 65) return value;
  if (value[0] === 0x04 && value[1] === 65 && value.length === 67) return value.subarray(2);
  throw new AppError('unavailable', 'PKCS11_KEY_UNSUPPORTED', 'The token holds an EC key that is not an uncompressed P-256 point');
}

/**
 * A KeySigner whose private key stays in a PKCS#11 token (an HSM in production,
 * SoftHSM2 in tests). The key never leaves the token: only the data goes in.
 */
export class Pkcs11Signer implements KeySigner {
  private constructor(
    readonly algorithm: KeyAlgorithm,
    private readonly options: Pkcs11Options,
    private readonly token: OpenToken,
    private readonly privateKey: graphene.PrivateKey,
    private readonly spki: Buffer,
  ) {}

  static open(options: Pkcs11Options): Pkcs11Signer {
    const token = openToken(options);
    const { session } = token;
    try {
      const privateObject = findKey(session, graphene.ObjectClass.PRIVATE_KEY, options.keyLabel);
      const publicObject = findKey(session, graphene.ObjectClass.PUBLIC_KEY, options.keyLabel);
      if (!privateObject || !publicObject) {
        throw new AppError('unavailable', 'PKCS11_KEY_NOT_FOUND', `No key pair labelled "${options.keyLabel}" on token "${options.tokenLabel}"`);
      }
      const privateKey = privateObject.toType<graphene.PrivateKey>();
      const publicKey = publicObject.toType<graphene.PublicKey>();
      let algorithm: KeyAlgorithm;
      let spki: Buffer;
      if (privateKey.type === graphene.KeyType.EC) {
        // graphene reads CKA_EC_PARAMS back under its older name, paramsECDSA.
        const attrs = publicKey.getAttribute({ paramsEC: null, pointEC: null });
        const params = attrs.paramsECDSA ?? attrs.paramsEC;
        if (!params?.equals(P256_PARAMS)) throw new AppError('unavailable', 'PKCS11_KEY_UNSUPPORTED', 'Only P-256 EC keys are supported');
        const point = unwrapEcPoint(attrs.pointEC!);
        spki = createPublicKey({
          key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
          format: 'jwk',
        }).export({ type: 'spki', format: 'der' });
        algorithm = 'ECDSA-P256';
      } else if (privateKey.type === graphene.KeyType.RSA) {
        const attrs = publicKey.getAttribute({ modulus: null, publicExponent: null });
        if (attrs.modulus!.length !== 256) throw new AppError('unavailable', 'PKCS11_KEY_UNSUPPORTED', 'Only 2048-bit RSA keys are supported');
        spki = createPublicKey({
          key: { kty: 'RSA', n: attrs.modulus!.toString('base64url'), e: attrs.publicExponent!.toString('base64url') },
          format: 'jwk',
        }).export({ type: 'spki', format: 'der' });
        algorithm = 'RSA-2048';
      } else {
        throw new AppError('unavailable', 'PKCS11_KEY_UNSUPPORTED', 'The token key is neither EC nor RSA');
      }
      return new Pkcs11Signer(algorithm, options, token, privateKey, spki);
    } catch (err) {
      closeToken(options);
      throw err;
    }
  }

  /** Generates a non-extractable key pair on the token (a ceremony step), then opens it. */
  static generate(options: Pkcs11Options, algorithm: KeyAlgorithm = 'ECDSA-P256'): Pkcs11Signer {
    const { session } = openToken(options);
    try {
      if (findKey(session, graphene.ObjectClass.PRIVATE_KEY, options.keyLabel)) {
        throw new AppError('conflict', 'PKCS11_KEY_EXISTS', `The token "${options.tokenLabel}" already holds a key labelled "${options.keyLabel}"`);
      }
      const common = { token: true, label: options.keyLabel, id: createHash('sha256').update(options.keyLabel).digest().subarray(0, 8) };
      const privateTemplate = { ...common, private: true, sensitive: true, extractable: false, sign: true };
      if (algorithm === 'ECDSA-P256') {
        session.generateKeyPair(graphene.KeyGenMechanism.EC, { ...common, keyType: graphene.KeyType.EC, paramsEC: P256_PARAMS, verify: true }, { ...privateTemplate, keyType: graphene.KeyType.EC });
      } else {
        session.generateKeyPair(
          graphene.KeyGenMechanism.RSA,
          { ...common, keyType: graphene.KeyType.RSA, modulusBits: 2048, publicExponent: Buffer.from([1, 0, 1]), verify: true },
          { ...privateTemplate, keyType: graphene.KeyType.RSA },
        );
      }
    } finally {
      closeToken(options);
    }
    return Pkcs11Signer.open(options);
  }

  async publicKeySpki(): Promise<Buffer> {
    return this.spki;
  }

  async sign(data: Uint8Array): Promise<Buffer> {
    // For ECDSA the digest is computed here and the token signs it with CKM_ECDSA:
    // every token has CKM_ECDSA, not all have CKM_ECDSA_SHA256. The token returns r || s.
    const ecdsa = this.algorithm === 'ECDSA-P256';
    const mechanism = ecdsa ? 'ECDSA' : 'SHA256_RSA_PKCS';
    const input = ecdsa ? createHash('sha256').update(data).digest() : Buffer.from(data);
    const run = () =>
      new Promise<Buffer>((resolve, reject) =>
        this.token.session.createSign(mechanism, this.privateKey).once(input, (err, value) => (err ? reject(err) : resolve(value))),
      );
    // Every signer on this token shares its session: queue behind whatever it is doing.
    const signature = this.token.tail.then(run, run);
    this.token.tail = signature.catch(() => undefined);
    return ecdsa ? ecdsaRawToDer(await signature) : await signature;
  }

  async close(): Promise<void> {
    closeToken(this.options);
  }
}
