import { describe, expect, it } from 'vitest';
import { rootOfInclusion } from '../../client/check-answer.js';
import { leafHash, merkleTree } from './checks.signing.js';

/*
 * The lender answers of one group commit are the leaves of an RFC 6962 / RFC 9162 Merkle tree.
 * Reference vectors, not made by our code: github.com/google/certificate-transparency-go,
 * merkletree/merkle_verifier_test.go (getInputs, getRoots, getInclusionTestVector; leaf numbers
 * there are 1-based, here 0-based). The empty tree's root is SHA-256 of nothing (RFC 9162 2.1.1).
 */
const INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const ROOTS: Record<number, string> = {
  0: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  1: '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  2: 'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  3: 'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  4: 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  5: '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  6: '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  7: 'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  8: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
};
const INCLUSION: { index: number; size: number; proof: string[] }[] = [
  { index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  { index: 1, size: 5, proof: ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];

// The reference inputs are ASCII bytes, so as text they are the same bytes in UTF-8 (answers are UTF-8 text).
const leaves = INPUTS.map((h) => leafHash(Buffer.from(h, 'hex').toString('latin1')));
const hex = (b: Buffer) => b.toString('hex');
const unhex = (h: string) => Buffer.from(h, 'hex');

describe("the lender answers' Merkle tree is RFC 6962 / 9162", () => {
  it('hashes a leaf as SHA-256(0x00 || data): the reference root of one entry', () => {
    expect(hex(merkleTree(leaves.slice(0, 1)).root)).toBe(ROOTS[1]);
  });

  it('gives the reference root for every group size 1 to 8', () => {
    for (let n = 1; n <= 8; n++) expect(hex(merkleTree(leaves.slice(0, n)).root), `size ${n}`).toBe(ROOTS[n]);
  });

  it('gives each answer the reference audit path', () => {
    for (const v of INCLUSION) expect(merkleTree(leaves.slice(0, v.size)).paths[v.index].map(hex), `${v.index} of ${v.size}`).toEqual(v.proof);
  });

  it("the lender's own check (src/client) leads the reference paths to the reference roots, and nowhere else", () => {
    for (const v of INCLUSION) {
      expect(rootOfInclusion(leaves[v.index], v.index, v.size, v.proof.map(unhex))?.toString('hex')).toBe(ROOTS[v.size]);
      expect(rootOfInclusion(leaves[v.index], v.index ^ 1, v.size, v.proof.map(unhex))?.toString('hex')).not.toBe(ROOTS[v.size]);
      expect(rootOfInclusion(leaves[v.index], v.index, v.size, [...v.proof.map(unhex), unhex(ROOTS[v.size])])).toBeNull();
    }
  });
});
