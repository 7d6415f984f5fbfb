import { leafHash as logLeafHash, treeWithPaths } from '../log/index.js';
import { Es256Key, type Es256PublicJwk } from '../../auth/es256-key.js';

/**
 * The answers of one group commit are the leaves of an RFC 9162 Merkle tree (the log's one
 * tree implementation); one signature over its root vouches for every answer in the group.
 */
export function leafHash(data: string): Buffer {
  return logLeafHash(data);
}

export function merkleTree(leaves: Buffer[]): { root: Buffer; paths: Buffer[][] } {
  return treeWithPaths(leaves);
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
