import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, TimestampDefault } from '../../db/types.js';

/** Table types of credit/. Persons appear only as pseudonyms (HMAC-SHA-256 of the IIN). */
export type RestrictionKind = 'protective' | 'voluntary';
export type CreditProduct = 'bank_loan' | 'microcredit';
export type CreditChannel = 'online' | 'in_person';
export type LenderLicence = 'bank' | 'mfo';
export type CheckDecision = 'allow' | 'deny';

export interface PolicyRule {
  name: string;
  /** Every one of these categories must be in the breach. */
  all: string[];
  /** At least one of these must be too (an empty list asks for none). */
  any: string[];
  products: CreditProduct[];
  channels: CreditChannel[];
  days: number;
}

export interface CreditPoliciesTable {
  version: number;
  rules: ColumnType<PolicyRule[], string, string>;
  note: ColumnType<string, string | undefined, string>;
  created_by: string;
  created_at: TimestampDefault;
}

export interface RestrictionsTable {
  id: Generated<string>;
  person_hash: Buffer;
  kind: RestrictionKind;
  products: CreditProduct[];
  channels: CreditChannel[];
  since: Timestamp;
  /** null for voluntary restrictions: they last until lifted. */
  until: Timestamp | null;
  reason: string;
  breach_id: string | null;
  policy_version: number | null;
  created_at: TimestampDefault;
  /** Set by a full lift. */
  ended_at: Timestamp | null;
}

/** How far restrictions ended by policy (`until`) have been written to the transparency log: one row. */
export interface RestrictionExpiryLogTable {
  logged_until: Timestamp;
}

export interface LendersTable {
  bin: string;
  name: string;
  licence: LenderLicence;
  created_at: TimestampDefault;
  disabled_at: Timestamp | null;
}

export interface LenderApiKeysTable {
  id: string;
  lender_bin: string;
  scopes: string[];
  secret_hash: Buffer;
  created_at: TimestampDefault;
  revoked_at: Timestamp | null;
}

export interface CreditInquiriesTable {
  id: string;
  lender_bin: string;
  person_hash: Buffer;
  product: CreditProduct;
  channel: CreditChannel;
  amount: ColumnType<string | null, string | number | null, string | number | null>;
  decision: CheckDecision;
  restriction_ids: string[];
  checked_at: Timestamp;
}

export interface CreditLoanReportsTable {
  id: string;
  check_id: string;
  lender_bin: string;
  person_hash: Buffer;
  amount: ColumnType<string, string | number, string | number>;
  issued_on: ColumnType<Date, string, string>;
  status: ColumnType<'open' | 'written_off' | 'rejected', 'open' | 'written_off' | 'rejected' | undefined>;
  created_at: TimestampDefault;
}

export interface CreditTables {
  credit_policies: CreditPoliciesTable;
  restrictions: RestrictionsTable;
  restriction_expiry_log: RestrictionExpiryLogTable;
  lenders: LendersTable;
  lender_api_keys: LenderApiKeysTable;
  credit_inquiries: CreditInquiriesTable;
  credit_loan_reports: CreditLoanReportsTable;
}
