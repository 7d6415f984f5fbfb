import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, TimestampDefault } from '../../db/types.js';

/**
 * Table types of signatures/ (organizations, employments, HR-system credentials).
 * An organization's own employment records may carry the employee IIN in the clear (DESIGN.md).
 */
export interface EnrolledOrganizationsTable {
  bin: string;
  name: string;
  enrolled_at: TimestampDefault;
  /** Who enrolled it: "person:<pseudonym hex>" or "token:<id>". */
  enrolled_by: string;
}

export interface EmploymentsTable {
  id: Generated<number>;
  bin: string;
  iin: string;
  surname: string | null;
  given_name: string | null;
  patronymic: string | null;
  position: string;
  may_sign: ColumnType<boolean, boolean | undefined, boolean>;
  may_sign_financial: ColumnType<boolean, boolean | undefined, boolean>;
  hr: ColumnType<boolean, boolean | undefined, boolean>;
  /** The first head (.2.1): set only from a proof of headship (the head's pair or enrolment), never granted by HR. */
  first_head: ColumnType<boolean, boolean | undefined, boolean>;
  started_at: Timestamp;
  /** null while employed; set on termination or to a planned end. */
  ended_at: Timestamp | null;
  end_reason: string | null;
  ended_by: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

/** API credentials of an organization's HR system; only SHA-256 of the secret is kept. */
export interface OrgApiCredentialsTable {
  id: string;
  bin: string;
  name: string;
  secret_hash: Buffer;
  created_at: TimestampDefault;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
}

/** Who requested each employee pair, for whom, with which roles. */
export interface EmployeeCertificateRequestsTable {
  pair_id: string;
  bin: string;
  iin: string;
  employment_id: number;
  roles: string[];
  requested_by: string;
  requested_at: TimestampDefault;
}

/**
 * The organization's authorization of an employee pair (HR or the head): the employee applies
 * with their own keys and proves who they are; the pair is issued only when both name the same
 * (BIN, IIN). Open until used by one issuance, withdrawn, or expired.
 */
export interface EmployeeCertificateAuthorizationsTable {
  id: string;
  bin: string;
  iin: string;
  employment_id: number;
  roles: string[];
  authorized_by: string;
  authorized_at: TimestampDefault;
  expires_at: Timestamp;
  status: ColumnType<'open' | 'used' | 'withdrawn', 'open' | 'used' | 'withdrawn' | undefined, 'open' | 'used' | 'withdrawn'>;
  closed_at: Timestamp | null;
  application_id: string | null;
  pair_id: string | null;
}

export interface SignaturesOrgTables {
  employee_certificate_authorizations: EmployeeCertificateAuthorizationsTable;
  enrolled_organizations: EnrolledOrganizationsTable;
  employments: EmploymentsTable;
  org_api_credentials: OrgApiCredentialsTable;
  employee_certificate_requests: EmployeeCertificateRequestsTable;
}
