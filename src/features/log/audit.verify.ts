import { sql, type Kysely, type RawBuilder } from 'kysely';
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import type { DB } from '../../db/types.js';
import type { Es256PublicJwk } from '../../auth/es256-key.js';
import { consistencyProof, leafHash, nodeHash, recordsRoot, treeRoot, verifyConsistency } from './merkle.js';
import { recordBlocks } from './log.service.js';

/**
 * Recomputes a batch's records from the rows its change left (a port: the feature that made the
 * change knows its tables), or null when it cannot. Given the entry's kind and details.
 */
export type BatchRecordsSource = (kind: string, details: Record<string, unknown>) => RawBuilder<{ record: Buffer }> | null;

export interface VerifyReport {
  ok: boolean;
  entries: number;
  treeHeads: number;
  /** Plain sentences, first problem first. */
  problems: string[];
  /** The leaf index of the first entry found to differ, when one can be named. */
  firstBadIndex: number | null;
}

/** Checks a compact ES256 JWS against a JWK; gives its payload or null. */
export function verifyTreeHeadJws(jws: string, jwk: Es256PublicJwk | JsonWebKey): Record<string, unknown> | null {
  const [header, payload, signature] = jws.split('.');
  if (!header || !payload || !signature) return null;
  try {
    const key = createPublicKey({ key: jwk as unknown as JsonWebKey, format: 'jwk' });
    if (!verify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))) return null;
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

/**
 * Recomputes the tree from the rows in the database and holds it against every published
 * tree head (signature, root) and the consistency between consecutive heads. Each entry
 * carries its own index, so a changed, deleted, reordered or inserted row is named.
 */
export async function verifyLog(db: Kysely<DB>, publicJwk: Es256PublicJwk, options: { batchRecords?: BatchRecordsSource } = {}): Promise<VerifyReport> {
  const rows = await db.selectFrom('log_entries').select(['leaf_index', 'entry', 'leaf_hash']).orderBy('leaf_index').execute();
  const heads = (await db.selectFrom('log_tree_heads').selectAll().orderBy('tree_size').execute()).map((h) => ({ ...h, root_hash: Buffer.from(h.root_hash) }));
  const problems: string[] = [];
  let firstBadIndex: number | null = null;
  const bad = (index: number, message: string) => {
    if (firstBadIndex === null || index < firstBadIndex) firstBadIndex = index;
    problems.push(message);
  };

  const leaves: Buffer[] = [];
  rows.forEach((row, position) => {
    const stored = Number(row.leaf_index);
    const recomputed = leafHash(row.entry);
    leaves.push(recomputed);
    if (stored !== position) bad(position, `entry ${position} is missing: the row at that place has index ${stored} (a row was deleted or inserted).`);
    if (!recomputed.equals(Buffer.from(row.leaf_hash))) bad(position, `entry ${position} was changed: its text no longer hashes to its stored leaf hash.`);
    let claimed: unknown;
    try {
      claimed = (JSON.parse(row.entry) as { index?: unknown }).index;
    } catch {
      claimed = undefined;
    }
    if (claimed !== position) bad(position, `entry ${position} says it is entry ${String(claimed)} (rows were reordered, inserted or deleted).`);
  });

  // The stored subtree hashes the proofs are answered from: each must be the hash of its two
  // children (from the stored leaf hashes, so that a changed entry is named above and not
  // again here), and every complete subtree must be there. Only the first few are listed.
  const nodeProblems: string[] = [];
  const stored = await db.selectFrom('log_nodes').select(['level', 'idx', 'hash']).orderBy('level').orderBy('idx').execute();
  const storedAt = new Map(stored.map((n) => [`${n.level}:${Number(n.idx)}`, Buffer.from(n.hash)]));
  let level: Buffer[] = rows.map((r) => Buffer.from(r.leaf_hash));
  for (let l = 1; level.length >= 2; l++) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
    next.forEach((hash, i) => {
      const got = storedAt.get(`${l}:${i}`);
      const first = i * 2 ** l;
      if (!got) nodeProblems.push(`the stored subtree hash over entries ${first} to ${first + 2 ** l - 1} is missing: proofs over them cannot be answered.`);
      else if (!got.equals(hash)) nodeProblems.push(`the stored subtree hash over entries ${first} to ${first + 2 ** l - 1} does not match the entries: proofs over them would be wrong.`);
      storedAt.delete(`${l}:${i}`);
    });
    level = next;
  }
  for (const key of storedAt.keys()) nodeProblems.push(`a stored subtree hash (level:index ${key}) covers entries the log does not hold.`);
  problems.push(...nodeProblems.slice(0, 5));
  if (nodeProblems.length > 5) problems.push(`... and ${nodeProblems.length - 5} more stored subtree hashes that do not match.`);

  await verifyBatches(db, rows, options.batchRecords, bad, problems);

  let previous: { size: number; root: Buffer } | null = null;
  for (const head of heads) {
    const size = Number(head.tree_size);
    const payload = verifyTreeHeadJws(head.jws, publicJwk);
    if (!payload || payload.treeSize !== size || payload.rootHash !== head.root_hash.toString('hex')) {
      problems.push(`the tree head of size ${size} is not signed by the log key or its signature does not match its row.`);
    }
    if (size > leaves.length) {
      bad(leaves.length, `the tree head of size ${size} covers entries the database no longer holds (it holds ${leaves.length}).`);
      continue;
    }
    const root = treeRoot(leaves, 0, size);
    if (!root.equals(head.root_hash)) {
      const from = previous && treeRoot(leaves, 0, previous.size).equals(previous.root) ? previous.size : 0;
      // An entry named above is exact; a head only bounds where the difference is.
      if (firstBadIndex === null) firstBadIndex = from;
      problems.push(`the tree recomputed from the database does not match the published head of size ${size}: an entry between ${from} and ${size - 1} differs.`);
    }
    if (previous && !verifyConsistency(previous.size, size, previous.root, head.root_hash, consistencyProof(leaves, previous.size, size))) {
      problems.push(`the published heads of size ${previous.size} and ${size} are not consistent with each other over the database's entries.`);
    }
    previous = { size, root: head.root_hash };
  }
  return { ok: problems.length === 0, entries: rows.length, treeHeads: heads.length, problems, firstBadIndex };
}

