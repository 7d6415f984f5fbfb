import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, TimestampDefault } from '../../db/types.js';

type BigIntColumn = ColumnType<string, number | string | bigint, number | string | bigint>;

export interface LogEntriesTable {
  leaf_index: BigIntColumn;
  kind: string;
  /** The pseudonym of the person the entry is about, if any. */
  subject: string | null;
  /** The exact bytes hashed into the leaf (canonical JSON, UTF-8). */
  entry: string;
  leaf_hash: Buffer;
  logged_at: TimestampDefault;
}

export interface LogTreeHeadsTable {
  tree_size: BigIntColumn;
  root_hash: Buffer;
  published_at: Timestamp;
  jws: string;
}

/** The hash of a complete subtree: 2^level leaves from idx * 2^level (level >= 1; level 0 is log_entries.leaf_hash). */
export interface LogNodesTable {
  level: number;
  idx: BigIntColumn;
  hash: Buffer;
}

/** One entry that commits to many records (a publication's persons): see the migration 2026-11-30T10-00. */
export interface LogBatchesTable {
  id: Generated<string>;
  /** The entry's index, set when it is appended (last, under the append lock). */
  leaf_index: string | null;
  /** The batch's own name, e.g. `breach:<id>` (a publication) or `breach:<id>/expired/<time>` (an expiry sweep); unique. */
  key: string;
  /** What it is about, e.g. `breach:<id>` for a publication and its expiries: a person's proofs are found from it. */
  topic: string;
  record_length: number;
  size: string | null;
  root: Buffer | null;
}

/** Records `block * 4096` onwards of a batch, sorted, concatenated; `hash` is MTH of their leaves. */
export interface LogBatchBlocksTable {
  batch_id: string;
  block: number;
  first_record: Buffer;
  records: Buffer;
  hash: Buffer | null;
}

export interface LogTables {
  log_batches: LogBatchesTable;
  log_batch_blocks: LogBatchBlocksTable;
  log_nodes: LogNodesTable;
  log_entries: LogEntriesTable;
  log_tree_heads: LogTreeHeadsTable;
}
