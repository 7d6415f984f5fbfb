import { createHash } from 'node:crypto';
import { compress, SHA256_IV } from '../../privacy/sha256-midstate.js';

/**
 * The Merkle tree of RFC 9162 section 2.1 (the same as RFC 6962): a leaf hash is
 * SHA-256(0x00 || entry), an inner node SHA-256(0x01 || left || right), and the tree over n
 * leaves splits at the largest power of two below n. Proofs are built and checked as in
 * sections 2.1.3 (inclusion) and 2.1.4 (consistency). This is the one tree implementation:
 * the transparency log and the lender-check answers both use it.
 */

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export function leafHash(entry: Buffer | string): Buffer {
  return createHash('sha256').update(LEAF).update(typeof entry === 'string' ? Buffer.from(entry, 'utf8') : entry).digest();
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE).update(left).update(right).digest();
}

/** The largest power of two strictly smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over the given leaf hashes; the empty tree's root is SHA-256 of nothing. */
export function treeRoot(leaves: readonly Buffer[], lo = 0, hi = leaves.length): Buffer {
  const n = hi - lo;
  if (n === 0) return createHash('sha256').digest();
  if (n === 1) return leaves[lo];
  const k = split(n);
  return nodeHash(treeRoot(leaves, lo, lo + k), treeRoot(leaves, lo + k, hi));
}

function checkSize(leaves: readonly Buffer[], size: number): void {
  if (!Number.isSafeInteger(size) || size < 0 || size > leaves.length) throw new RangeError(`tree size ${size} is not between 0 and ${leaves.length}`);
}

/** A run of leaves [lo, hi) whose subtree hash a proof needs. */
export interface LeafRange {
  lo: number;
  hi: number;
}

/**
 * PATH(m, D[size]) as the leaf ranges whose subtree hashes make it, bottom first (RFC 9162
 * 2.1.3.1). The proof itself is each range's MTH; keeping the plan apart lets the log answer
 * from stored subtree hashes instead of every leaf.
 */
export function inclusionPlan(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`tree size ${size} is not a size`);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const plan: LeafRange[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    const n = hi - lo;
    if (n === 1) return;
    const k = split(n);
    if (m < k) {
      walk(m, lo, lo + k);
      plan.push({ lo: lo + k, hi });
    } else {
      walk(m - k, lo + k, hi);
      plan.push({ lo, hi: lo + k });
    }
  };
  walk(index, 0, size);
  return plan;
}

/** PROOF(first, D[second]) as leaf ranges (RFC 9162 2.1.4.1), in proof order. */
export function consistencyPlan(first: number, second: number): LeafRange[] {
  if (!Number.isSafeInteger(second) || second < 0) throw new RangeError(`tree size ${second} is not a size`);
  if (!Number.isSafeInteger(first) || first < 0 || first > second) throw new RangeError(`tree size ${first} is not between 0 and ${second}`);
  if (first === 0 || first === second) return [];
  const plan: LeafRange[] = [];
  const sub = (m: number, lo: number, hi: number, whole: boolean): void => {
    const n = hi - lo;
    if (m === n) {
      if (!whole) plan.push({ lo, hi });
      return;
    }
    const k = split(n);
    if (m <= k) {
      sub(m, lo, lo + k, whole);
      plan.push({ lo: lo + k, hi });
    } else {
      sub(m - k, lo + k, hi, false);
      plan.push({ lo, hi: lo + k });
    }
  };
  sub(first, 0, second, true);
  return plan;
}

/** A complete subtree: 2^level leaves starting at leaf index * 2^level. Level 0 is a leaf. */
export interface NodeId {
  level: number;
  index: number;
}

/**
 * The complete subtrees whose hashes give MTH of the leaves [lo, hi), left to right. In an RFC
 * 9162 tree every range a proof names starts at a multiple of a power of two at least its
 * length's largest power of two, so it is its length's binary digits, largest first.
 */
export function completeSubtrees(range: LeafRange): NodeId[] {
  const nodes: NodeId[] = [];
  let lo = range.lo;
  let n = range.hi - range.lo;
  while (n > 0) {
    let level = 0;
    while (2 ** (level + 1) <= n) level++;
    if (lo % 2 ** level !== 0) throw new RangeError(`leaves ${range.lo}..${range.hi} are not a range of an RFC 9162 tree`);
    nodes.push({ level, index: lo / 2 ** level });
    lo += 2 ** level;
    n -= 2 ** level;
  }
  return nodes;
}

/** MTH of a range from its complete subtrees' hashes (as completeSubtrees lists them): folded from the right. */
export function rangeRoot(range: LeafRange, hashOf: (node: NodeId) => Buffer): Buffer {
  const nodes = completeSubtrees(range);
  if (nodes.length === 0) return treeRoot([]);
  let root = hashOf(nodes[nodes.length - 1]);
  for (let i = nodes.length - 2; i >= 0; i--) root = nodeHash(hashOf(nodes[i]), root);
  return root;
}

/** PATH(m, D[size]): the audit path of leaf `index` in the tree of the first `size` leaves. */
export function inclusionProof(leaves: readonly Buffer[], index: number, size: number): Buffer[] {
  checkSize(leaves, size);
  return inclusionPlan(index, size).map((r) => treeRoot(leaves, r.lo, r.hi));
}

/** PROOF(first, D[second]): shows the tree of `first` leaves is a prefix of the tree of `second`. */
export function consistencyProof(leaves: readonly Buffer[], first: number, second: number): Buffer[] {
  checkSize(leaves, second);
  return consistencyPlan(first, second).map((r) => treeRoot(leaves, r.lo, r.hi));
}

