import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/**
 * Signs webhook notices (compact JWS, ES256, typ "qorgau-notice+jwt") so a receiver can tell a
 * notice came from Qorgau: a forged "your lift is in effect" is what a fraudster would send.
 * A key of its own, not the lender-answer key: a notice can never pass for a check answer.
 */
export class NoticeSigner {
  readonly publicJwk: { kty: string; crv: string; x: string; y: string; kid: string; alg: 'ES256'; use: 'sig' };
  private readonly header: string;

  private constructor(private readonly privateKey: KeyObject) {
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    const kid = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
    this.publicJwk = { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y!, kid, alg: 'ES256', use: 'sig' };
    this.header = b64url(JSON.stringify({ alg: 'ES256', kid, typ: 'qorgau-notice+jwt' }));
  }

  /** The key in `file`, generated there (mode 0600) on first use. */
  static fromFile(file: string): NoticeSigner {
    if (!existsSync(file)) {
      mkdirSync(path.dirname(file), { recursive: true });
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      try {
        writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
      } catch {
        // Another process wrote it first: use theirs.
      }
    }
    const key = createPrivateKey(readFileSync(file));
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error(`The notice signing key ${file} must be an ECDSA P-256 private key`);
    }
    return new NoticeSigner(key);
  }

  /** A compact JWS whose payload is exactly `body` (the webhook's request body, base64url). */
  sign(body: Buffer): string {
    const input = `${this.header}.${b64url(body)}`;
    return `${input}.${b64url(sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' }))}`;
  }
}
