import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/types.js';
import { Es256Key, type Es256PublicJwk } from '../../auth/es256-key.js';
import { AppError } from '../../errors/app-error.js';
import { completeSubtrees, consistencyPlan, inclusionPlan, leafHash, rangeRoot, recordsRoot, treeRoot, type LeafRange, type NodeId } from './merkle.js';

/** What a feature records: a kind, the pseudonym of the person it is about (if any) and plain details without raw IINs. */
export interface LogEntryInput {
  kind: string;
  /** The person's IIN, turned into the pseudonym here (for features that hold the IIN, like the CA); never stored. */
  subjectIin?: string | null;
  /** The person's pseudonym (HMAC of the IIN), never the IIN itself. */
  subject?: Buffer | null;
  details: Record<string, unknown>;
}

/**
 * Advisory lock key that serializes appends: a second appender waits at the lock until the
 * first commits, so leaf order is commit order and no index is skipped or shared.
 */
const APPEND_LOCK = 0x716f_6c67; // 'qolg'

/** JSON with object keys sorted, so the logged bytes do not depend on property order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return `{${Object.keys(value as object)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

let pseudonymize: ((iin: string) => Buffer) | null = null;

/** The port that turns an IIN into its pseudonym, set once where the key is known (the app, the CLI). */
export function setLogPseudonymizer(port: (iin: string) => Buffer): void {
  pseudonymize = port;
}

/**
 * Appends one entry to the transparency log inside `trx`, the transaction that makes the
 * change it records: both commit or neither does. The leaf binds its own index, so a
 * reordered row no longer matches its hash.
 */
export async function appendToLog(trx: Kysely<DB>, input: LogEntryInput): Promise<number> {
  if (!trx.isTransaction) throw new Error('appendToLog must run inside the transaction of the change it records');
  await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(trx);
  const { next } = await trx
    .selectFrom('log_entries')
    .select(sql<string>`coalesce(max(leaf_index) + 1, 0)`.as('next'))
    .executeTakeFirstOrThrow();
  const index = Number(next);
  const pseudonym = input.subject ?? (input.subjectIin && pseudonymize ? pseudonymize(input.subjectIin) : null);
  const subject = pseudonym ? pseudonym.toString('hex') : null;
  const loggedAt = new Date();
  const entry = canonical({ index, kind: input.kind, subject, details: input.details, at: loggedAt.toISOString() });
  await trx.insertInto('log_entries').values({ leaf_index: index, kind: input.kind, subject, entry, leaf_hash: leafHash(entry), logged_at: loggedAt }).execute();
  await storeCompleteNodes(trx, index, index);
  return index;
}

/**
 * Appends one entry per row of `rows` in ONE statement, for changes made set-based (a breach's
 * publication restricts millions of persons at once; expiries are swept together). `rows`
 * selects `subject` (the pseudonym, bytea, or null), `details` (jsonb) and `sort_key` (text:
 * the leaf order); `options.with` names the CTEs it reads. The entry text is built in SQL in the same shape appendToLog writes
 * (top-level keys sorted; details in jsonb's own text form), and its leaf hash is SHA-256 in
 * SQL, so the rows never travel to this process.
 */
export async function appendManyToLog(trx: Kysely<DB>, kind: string, rows: RawBuilder<unknown>, options: { with?: RawBuilder<unknown> } = {}): Promise<{ first: number; count: number }> {
  if (!trx.isTransaction) throw new Error('appendManyToLog must run inside the transaction of the change it records');
  await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(trx);
  const { next } = await trx.selectFrom('log_entries').select(sql<string>`coalesce(max(leaf_index) + 1, 0)`.as('next')).executeTakeFirstOrThrow();
  const first = Number(next);
  const loggedAt = new Date();
  // A data-modifying CTE (`with placed as (insert ... returning ...)`) lets the change and its
  // entries be one statement: the rows are not read twice.
  const prefix = options.with ? sql`with ${options.with} ` : sql``;
  const result = await sql`${prefix}
    insert into log_entries (leaf_index, kind, subject, entry, leaf_hash, logged_at)
    select e.leaf_index, ${kind}, e.subject, e.entry, sha256(decode('00', 'hex') || convert_to(e.entry, 'UTF8')), ${loggedAt}::timestamptz
    from (
      select q.leaf_index, q.subject,
             '{"at":' || to_json(${loggedAt.toISOString()}::text)::text || ',"details":' || q.details::text || ',"index":' || q.leaf_index
               || ',"kind":' || to_json(${kind}::text)::text || ',"subject":' || coalesce(to_json(q.subject)::text, 'null') || '}' as entry
      from (
        select ${first}::bigint + row_number() over (order by s.sort_key) - 1 as leaf_index,
               encode(s.subject, 'hex') as subject, s.details::jsonb as details
        from (${rows}) as s
      ) q
    ) e`.execute(trx);
  const count = Number(result.numAffectedRows ?? 0n);
  if (count > 0) await storeCompleteNodes(trx, first, first + count - 1);
  return { first, count };
}