/**
 * Each batch entry (a publication of many persons) against its records: the stored blocks must
 * hash to the root the entry names (else a person's proofs would be wrong), and, through the
 * port, the rows the change left (the restrictions) must still give exactly those records.
 */
async function verifyBatches(
  db: Kysely<DB>,
  entries: { leaf_index: string; entry: string }[],
  source: BatchRecordsSource | undefined,
  bad: (index: number, message: string) => void,
  problems: string[],
): Promise<void> {
  const batches = await db.selectFrom('log_batches').selectAll().orderBy('id').execute();
  for (const batch of batches) {
    if (batch.leaf_index === null) {
      problems.push(`the log batch ${batch.key} has no entry in the log.`);
      continue;
    }
    const index = Number(batch.leaf_index);
    let details: Record<string, unknown> & { batch?: { key?: string; records?: number; recordLength?: number; root?: string } } = {};
    let kind = '';
    try {
      const parsed = JSON.parse(entries[index]?.entry ?? '{}') as { kind?: string; details?: typeof details };
      details = parsed.details ?? {};
      kind = parsed.kind ?? '';
    } catch {
      // The entry itself is named above.
    }
    const claimed = details.batch;
    if (!claimed || claimed.key !== batch.key || claimed.records !== Number(batch.size) || !batch.root || claimed.root !== Buffer.from(batch.root).toString('hex')) {
      bad(index, `entry ${index} does not name the batch ${batch.key} as stored (key, count or root differs).`);
      continue;
    }
    const L = batch.record_length;
    const hashes: Buffer[] = [];
    let size = 0;
    let storedBad: number | null = null;
    for (let from = 0; ; from += 256) {
      const blocks = await db.selectFrom('log_batch_blocks').select(['block', 'records', 'hash']).where('batch_id', '=', batch.id).where('block', '>=', from).where('block', '<', from + 256).orderBy('block').execute();
      for (const b of blocks) {
        const records = Buffer.from(b.records);
        const hash = records.length % L === 0 ? recordsRoot(records, L) : Buffer.alloc(32);
        if (b.block !== hashes.length || !b.hash || !hash.equals(Buffer.from(b.hash))) storedBad ??= b.block;
        hashes.push(hash);
        size += Math.floor(records.length / L);
      }
      if (blocks.length < 256) break;
    }
    if (storedBad !== null || size !== claimed.records || !treeRoot(hashes).equals(Buffer.from(claimed.root ?? '', 'hex'))) {
      bad(index, `the stored records of entry ${index} (${batch.key}) do not hash to the root it names${storedBad !== null ? `, from record ${storedBad * 4096} on` : ''}: proofs from them would be wrong.`);
      continue;
    }
    const fromRows = source?.(kind, details);
    if (!fromRows) continue;
    const diff = await sql<{ block: number }>`
      select coalesce(a.block, s.block) as block
      from ${recordBlocks(fromRows)} as a
      full join (select block, records from log_batch_blocks where batch_id = ${batch.id}::bigint) as s on s.block = a.block
      where a.records is distinct from s.records
      order by 1 limit 1`.execute(db);
    if (diff.rows.length > 0) {
      bad(index, `the rows of the change logged as entry ${index} (${batch.key}) no longer give the records it committed to, from record ${Number(diff.rows[0].block) * 4096} on: a row was changed, deleted or added.`);
    }
  }
}
