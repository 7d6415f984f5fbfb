import type { ColumnType } from 'kysely';
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

export interface LogTables {
  log_nodes: LogNodesTable;
  log_entries: LogEntriesTable;
  log_tree_heads: LogTreeHeadsTable;
}
