import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, TimestampDefault } from '../../db/types.js';

/** bigint and numeric columns arrive from PostgreSQL as strings. */
type BigId = ColumnType<string, string | number | bigint, string | number | bigint>;
type Money = ColumnType<string, string | number, string | number>;

export type ReportStatus = 'received' | 'linked' | 'under_investigation' | 'solved' | 'closed';
export type ClusterStatus = 'open' | 'under_investigation' | 'solved' | 'closed';
export type LinkState = 'linked' | 'warning' | 'over_correlating' | 'cleared' | 'undone';

export interface FraudClustersTable {
  id: Generated<string>;
  merged_into: BigId | null;
  report_count: ColumnType<number, number | undefined, number>;
  total_loss_kzt: ColumnType<string, string | number | undefined, string | number>;
  first_at: Timestamp | null;
  last_at: Timestamp | null;
  regions: ColumnType<string[], string[] | undefined, string[]>;
  status: ColumnType<ClusterStatus, ClusterStatus | undefined, ClusterStatus>;
  assignee: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface FraudReportsTable {
  seq: Generated<string>;
  id: string;
  tracking_hash: Buffer;
  reporter_kind: 'victim' | 'anonymous' | 'volunteer';
  victim_hash: Buffer | null;
  volunteer_hash: Buffer | null;
  contact: string | null;
  occurred_at: Timestamp;
  region: string;
  channel: string;
  scheme: string;
  amount: Money;
  currency: string;
  loss_kzt: Money;
  payment_method: string;
  narrative: string;
  signed_document_id: string | null;
  status: ColumnType<ReportStatus, ReportStatus | undefined, ReportStatus>;
  status_changed_at: TimestampDefault;
  cluster_id: BigId | null;
  received_at: TimestampDefault;
  /** The victim's age group, when told (joined with the literacy index by region and age group). */
  victim_age_group: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface FraudIdentifiersTable {
  id: Generated<string>;
  kind: string;
  value: string;
  display: string;
  country: string | null;
  report_count: ColumnType<number, number | undefined, number>;
  total_loss_kzt: ColumnType<string, string | number | undefined, string | number>;
  first_seen: Timestamp | null;
  last_seen: Timestamp | null;
  over_correlating_at: Timestamp | null;
  cleared_at: Timestamp | null;
  cluster_id: BigId | null;
  connection_count: number | null;
  connections_checked_reports: ColumnType<number, number | undefined, number>;
}

export interface FraudReportIdentifiersTable {
  report_seq: BigId;
  identifier_id: BigId;
  as_reported: string;
  state: LinkState;
  state_reason: string | null;
}

export interface FraudManualLinksTable {
  id: Generated<string>;
  report_a: BigId;
  report_b: BigId;
  created_by: string;
  note: string;
  created_at: TimestampDefault;
  undone_at: Timestamp | null;
}

export interface FraudClusterNotesTable {
  id: Generated<string>;
  cluster_id: BigId;
  author: string;
  text: string;
  created_at: TimestampDefault;
}

export interface FraudAccessLogTable {
  id: Generated<string>;
  at: TimestampDefault;
  actor: string;
  action: string;
  subject: string;
  detail: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface FraudAttachmentsTable {
  id: string;
  report_seq: BigId;
  media_type: string;
  file_name: string;
  size: number;
  sha256: string;
  content: Buffer;
}

export interface FraudWarningListTable {
  kind: string;
  value: string;
  display: string;
  owner: string;
  note: string | null;
  source: string;
  added_at: TimestampDefault;
}

export interface FraudAppealsTable {
  id: string;
  tracking_hash: Buffer;
  kind: string;
  value: string;
  display: string;
  contact: string;
  statement: string;
  status: ColumnType<'pending' | 'upheld' | 'rejected', 'pending' | 'upheld' | 'rejected' | undefined, 'pending' | 'upheld' | 'rejected'>;
  answer: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  created_at: TimestampDefault;
}

export interface FraudVolunteersTable {
  person_hash: Buffer;
  added_by: string;
  added_at: TimestampDefault;
}

export interface FraudLookupCountersTable {
  key_id: string;
  window_start: Timestamp;
  shard: number;
  count: number;
}

export interface FraudLookupsTable {
  id: Generated<string>;
  key_id: string;
  at: TimestampDefault;
  kind: string;
  value: string;
  found: boolean;
}

export interface FraudTotalsTable {
  id: number;
  report_count: BigId;
}

export interface FraudTables {
  fraud_clusters: FraudClustersTable;
  fraud_reports: FraudReportsTable;
  fraud_identifiers: FraudIdentifiersTable;
  fraud_report_identifiers: FraudReportIdentifiersTable;
  fraud_manual_links: FraudManualLinksTable;
  fraud_cluster_notes: FraudClusterNotesTable;
  fraud_access_log: FraudAccessLogTable;
  fraud_attachments: FraudAttachmentsTable;
  fraud_warning_list: FraudWarningListTable;
  fraud_appeals: FraudAppealsTable;
  fraud_volunteers: FraudVolunteersTable;
  fraud_lookup_counters: FraudLookupCountersTable;
  fraud_lookups: FraudLookupsTable;
  fraud_totals: FraudTotalsTable;
}