/** Records per stored block of a batch: a block is the complete subtree of level BLOCK_LEVEL (4096 leaves). */
export const BLOCK_LEVEL = 12;
const BLOCK_RECORDS = 2 ** BLOCK_LEVEL;

export interface BatchInput {
  kind: string;
  /** The batch's name (`breach:<id>`, `breach:<id>/expired/<time>`); unique. */
  key: string;
  /** What it is about, for a person's proofs (`breach:<id>` for a publication and its expiries); the key when omitted. */
  topic?: string;
  details: Record<string, unknown>;
  /** The length of every record; a record starts with the 32-byte pseudonym of the person it is about. */
  recordLength: number;
  /** Selects `record` (bytea of recordLength bytes), one row per leaf. */
  records: RawBuilder<{ record: Buffer }>;
}

/**
 * The records of `records`, sorted, in blocks of 4096: `(block, records)` rows as one SQL
 * subquery. Sorting in SQL makes the leaf order the byte order of the records, which anyone
 * can recompute; the audit builds the same blocks from the rows a change left.
 */
export function recordBlocks(records: RawBuilder<{ record: Buffer }>): RawBuilder<{ block: number; records: Buffer }> {
  return sql`(select g.block, string_agg(g.record, ''::bytea order by g.record) as records
    from (select s.record, ((row_number() over (order by s.record)) - 1) / ${BLOCK_RECORDS} as block from (${records}) as s) g
    group by g.block)`;
}

/**
 * Appends ONE entry that commits to many records (a breach's publication: one record per
 * person restricted), inside `trx`, the transaction of the change. The records are sorted and
 * stored in blocks by SQL, hashed here block by block (MTH over leafHash(record), RFC 9162),
 * and the entry's details carry their count and root. The append lock is taken only at the end,
 * for the one entry: the heavy work does not hold up every other append.
 */
export async function appendBatchToLog(trx: Kysely<DB>, input: BatchInput): Promise<{ index: number; size: number; root: Buffer }> {
  if (!trx.isTransaction) throw new Error('appendBatchToLog must run inside the transaction of the change it records');
  const { id } = await trx.insertInto('log_batches').values({ key: input.key, topic: input.topic ?? input.key, record_length: input.recordLength }).returning('id').executeTakeFirstOrThrow();
  const L = input.recordLength;
  await sql`insert into log_batch_blocks (batch_id, block, first_record, records)
    select ${id}::bigint, b.block, substring(b.records from 1 for ${L}::int), b.records from ${recordBlocks(input.records)} as b`.execute(trx);
  const hashes: Buffer[] = [];
  let size = 0;
  let previousLast: Buffer | null = null;
  await sql`declare log_batch_read no scroll cursor for select block, records from log_batch_blocks where batch_id = ${id}::bigint order by block`.execute(trx);
  const fetchBlocks = () => sql<{ block: number; records: Buffer }>`fetch 64 from log_batch_read`.execute(trx);
  for (let next = fetchBlocks(); ; ) {
    const { rows } = await next;
    if (rows.length === 0) break;
    // The database sends the next blocks while these are hashed.
    next = fetchBlocks();
    for (const row of rows) {
      const records = Buffer.from(row.records);
      if (row.block !== hashes.length || records.length % L !== 0) throw new Error(`log batch ${id}: block ${row.block} is not the next whole block`);
      const first = records.subarray(0, L);
      if (previousLast && Buffer.compare(previousLast, first) > 0) throw new Error(`log batch ${id}: block ${row.block} is out of order`);
      previousLast = Buffer.from(records.subarray(records.length - L));
      hashes.push(recordsRoot(records, L));
      size += records.length / L;
    }
  }
  await sql`close log_batch_read`.execute(trx);
  if (hashes.length > 0) {
    await sql`update log_batch_blocks k set hash = substring(${Buffer.concat(hashes)}::bytea from k.block * 32 + 1 for 32) where k.batch_id = ${id}::bigint`.execute(trx);
  }
  const root = treeRoot(hashes);
  const index = await appendToLog(trx, { kind: input.kind, details: { ...input.details, batch: { key: input.key, records: size, recordLength: L, root: root.toString('hex') } } });
  await trx.updateTable('log_batches').set({ leaf_index: String(index), size: String(size), root }).where('id', '=', id).execute();
  return { index, size, root };
}

