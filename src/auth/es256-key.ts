import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export interface Es256PublicJwk {
  kty: string;
  crv: string;
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

/**
 * An ECDSA P-256 key that signs compact JWS (ES256) with a fixed `typ`, kept in a file
 * (PKCS#8 PEM, mode 0600) that is generated on first use. Each purpose has a key of its own
 * (lender answers, webhook notices), so a signature made for one can never pass for another.
 */
export class Es256Key {
  readonly publicJwk: Es256PublicJwk;
  private readonly header: string;

  private constructor(
    private readonly privateKey: KeyObject,
    typ: string,
  ) {
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    // RFC 7638 thumbprint: the required members in lexicographic order.
    const kid = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
    this.publicJwk = { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y!, kid, alg: 'ES256', use: 'sig' };
    this.header = b64url(JSON.stringify({ alg: 'ES256', kid, typ }));
  }

  /** The key in `file` (generated there on first use), for JWS of type `typ`; `purpose` names it in errors. */
  static fromFile(file: string, typ: string, purpose: string): Es256Key {
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
      throw new Error(`The ${purpose} signing key ${file} must be an ECDSA P-256 private key`);
    }
    return new Es256Key(key, typ);
  }

  /** A compact JWS whose payload is exactly `payload`. */
  signCompact(payload: Buffer | string): string {
    const input = `${this.header}.${b64url(payload)}`;
    return `${input}.${b64url(sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' }))}`;
  }
}