const isHash = (b: unknown): b is Buffer => Buffer.isBuffer(b) && b.length === 32;

/**
 * The root of every leaf's audit path at once, for signing a whole batch under one root:
 * O(n log n) where asking inclusionProof for each leaf would redo the subtrees.
 */
export function treeWithPaths(leaves: readonly Buffer[]): { root: Buffer; paths: Buffer[][] } {
  const paths: Buffer[][] = leaves.map(() => []);
  const build = (lo: number, hi: number): Buffer => {
    if (hi - lo === 1) return leaves[lo];
    const k = split(hi - lo);
    const left = build(lo, lo + k);
    const right = build(lo + k, hi);
    for (let i = lo; i < lo + k; i++) paths[i].push(right);
    for (let i = lo + k; i < hi; i++) paths[i].push(left);
    return nodeHash(left, right);
  };
  return { root: leaves.length === 0 ? treeRoot(leaves) : build(0, leaves.length), paths };
}

/** RFC 9162 2.1.3.2: the root that `proof` leads to from `leaf` at `index` in a tree of `size`, or null if it leads nowhere. */
export function rootFromInclusionProof(leaf: Buffer, index: number, size: number, proof: readonly Buffer[]): Buffer | null {
  if (!isHash(leaf) || !proof.every(isHash)) return null;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return null;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

/** Does `proof` lead from `leaf` at `index` to `root` of a tree of `size`? */
export function verifyInclusion(leaf: Buffer, index: number, size: number, proof: readonly Buffer[], root: Buffer): boolean {
  return isHash(root) && (rootFromInclusionProof(leaf, index, size, proof)?.equals(root) ?? false);
}

/** RFC 9162 2.1.4.2: is the tree of `first` leaves with `firstRoot` a prefix of the tree of `second` with `secondRoot`? */
export function verifyConsistency(first: number, second: number, firstRoot: Buffer, secondRoot: Buffer, proof: readonly Buffer[]): boolean {
  if (!isHash(firstRoot) || !isHash(secondRoot) || !proof.every(isHash)) return false;
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = BigInt(first - 1);
  let sn = BigInt(second - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0n;
}

/*
 * The same tree over fixed-length records, hashed with the JavaScript SHA-256 compression of
 * src/privacy (no native call per hash): a publication commits to millions of persons, and
 * node:crypto's per-call cost (about 1.5-5 µs here) is most of what hashing them costs. A leaf
 * is SHA-256(0x00 || record) (records of up to 54 bytes fit one block), a node
 * SHA-256(0x01 || left || right) (two blocks). Checked equal to treeRoot/leafHash in merkle.test.ts.
 */
const BLOCK = new Int32Array(16);
const BYTES = Buffer.alloc(64);

/** MTH over leafHash(record) for each `recordLength`-byte record of `records`, in order. */
export function recordsRoot(records: Buffer, recordLength: number): Buffer {
  if (!Number.isInteger(recordLength) || recordLength < 1 || recordLength > 54) throw new RangeError(`records of ${recordLength} bytes are not supported`);
  const n = records.length / recordLength;
  if (!Number.isInteger(n)) throw new RangeError(`${records.length} bytes are not whole records of ${recordLength}`);
  if (n === 0) return treeRoot([]);
  // Level 0: every leaf's state, 8 words each.
  let level = new Int32Array(n * 8);
  const state = new Int32Array(8);
  BYTES.fill(0);
  BYTES[0] = 0x00;
  BYTES[1 + recordLength] = 0x80;
  BYTES.writeUInt32BE((1 + recordLength) * 8, 60);
  for (let i = 0; i < n; i++) {
    records.copy(BYTES, 1, i * recordLength, (i + 1) * recordLength);
    for (let w = 0; w < 16; w++) BLOCK[w] = BYTES.readInt32BE(w * 4);
    state.set(SHA256_IV);
    compress(state, BLOCK);
    level.set(state, i * 8);
  }
  // Pair neighbours level by level, a lone last node moving up unchanged: the same root as
  // RFC 9162's split at the largest power of two, whose left part is always complete.
  let count = n;
  while (count > 1) {
    const next = new Int32Array(Math.ceil(count / 2) * 8);
    for (let i = 0; i + 1 < count; i += 2) {
      nodeWords(level, i * 8, (i + 1) * 8, state);
      next.set(state, (i / 2) * 8);
    }
    if (count % 2 === 1) next.set(level.subarray((count - 1) * 8, count * 8), ((count - 1) / 2) * 8);
    level = next;
    count = Math.ceil(count / 2);
  }
  const root = Buffer.alloc(32);
  for (let w = 0; w < 8; w++) root.writeInt32BE(level[w], w * 4);
  return root;
}

/** state := SHA-256(0x01 || left || right), where left and right are 8-word hashes in `words`. */
function nodeWords(words: Int32Array, left: number, right: number, state: Int32Array): void {
  // The message is shifted by the one-byte prefix: word k takes the last byte of word k-1.
  BLOCK[0] = (0x01 << 24) | (words[left] >>> 8);
  for (let k = 1; k < 8; k++) BLOCK[k] = (words[left + k - 1] << 24) | (words[left + k] >>> 8);
  BLOCK[8] = (words[left + 7] << 24) | (words[right] >>> 8);
  for (let k = 9; k < 16; k++) BLOCK[k] = (words[right + k - 9] << 24) | (words[right + k - 8] >>> 8);
  state.set(SHA256_IV);
  compress(state, BLOCK);
  BLOCK[0] = (words[right + 7] << 24) | (0x80 << 16);
  for (let k = 1; k < 15; k++) BLOCK[k] = 0;
  BLOCK[15] = 65 * 8;
  compress(state, BLOCK);
}