/** The details of the entry of the batch named `key` (as logged), or null when there is none. */
export async function batchEntryDetails(db: Kysely<DB>, key: string): Promise<Record<string, unknown> | null> {
  const row = await db.selectFrom('log_batches as b').innerJoin('log_entries as e', 'e.leaf_index', 'b.leaf_index').select('e.entry').where('b.key', '=', key).executeTakeFirst();
  return row ? (JSON.parse(row.entry) as { details: Record<string, unknown> }).details : null;
}

/** A record's place in a batch and its audit path to the batch root (RFC 9162 2.1.3). */
export interface BatchMembership {
  record: Buffer;
  position: number;
  size: number;
  root: Buffer;
  auditPath: Buffer[];
}

/**
 * The records about `subject` (a pseudonym: the first 32 bytes of a record) in the batch, each
 * with its audit path. Reads the blocks that can hold it and, for the subtrees above a block,
 * the stored block hashes (the complete subtrees of level 12); a partial last block is
 * hashed from its records.
 */
export async function batchMemberships(db: Kysely<DB>, batchId: string, subject: Buffer): Promise<BatchMembership[]> {
  const batch = await db.selectFrom('log_batches').select(['record_length', 'size', 'root']).where('id', '=', batchId).executeTakeFirst();
  if (!batch || batch.size === null || batch.root === null) return [];
  const L = batch.record_length;
  const size = Number(batch.size);
  const upper = Buffer.concat([subject, Buffer.alloc(L - subject.length, 0xff)]);
  // A person's records are consecutive; they start in the last block that begins at or before them, or the one before it.
  const candidates = await db.selectFrom('log_batch_blocks').select(['block', 'records']).where('batch_id', '=', batchId).where('first_record', '<=', upper).orderBy('first_record', 'desc').limit(2).execute();
  const positions: { position: number; record: Buffer }[] = [];
  for (const c of candidates.sort((a, b) => a.block - b.block)) {
    const records = Buffer.from(c.records);
    for (let at = 0; at < records.length; at += L) {
      if (records.compare(subject, 0, subject.length, at, at + subject.length) === 0) positions.push({ position: c.block * BLOCK_RECORDS + at / L, record: Buffer.from(records.subarray(at, at + L)) });
    }
  }
  if (positions.length === 0) return [];
  const plans = positions.map((p) => inclusionPlan(p.position, size));
  const nodes = plans.flat().flatMap(completeSubtrees);
  const low = [...new Set(nodes.filter((n) => n.level < BLOCK_LEVEL).map((n) => Math.floor((n.index * 2 ** n.level) / BLOCK_RECORDS)))];
  const [blockHashes, lowBlocks] = await Promise.all([
    db.selectFrom('log_batch_blocks').select(['block', 'hash']).where('batch_id', '=', batchId).orderBy('block').execute(),
    low.length ? db.selectFrom('log_batch_blocks').select(['block', 'records']).where('batch_id', '=', batchId).where('block', 'in', low).execute() : Promise.resolve([]),
  ]);
  const fullHashes = blockHashes.map((b) => Buffer.from(b.hash!));
  const leavesOf = new Map(lowBlocks.map((b) => {
    const records = Buffer.from(b.records);
    const leaves: Buffer[] = [];
    for (let at = 0; at < records.length; at += L) leaves.push(leafHash(records.subarray(at, at + L)));
    return [b.block, leaves] as const;
  }));
  const hashOf = (n: NodeId): Buffer => {
    if (n.level >= BLOCK_LEVEL) {
      const width = 2 ** (n.level - BLOCK_LEVEL);
      return treeRoot(fullHashes, n.index * width, (n.index + 1) * width);
    }
    const first = n.index * 2 ** n.level;
    const block = Math.floor(first / BLOCK_RECORDS);
    const leaves = leavesOf.get(block)!;
    const from = first - block * BLOCK_RECORDS;
    return treeRoot(leaves, from, from + 2 ** n.level);
  };
  return positions.map((p, i) => ({ record: p.record, position: p.position, size, root: Buffer.from(batch.root!), auditPath: plans[i].map((r) => rangeRoot(r, hashOf)) }));
}

