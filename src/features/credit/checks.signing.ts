import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { Es256Key, type Es256PublicJwk } from '../../auth/es256-key.js';

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
  readonly publicJwk: Es256PublicJwk;

  private constructor(private readonly key: Es256Key) {
    this.publicJwk = key.publicJwk;
  }

  static fromFile(file: string): RegistrySigner {
    return new RegistrySigner(Es256Key.fromFile(file, 'qorgau-check-batch+jwt', 'credit'));
  }

  /** A compact JWS (ES256) over the JSON payload. */
  signJws(payload: object): string {
    return this.key.signCompact(JSON.stringify(payload));
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
