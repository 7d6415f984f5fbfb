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

export interface LogTables {
  log_entries: LogEntriesTable;
  log_tree_heads: LogTreeHeadsTable;
}