/**
 * Stores the hash of every complete subtree that the leaves `from`..`to` (just appended)
 * complete, level by level, one set-based statement per level: a node of level L covers the
 * 2^L leaves from index * 2^L, and never changes once complete. A proof then reads O(log n)
 * of them instead of every leaf. Level 0 is the leaf hash in log_entries.
 */
export async function storeCompleteNodes(trx: Kysely<DB>, from: number, to: number): Promise<void> {
  for (let level = 1; ; level++) {
    const width = 2 ** level;
    // Nodes of this level whose last leaf is among the new ones.
    const lo = Math.ceil((from + 1) / width) - 1;
    const hi = Math.floor((to + 1) / width) - 1;
    if (lo > hi) return;
    const children =
      level === 1
        ? sql`(select leaf_index as idx, leaf_hash as hash from log_entries where leaf_index between ${2 * lo} and ${2 * hi + 1})`
        : sql`(select idx, hash from log_nodes where level = ${level - 1} and idx between ${2 * lo} and ${2 * hi + 1})`;
    await sql`
      insert into log_nodes (level, idx, hash)
      select ${level}::smallint, l.idx / 2, sha256(decode('01', 'hex') || l.hash || r.hash)
      from ${children} l join ${children} r on r.idx = l.idx + 1
      where l.idx % 2 = 0`.execute(trx);
  }
}

/** The hashes of these complete subtrees, in one query; `rows` counts what was read (O(log n) per proof). */
async function readNodes(db: Kysely<DB>, nodes: NodeId[]): Promise<{ hashOf: (node: NodeId) => Buffer; rows: number }> {
  const key = (n: NodeId) => `${n.level}:${n.index}`;
  const unique = [...new Map(nodes.map((n) => [key(n), n])).values()];
  const leaves = unique.filter((n) => n.level === 0).map((n) => String(n.index));
  const inner = unique.filter((n) => n.level > 0);
  const result = await sql<{ level: number; idx: string; hash: Buffer }>`
    select 0 as level, leaf_index as idx, leaf_hash as hash from log_entries where leaf_index = any(${leaves}::bigint[])
    union all
    select n.level, n.idx, n.hash from log_nodes n
    join unnest(${inner.map((n) => n.level)}::int[], ${inner.map((n) => String(n.index))}::bigint[]) as q(level, idx) on n.level = q.level and n.idx = q.idx`.execute(db);
  const found = new Map(result.rows.map((r) => [`${Number(r.level)}:${Number(r.idx)}`, Buffer.from(r.hash)]));
  return {
    rows: result.rows.length,
    hashOf: (n) => {
      const hash = found.get(key(n));
      if (!hash) throw new Error(`the transparency log lacks the subtree hash of level ${n.level}, index ${n.index}`);
      return hash;
    },
  };
}

/** The subtree hashes of `ranges`, read from the stored nodes. */
async function rangeHashes(db: Kysely<DB>, groups: LeafRange[][]): Promise<{ hashes: Buffer[][]; rows: number }> {
  const { hashOf, rows } = await readNodes(db, groups.flat().flatMap(completeSubtrees));
  return { hashes: groups.map((ranges) => ranges.map((r) => rangeRoot(r, hashOf))), rows };
}

export interface TreeHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  /** Compact JWS (ES256) over {treeSize, rootHash, timestamp}. */
  signature: string;
}

export interface LoggedEntry {
  index: number;
  kind: string;
  entry: string;
  leafHash: string;
}

