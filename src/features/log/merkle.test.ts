import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { completeSubtrees, consistencyPlan, consistencyProof, inclusionPlan, inclusionProof, leafHash, nodeHash, rangeRoot, recordsRoot, treeRoot, treeWithPaths, verifyConsistency, verifyInclusion, type NodeId } from './merkle.js';

// The reference vectors of certificate-transparency-go's merkle tests (RFC 6962 / 9162 trees).
const ENTRIES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  { index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];
const CONSISTENCY = [
  { first: 2, second: 8, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { first: 6, second: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];
const LEAVES = ENTRIES.map((e) => leafHash(e));
const hex = (b: Buffer) => b.toString('hex');
const unhex = (h: string) => Buffer.from(h, 'hex');

describe('Merkle tree (RFC 9162)', () => {
  it('hashes leaves and nodes with the 0x00 and 0x01 prefixes', () => {
    expect(hex(leafHash(Buffer.alloc(0)))).toBe(createHash('sha256').update(Buffer.from([0])).digest('hex'));
    const [a, b] = [leafHash('a'), leafHash('b')];
    expect(nodeHash(a, b)).toEqual(createHash('sha256').update(Buffer.concat([Buffer.from([1]), a, b])).digest());
  });

  it('gives the reference roots for every size 0..8', () => {
    for (let n = 0; n <= 8; n++) expect(hex(treeRoot(LEAVES.slice(0, n))), `size ${n}`).toBe(ROOTS[n]);
  });

  it('gives and accepts the reference inclusion proofs', () => {
    for (const v of INCLUSION) {
      expect(inclusionProof(LEAVES, v.index, v.size).map(hex)).toEqual(v.proof);
      expect(verifyInclusion(LEAVES[v.index], v.index, v.size, v.proof.map(unhex), unhex(ROOTS[v.size]))).toBe(true);
    }
  });

  it('gives and accepts the reference consistency proofs', () => {
    for (const v of CONSISTENCY) {
      expect(consistencyProof(LEAVES, v.first, v.second).map(hex)).toEqual(v.proof);
      expect(verifyConsistency(v.first, v.second, unhex(ROOTS[v.first]), unhex(ROOTS[v.second]), v.proof.map(unhex))).toBe(true);
    }
  });

  const many = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from([i, i * 3])));
  const roots = Array.from({ length: 41 }, (_, n) => treeRoot(many.slice(0, n)));

  it('every inclusion proof verifies and a changed one does not, in every size up to 40', () => {
    for (let n = 1; n <= 40; n++) {
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(many, i, n);
        expect(verifyInclusion(many[i], i, n, proof, roots[n])).toBe(true);
        expect(verifyInclusion(many[(i + 1) % 40], i, n, proof, roots[n])).toBe(false);
        if (proof.length > 0) {
          const bent = proof.map((p) => Buffer.from(p));
          bent[0][5] ^= 1;
          expect(verifyInclusion(many[i], i, n, bent, roots[n])).toBe(false);
          expect(verifyInclusion(many[i], i, n, proof.slice(1), roots[n])).toBe(false);
          expect(verifyInclusion(many[i], i, n, [...proof, roots[0]], roots[n])).toBe(false);
        }
      }
    }
  });

  it('every consistency proof verifies and a changed one or a wrong root does not', () => {
    for (let second = 1; second <= 40; second++) {
      for (let first = 0; first <= second; first++) {
        const proof = consistencyProof(many, first, second);
        expect(verifyConsistency(first, second, roots[first], roots[second], proof)).toBe(true);
        if (first > 0 && first < second) {
          expect(verifyConsistency(first, second, roots[first], roots[second - 1], proof)).toBe(false);
          expect(verifyConsistency(first, second, roots[first - 1], roots[second], proof)).toBe(false);
          const bent = proof.map((p) => Buffer.from(p));
          bent[bent.length - 1][0] ^= 1;
          expect(verifyConsistency(first, second, roots[first], roots[second], bent)).toBe(false);
        }
      }
    }
  });

  it('gives every path at once the same as one at a time', () => {
    for (let n = 1; n <= 40; n++) {
      const { root, paths } = treeWithPaths(many.slice(0, n));
      expect(root).toEqual(roots[n]);
      for (let i = 0; i < n; i++) expect(paths[i]).toEqual(inclusionProof(many, i, n));
    }
  });

  it('gives the same proofs from stored complete subtrees as from every leaf, reading O(log n) of them', () => {
    // The store a log keeps: every complete subtree's hash, computed here by plain recursion over the leaves.
    const store = (node: NodeId) => treeRoot(many, node.index * 2 ** node.level, (node.index + 1) * 2 ** node.level);
    for (let n = 1; n <= 40; n++) {
      const bound = 2 * Math.ceil(Math.log2(n)) + 1;
      for (let i = 0; i < n; i++) {
        const plan = inclusionPlan(i, n);
        expect(plan.map((r) => rangeRoot(r, store)), `${i} in ${n}`).toEqual(inclusionProof(many, i, n));
        expect(plan.flatMap(completeSubtrees).length).toBeLessThanOrEqual(bound);
      }
      for (let m = 0; m <= n; m++) {
        const plan = consistencyPlan(m, n);
        expect(plan.map((r) => rangeRoot(r, store)), `${m} to ${n}`).toEqual(consistencyProof(many, m, n));
        expect(plan.flatMap(completeSubtrees).length).toBeLessThanOrEqual(bound + 1);
      }
      expect(rangeRoot({ lo: 0, hi: n }, store)).toEqual(roots[n]);
    }
    // And the reference vectors, from stored subtrees of the reference leaves.
    const reference = (node: NodeId) => treeRoot(LEAVES, node.index * 2 ** node.level, (node.index + 1) * 2 ** node.level);
    for (const v of INCLUSION) expect(inclusionPlan(v.index, v.size).map((r) => hex(rangeRoot(r, reference)))).toEqual(v.proof);
    for (const v of CONSISTENCY) expect(consistencyPlan(v.first, v.second).map((r) => hex(rangeRoot(r, reference)))).toEqual(v.proof);
    for (let n = 0; n <= 8; n++) expect(hex(rangeRoot({ lo: 0, hi: n }, reference))).toBe(ROOTS[n]);
  });

  it('gives the same root over fixed-length records with the JavaScript compression as leafHash and treeRoot', () => {
    for (const length of [1, 32, 33, 54]) {
      for (const n of [0, 1, 2, 3, 5, 8, 13, 64, 100]) {
        const records = Buffer.from(Array.from({ length: n * length }, (_, i) => (i * 131 + length) & 0xff));
        const leaves = Array.from({ length: n }, (_, i) => leafHash(records.subarray(i * length, (i + 1) * length)));
        expect(recordsRoot(records, length), `${n} records of ${length}`).toEqual(treeRoot(leaves));
      }
    }
    expect(() => recordsRoot(Buffer.alloc(10), 3)).toThrow(RangeError);
    expect(() => recordsRoot(Buffer.alloc(55), 55)).toThrow(RangeError);
  });

  it('refuses proofs for leaves or sizes outside the tree', () => {
    expect(() => inclusionProof(LEAVES, 8, 8)).toThrow(RangeError);
    expect(() => inclusionProof(LEAVES, 0, 9)).toThrow(RangeError);
    expect(() => consistencyProof(LEAVES, 5, 3)).toThrow(RangeError);
    expect(verifyInclusion(LEAVES[0], 8, 8, [], unhex(ROOTS[8]))).toBe(false);
    expect(verifyConsistency(8, 6, unhex(ROOTS[8]), unhex(ROOTS[6]), [])).toBe(false);
  });
});
