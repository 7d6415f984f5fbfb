import type { ColumnType, Generated } from 'kysely';
import type { CaTables } from '../features/ca/ca.tables.js';
import type { CreditTables } from '../features/credit/credit.tables.js';
import type { LiftTables } from '../features/credit/lifts.tables.js';
import type { SigninTables } from '../features/signin/signin.tables.js';
import type { TrustTables } from '../features/trust/trust.tables.js';
import type { NotificationTables } from '../features/notifications/notifications.tables.js';
import type { SignaturesOrgTables } from '../features/signatures/signatures.tables.js';
import type { SignaturesUsageTables } from '../features/signatures/usage.tables.js';
import type { IdempotencyTables, RateLimitTables } from './infrastructure.tables.js';
import type { LiteracyTables } from '../features/literacy/literacy.tables.js';
import type { FraudTables } from '../features/fraud/fraud.tables.js';
import type { LogTables } from '../features/log/log.tables.js';

/** Timestamps are written as Date or ISO string and read as Date. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ApiTokensTable {
  id: string;
  name: string;
  role: string;
  secret_hash: Buffer;
  created_at: TimestampDefault;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

export interface DataCategoriesTable {
  code: string;
  label: string;
  created_at: TimestampDefault;
}

export interface OrganizationsTable {
  bin: string;
  name: string;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export type BreachSource = 'hack' | 'insider' | 'misconfiguration' | 'lost_device' | 'third_party' | 'unknown';
export type BreachStatus = 'draft' | 'published' | 'closed' | 'retracted';

export interface BreachesTable {
  seq: Generated<number>;
  id: string;
  organization_bin: string;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  occurred_at: Timestamp | null;
  discovered_at: Timestamp | null;
  day_only_dates: Generated<string[]>;
  disclosed_at: Timestamp | null;
  source: BreachSource;
  data_categories: string[];
  affected_count: ColumnType<number, number | undefined, number>;
  verified: ColumnType<boolean, boolean | undefined, boolean>;
  status: ColumnType<BreachStatus, BreachStatus | undefined, BreachStatus>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  published_at: Timestamp | null;
}

export interface BreachAffectedTable {
  person_hash: Buffer;
  breach_seq: number;
  categories: string[] | null;
}

export interface BreachImportsTable {
  id: Generated<number>;
  breach_id: string;
  source: string;
  format: string;
  status: 'running' | 'completed' | 'failed';
  lines: ColumnType<number, number | undefined, number>;
  accepted: ColumnType<number, number | undefined, number>;
  duplicate: ColumnType<number, number | undefined, number>;
  invalid: ColumnType<number, number | undefined, number>;
  started_at: TimestampDefault;
  heartbeat_at: TimestampDefault;
  finished_at: Timestamp | null;
  error: string | null;
}

/** Each feature declares its own tables; DB joins them. */
export interface DB extends RateLimitTables, IdempotencyTables, CaTables, CreditTables, LiftTables, SigninTables, TrustTables, NotificationTables, SignaturesOrgTables, SignaturesUsageTables, LiteracyTables, FraudTables, LogTables {
  api_tokens: ApiTokensTable;
  data_categories: DataCategoriesTable;
  organizations: OrganizationsTable;
  breaches: BreachesTable;
  breach_affected: BreachAffectedTable;
  breach_imports: BreachImportsTable;
}