const hex = (b: Buffer) => b.toString('hex');

/** Reads the log, publishes signed tree heads and answers proofs. */
export class LogService {
  readonly publicJwk: Es256PublicJwk;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly key: Es256Key,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.publicJwk = key.publicJwk;
  }

  static keyFromFile(file: string): Es256Key {
    return Es256Key.fromFile(file, 'qorgau-tree-head+jwt', 'transparency log');
  }

  /** Leaf hashes of the first `size` entries (all when omitted), in leaf order (for the audit, which reads everything). */
  async leaves(size?: number): Promise<Buffer[]> {
    let q = this.db.selectFrom('log_entries').select('leaf_hash').orderBy('leaf_index');
    if (size !== undefined) q = q.where('leaf_index', '<', String(size));
    return (await q.execute()).map((r) => Buffer.from(r.leaf_hash));
  }

  /** Entries are numbered without gaps (appends are serialized), so the size is the last index + 1: one index probe, not a count. */
  async size(db: Kysely<DB> = this.db): Promise<number> {
    const { n } = await db.selectFrom('log_entries').select(sql<string>`coalesce(max(leaf_index) + 1, 0)`.as('n')).executeTakeFirstOrThrow();
    return Number(n);
  }

  /** Rows read by the last proof or tree head (O(log n)); tests hold it against the bound. */
  lastRowsRead = 0;

  /** Signs and stores a tree head over the whole log now (the same size twice gives the stored one). */
  async publish(): Promise<TreeHead> {
    return this.db.transaction().execute(async (trx) => {
      // Appends wait while the head is computed, so the size and root belong together.
      await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(trx);
      const size = await this.size(trx);
      const existing = await trx.selectFrom('log_tree_heads').selectAll().where('tree_size', '=', String(size)).executeTakeFirst();
      if (existing) return headOf(existing);
      const { hashes, rows } = await rangeHashes(trx, [[{ lo: 0, hi: size }]]);
      this.lastRowsRead = rows;
      const root = hashes[0][0];
      const timestamp = this.clock().toISOString();
      const payload = { treeSize: size, rootHash: hex(root), timestamp };
      const jws = this.key.signCompact(JSON.stringify(payload));
      await trx.insertInto('log_tree_heads').values({ tree_size: size, root_hash: root, published_at: timestamp, jws }).execute();
      return { ...payload, signature: jws };
    });
  }

  /** The latest published tree head, publishing the first one if there is none. */
  async latest(): Promise<TreeHead> {
    const row = await this.db.selectFrom('log_tree_heads').selectAll().orderBy('tree_size', 'desc').limit(1).executeTakeFirst();
    return row ? headOf(row) : this.publish();
  }

  async heads(): Promise<TreeHead[]> {
    return (await this.db.selectFrom('log_tree_heads').selectAll().orderBy('tree_size').execute()).map(headOf);
  }

  /** Publishes a head only if entries were appended since the last one. */
  async publishIfGrown(): Promise<TreeHead | null> {
    const [size, last] = await Promise.all([this.size(), this.db.selectFrom('log_tree_heads').select(sql<string>`max(tree_size)`.as('m')).executeTakeFirst()]);
    return last?.m !== null && last?.m !== undefined && Number(last.m) === size ? null : this.publish();
  }

  async consistency(first: number, second: number): Promise<string[]> {
    const size = await this.size();
    if (first > second) throw AppError.badRequest('log-sizes-out-of-order', `first (${first}) must not be larger than second (${second}).`);
    if (second > size) throw AppError.badRequest('log-size-too-large', `The log holds ${size} entries; ask for a size up to ${size}.`);
    const { hashes, rows } = await rangeHashes(this.db, [consistencyPlan(first, second)]);
    this.lastRowsRead = rows;
    return hashes[0].map(hex);
  }

  async inclusion(index: number, size: number): Promise<{ leafHash: string; auditPath: string[] }> {
    const total = await this.size();
    if (size > total) throw AppError.badRequest('log-size-too-large', `The log holds ${total} entries; ask for a size up to ${total}.`);
    if (index >= size) throw AppError.badRequest('log-index-out-of-range', `Entry ${index} is not in a tree of ${size} entries; ask for an index below the size.`);
    const { hashes, rows } = await rangeHashes(this.db, [[{ lo: index, hi: index + 1 }], inclusionPlan(index, size)]);
    this.lastRowsRead = rows;
    return { leafHash: hex(hashes[0][0]), auditPath: hashes[1].map(hex) };
  }

  private batchKeysOf: ((subject: Buffer) => Promise<string[]>) | null = null;

  /**
   * The port that names the topics of the batches a person may be in (`breach:<id>` for each
   * breach whose publication restricted them: the publication and its expiries), set by the
   * feature that knows (credit). Without it every batch is searched.
   */
  setBatchKeysFinder(finder: (subject: Buffer) => Promise<string[]>): void {
    this.batchKeysOf = finder;
  }

  /**
   * Entries about the person with this pseudonym, each with its inclusion proof in the latest
   * tree head; and every batch entry (a publication, an expiry sweep) that holds a record about them, with two
   * proofs: the record in the batch's root (named in the entry) and the entry in the tree head.
   */
  async entriesAbout(subject: Buffer): Promise<{ treeHead: TreeHead; entries: (LoggedEntry & { auditPath: string[] })[]; batches: BatchEntry[] }> {
    const treeHead = await this.latest();
    const rows = await this.db
      .selectFrom('log_entries')
      .select(['leaf_index', 'kind', 'entry', 'leaf_hash'])
      .where('subject', '=', subject.toString('hex'))
      .orderBy('leaf_index')
      .execute();
    let batchQuery = this.db.selectFrom('log_batches').select(['id', 'leaf_index']).where('leaf_index', '<', String(treeHead.treeSize));
    if (this.batchKeysOf) {
      const keys = await this.batchKeysOf(subject);
      batchQuery = batchQuery.where('topic', 'in', keys.length ? keys : ['']);
    }
    const batches = await batchQuery.orderBy('leaf_index').execute();
    const found: { index: number; membership: BatchMembership }[] = [];
    for (const b of batches) for (const membership of await batchMemberships(this.db, b.id, subject)) found.push({ index: Number(b.leaf_index), membership });
    const batchEntries = found.length
      ? await this.db.selectFrom('log_entries').select(['leaf_index', 'kind', 'entry', 'leaf_hash']).where('leaf_index', 'in', [...new Set(found.map((f) => String(f.index)))]).execute()
      : [];
    const entryAt = new Map(batchEntries.map((e) => [Number(e.leaf_index), e]));
    const plans = [...rows.map((r) => Number(r.leaf_index)), ...found.map((f) => f.index)].map((index) => (index < treeHead.treeSize ? inclusionPlan(index, treeHead.treeSize) : []));
    const { hashes } = await rangeHashes(this.db, plans);
    return {
      treeHead,
      entries: rows.map((r, i) => ({ index: Number(r.leaf_index), kind: r.kind, entry: r.entry, leafHash: hex(Buffer.from(r.leaf_hash)), auditPath: hashes[i].map(hex) })),
      batches: found.map((f, i) => {
        const e = entryAt.get(f.index)!;
        return {
          index: f.index,
          kind: e.kind,
          entry: e.entry,
          leafHash: hex(Buffer.from(e.leaf_hash)),
          auditPath: hashes[rows.length + i].map(hex),
          record: hex(f.membership.record),
          position: f.membership.position,
          size: f.membership.size,
          root: hex(f.membership.root),
          recordPath: f.membership.auditPath.map(hex),
        };
      }),
    };
  }
}

/** A batch entry (a publication) that holds a record about the person, with both proofs. */
export interface BatchEntry extends LoggedEntry {
  /** The entry's path to the tree head's root. */
  auditPath: string[];
  /** The record (hex): the person's pseudonym and what was decided (see docs/log.md). */
  record: string;
  /** Its place among the batch's sorted records, their count, and their root (named in the entry). */
  position: number;
  size: number;
  root: string;
  /** The record's path to `root`: leaf SHA-256(0x00 || record). */
  recordPath: string[];
}

function headOf(row: { tree_size: string; root_hash: Buffer; published_at: Date; jws: string }): TreeHead {
  return { treeSize: Number(row.tree_size), rootHash: hex(Buffer.from(row.root_hash)), timestamp: row.published_at.toISOString(), signature: row.jws };
}
