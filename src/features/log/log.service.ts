import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { Es256Key, type Es256PublicJwk } from '../../auth/es256-key.js';
import { AppError } from '../../errors/app-error.js';
import { consistencyProof, inclusionProof, leafHash, treeRoot } from './merkle.js';

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
  return index;
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

  /** Leaf hashes of the first `size` entries (all when omitted), in leaf order. */
  async leaves(size?: number): Promise<Buffer[]> {
    let q = this.db.selectFrom('log_entries').select('leaf_hash').orderBy('leaf_index');
    if (size !== undefined) q = q.where('leaf_index', '<', String(size));
    return (await q.execute()).map((r) => Buffer.from(r.leaf_hash));
  }

  async size(): Promise<number> {
    const { n } = await this.db.selectFrom('log_entries').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
    return Number(n);
  }

  /** Signs and stores a tree head over the whole log now (the same size twice gives the stored one). */
  async publish(): Promise<TreeHead> {
    return this.db.transaction().execute(async (trx) => {
      // Appends wait while the head is computed, so the size and root belong together.
      await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(trx);
      const leaves = (await trx.selectFrom('log_entries').select('leaf_hash').orderBy('leaf_index').execute()).map((r) => Buffer.from(r.leaf_hash));
      const existing = await trx.selectFrom('log_tree_heads').selectAll().where('tree_size', '=', String(leaves.length)).executeTakeFirst();
      if (existing) return headOf(existing);
      const root = treeRoot(leaves);
      const timestamp = this.clock().toISOString();
      const payload = { treeSize: leaves.length, rootHash: hex(root), timestamp };
      const jws = this.key.signCompact(JSON.stringify(payload));
      await trx.insertInto('log_tree_heads').values({ tree_size: leaves.length, root_hash: root, published_at: timestamp, jws }).execute();
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
    return consistencyProof(await this.leaves(second), first, second).map(hex);
  }

  async inclusion(index: number, size: number): Promise<{ leafHash: string; auditPath: string[] }> {
    const total = await this.size();
    if (size > total) throw AppError.badRequest('log-size-too-large', `The log holds ${total} entries; ask for a size up to ${total}.`);
    if (index >= size) throw AppError.badRequest('log-index-out-of-range', `Entry ${index} is not in a tree of ${size} entries; ask for an index below the size.`);
    const leaves = await this.leaves(size);
    return { leafHash: hex(leaves[index]), auditPath: inclusionProof(leaves, index, size).map(hex) };
  }

  /** Entries about the person with this pseudonym, each with its inclusion proof in the latest tree head. */
  async entriesAbout(subject: Buffer): Promise<{ treeHead: TreeHead; entries: (LoggedEntry & { auditPath: string[] })[] }> {
    const treeHead = await this.latest();
    const rows = await this.db
      .selectFrom('log_entries')
      .select(['leaf_index', 'kind', 'entry', 'leaf_hash'])
      .where('subject', '=', subject.toString('hex'))
      .orderBy('leaf_index')
      .execute();
    const leaves = await this.leaves(treeHead.treeSize);
    return {
      treeHead,
      entries: rows.map((r) => {
        const index = Number(r.leaf_index);
        const auditPath = index < treeHead.treeSize ? inclusionProof(leaves, index, treeHead.treeSize).map(hex) : [];
        return { index, kind: r.kind, entry: r.entry, leafHash: hex(Buffer.from(r.leaf_hash)), auditPath };
      }),
    };
  }
}

function headOf(row: { tree_size: string; root_hash: Buffer; published_at: Date; jws: string }): TreeHead {
  return { treeSize: Number(row.tree_size), rootHash: hex(Buffer.from(row.root_hash)), timestamp: row.published_at.toISOString(), signature: row.jws };
}
