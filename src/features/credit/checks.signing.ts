import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject, type JsonWebKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * RFC 6962 Merkle tree hashing: a leaf is SHA-256(0x00 || data), an inner node
 * SHA-256(0x01 || left || right). One signature over the root of a group commit vouches
 * for every answer in it; each answer carries its audit path.
 */
export function leafHash(data: string): Buffer {
  return createHash('sha256').update(Buffer.from([0])).update(data, 'utf8').digest();
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(Buffer.from([1])).update(left).update(right).digest();
}

/** The root of the leaves (RFC 6962 MTH) and the audit path of every leaf. */
export function merkleTree(leaves: Buffer[]): { root: Buffer; paths: Buffer[][] } {
  const paths: Buffer[][] = leaves.map(() => []);
  function build(lo: number, hi: number): Buffer {
    if (hi - lo === 1) return leaves[lo];
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    const left = build(lo, lo + k);
    const right = build(lo + k, hi);
    for (let i = lo; i < lo + k; i++) paths[i].push(right);
    for (let i = lo + k; i < hi; i++) paths[i].push(left);
    return nodeHash(left, right);
  }
  return { root: build(0, leaves.length), paths };
}

/** Recomputes the root from a leaf, its index, the tree size and its audit path (RFC 9162 2.1.3.2). */
export function rootFromPath(leaf: Buffer, index: number, size: number, auditPath: Buffer[]): Buffer | null {
  if (index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of auditPath) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 ? r : null;
}

/**
 * The registry's answer-signing key: ECDSA P-256, JWS ES256. Generated into the data
 * folder on first start (or read from the given file); its public key is published as a
 * JWK so a lender can prove to a regulator what it was told.
 */
export class RegistrySigner {
  readonly publicJwk: JsonWebKey & { kid: string; alg: 'ES256'; use: 'sig' };
  private readonly header: string;

  private constructor(private readonly privateKey: KeyObject) {
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    // RFC 7638 thumbprint: the required members in lexicographic order.
    const kid = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
    this.publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' };
    this.header = b64url(JSON.stringify({ alg: 'ES256', kid, typ: 'qorgau-check-batch+jwt' }));
  }

  static fromFile(file: string): RegistrySigner {
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
      throw new Error(`The credit signing key ${file} must be an ECDSA P-256 private key`);
    }
    return new RegistrySigner(key);
  }

  /** A compact JWS (ES256) over the JSON payload. */
  signJws(payload: object): string {
    const input = `${this.header}.${b64url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(input), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${input}.${b64url(signature)}`;
  }
}

/** Verifies a compact ES256 JWS against a public JWK; returns its payload, or null. */
export function verifyJws(jws: string, jwk: JsonWebKey): Record<string, unknown> | null {
  const [header, payload, signature] = jws.split('.');
  if (!header || !payload || !signature) return null;
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  return ok ? JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) : null;
}
