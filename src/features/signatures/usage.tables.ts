import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../../db/types.js';

export type UsagePurpose = 'signin' | 'verify' | 'sign' | 'other';
export type AlertRule = 'used-after-departure' | 'two-devices' | 'unrevoked-after-departure' | 'signed-after-departure' | 'unusual-hours';
export type AlertStatus = 'new' | 'escalated' | 'dismissed';
export type ViolationStatus = 'open' | 'fined' | 'appealed' | 'closed';
export type OffenderCategory = 'individual' | 'official' | 'medium' | 'large';

/** int8 columns come back as strings from node-postgres and as numbers from PGlite. */
type BigId = ColumnType<string | number, never, never>;

/** Table types of the usage side of signatures/. Persons appear only as pseudonyms. */
export interface UsageEventsTable {
  id: Generated<string | number>;
  occurred_at: Timestamp;
  received_at: Timestamp;
  certificate_serial: string;
  certificate_issuer: string;
  person_hash: Buffer | null;
  organization_bin: string | null;
  purpose: UsagePurpose;
  outcome: 'accepted' | 'refused';
  refusal: string | null;
  client_ip: string | null;
  network: string | null;
  device_id: string | null;
  signed_at: Timestamp | null;
  signed_at_source: string | null;
  certificate_revoked_at: Timestamp | null;
  source: string;
  /** The reporter's own id of the event: unique per source, so a retried batch is stored once. */
  client_event_id: string | null;
}

export interface UsageDevicesTable {
  certificate_serial: string;
  certificate_issuer: string;
  device_id: string;
  first_event_id: BigId;
  first_seen_at: Timestamp;
}

/** A holder's uses per local hour (index 0 = 00:00-00:59), and their sum. */
export interface UsageHourProfilesTable {
  holder_key: string;
  uses: number[];
  total: number;
}

export interface UsageAlertsTable {
  id: string;
  rule: AlertRule;
  organization_bin: string | null;
  person_hash: Buffer | null;
  certificate_serial: string | null;
  certificate_issuer: string | null;
  evidence_event_ids: ColumnType<(string | number)[], string[] | undefined, string[]>;
  score: number | null;
  details: ColumnType<Record<string, unknown>, string | undefined, string>;
  status: ColumnType<AlertStatus, AlertStatus | undefined, AlertStatus>;
  dedupe_key: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FineScheduleTable {
  violation_type: string;
  offender_category: OffenderCategory;
  description: string;
  min_mci: ColumnType<string, number | string, number | string>;
  max_mci: ColumnType<string, number | string, number | string>;
}

export interface ViolationCasesTable {
  id: string;
  alert_id: string | null;
  organization_bin: string;
  person_hash: Buffer | null;
  rule: string;
  violation_type: string;
  offender_category: OffenderCategory;
  evidence_event_ids: ColumnType<(string | number)[], string[], string[]>;
  status: ViolationStatus;
  decision: string | null;
  fine_mci: ColumnType<string | null, number | string | null, number | string | null>;
  fine_year: number | null;
  fine_tenge: ColumnType<string | null, number | string | null, number | string | null>;
  opened_by: string;
  opened_at: Timestamp;
  updated_at: Timestamp;
}

export interface SignaturesUsageTables {
  usage_events: UsageEventsTable;
  usage_devices: UsageDevicesTable;
  usage_hour_profiles: UsageHourProfilesTable;
  usage_alerts: UsageAlertsTable;
  fine_schedule: FineScheduleTable;
  violation_cases: ViolationCasesTable;
}
