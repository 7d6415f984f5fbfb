import { webcrypto } from 'node:crypto';
import { sequence, unsignedInteger } from '../der/writer.js';
import type { KeyAlgorithm, KeySigner } from './key-signer.js';

const subtle = webcrypto.subtle;

export const KEY_PARAMS: Record<KeyAlgorithm, { generate: EcKeyGenParams | RsaHashedKeyGenParams; sign: EcdsaParams | AlgorithmIdentifier; import: EcKeyImportParams | RsaHashedImportParams }> = {
  'ECDSA-P256': {
    generate: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' },
    import: { name: 'ECDSA', namedCurve: 'P-256' },
  },
  'RSA-2048': {
    generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
    import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  },
};

/** WebCrypto gives ECDSA signatures as r || s; X.509 and CMS want ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }. */
export function ecdsaRawToDer(raw: Uint8Array): Buffer {
  const half = raw.length / 2;
  return sequence(unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half)));
}

/** A KeySigner over a WebCrypto key pair: what the encrypted-file signer uses once decrypted, and tests use directly. */
export class WebCryptoSigner implements KeySigner {
  constructor(
    readonly algorithm: KeyAlgorithm,
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
  ) {}

  static async generate(algorithm: KeyAlgorithm = 'ECDSA-P256'): Promise<WebCryptoSigner & { keys: CryptoKeyPair }> {
    const keys = (await subtle.generateKey(KEY_PARAMS[algorithm].generate, true, ['sign', 'verify'])) as CryptoKeyPair;
    return Object.assign(new WebCryptoSigner(algorithm, keys.privateKey, keys.publicKey), { keys });
  }

  async publicKeySpki(): Promise<Buffer> {
    return Buffer.from(await subtle.exportKey('spki', this.publicKey));
  }

  async sign(data: Uint8Array): Promise<Buffer> {
    const signature = new Uint8Array(await subtle.sign(KEY_PARAMS[this.algorithm].sign, this.privateKey, data));
    return this.algorithm === 'ECDSA-P256' ? ecdsaRawToDer(signature) : Buffer.from(signature);
  }
}
