import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, TimestampDefault } from '../../db/types.js';

/** Table types of ca/. Certificates and applications carry the IIN in the clear by law (DESIGN.md). */
export interface CertificatesTable {
  /** Serial number as lower-case hex without leading zeros stripped (as encoded). */
  serial: string;
  /** The issuing CA's name (e.g. "issuing"), which selects its key and CRL. */
  issuer: string;
  profile: string;
  subject_iin: string | null;
  subject_bin: string | null;
  subject_dn: string;
  not_before: Timestamp;
  not_after: Timestamp;
  der: Buffer;
  /** AUTH and SIGN certificates issued together share a pair id and a lifecycle. */
  pair_id: string | null;
  application_id: string | null;
  /** null while good; set when revoked or on hold. */
  revoked_at: Timestamp | null;
  /** RFC 5280 CRLReason name (keyCompromise, affiliationChanged, ..., certificateHold). */
  revocation_reason: string | null;
  invalidity_date: Timestamp | null;
  created_at: TimestampDefault;
}

/** Every revocation and release of a hold, in order (the audit trail and the CRL's change marker). */
export interface CertificateRevocationEventsTable {
  id: Generated<number>;
  issuer: string;
  serial: string;
  action: 'revoke' | 'release-hold';
  reason: string | null;
  revoked_at: Timestamp | null;
  invalidity_date: Timestamp | null;
  actor: string;
  created_at: TimestampDefault;
}

/** Signed CRLs by issuer and cRLNumber; the highest number is the one served. */
export interface CrlsTable {
  issuer: string;
  crl_number: number;
  this_update: Timestamp;
  next_update: Timestamp;
  entries: number;
  last_event_id: number;
  /** Revocation events of the issuer its snapshot saw (what tells whether it is current). */
  event_count: ColumnType<number, number | undefined, number>;
  der: Buffer;
  created_at: TimestampDefault;
}

/** Pre-signed OCSP answers (requests without a nonce), one per certificate; served only while the status they state is current. */
export interface OcspResponsesTable {
  issuer: string;
  serial: string;
  /** The status signed: null good, else the revocation time and reason. */
  revoked_at: Timestamp | null;
  revocation_reason: string | null;
  this_update: Timestamp;
  next_update: Timestamp;
  /** ResponseData DER as signed (RFC 6960 4.2.1). */
  tbs_response_data: Buffer;
  signature: Buffer;
}

export type ApplicationStatus = 'pending_review' | 'rejected' | 'issued';

/** Remote certificate applications (CSR pair, identity-proofing decision, the pair issued). */
export interface CertificateApplicationsTable {
  id: string;
  holder: 'individual' | 'employee';
  iin: string;
  /** null when the applicant proved who they are by signing the application with their own certificate. */
  id_document_number: string | null;
  surname: string;
  given_name: string;
  patronymic: string | null;
  organization: string | null;
  bin: string | null;
  auth_csr: Buffer;
  sign_csr: Buffer;
  status: ApplicationStatus;
  proofing_provider: string;
  proofing_method: string | null;
  /** Why the application went to an operator (e.g. the IIN is in a published breach). */
  review_reason: string | null;
  decision_reason: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  pair_id: string | null;
  /** The organization's authorization an employee application was issued under. */
  authorization_id: string | null;
  /** How the applicant proved who they are when not by identity proofing: "signature:<issuer DN>#<serial>". */
  proof: string | null;
  /** A head application: the business registry's registration extract number the operator checks (one application per number). */
  registration_extract: ColumnType<string | null, string | null | undefined, string | null>;
  /** How the headship was proven: "extract:<number>" (operator-checked) or "certificate:<issuer DN>#<serial>". */
  headship_proof: ColumnType<string | null, string | null | undefined, string | null>;
  /** The roles a head's pair carries (set when the headship was proven); null: the roles of the organization's authorization. */
  employee_roles: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
  /** SHA-256 of the secret the submission returned: only its holder gives the live capture. */
  capture_secret_sha256: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

/**
 * The liveness challenge and capture of a remote application. `images` is AES-256-GCM sealed
 * (proofing-capture-seal.ts) and set to null once purged; the scores stay as the record.
 */
export interface ProofingCapturesTable {
  application_id: string;
  /** JSON array of the prompts, in the order given. */
  prompts: string;
  code: string;
  challenge_expires_at: Timestamp;
  captured_at: Timestamp | null;
  images: Buffer | null;
  face_match_score: number | null;
  face_match_provider: string | null;
  liveness: string | null;
  purged_at: Timestamp | null;
  created_at: TimestampDefault;
}

/** SHA-256 of every live frame accepted: a frame seen once is never accepted again. */
export interface ProofingCaptureFramesTable {
  sha256: Buffer;
  application_id: string;
  created_at: TimestampDefault;
}

/** Every opening of an applicant's pictures by an operator: who, when, which application. */
export interface ProofingCaptureViewsTable {
  id: Generated<string>;
  application_id: string;
  viewer: string;
  viewed_at: TimestampDefault;
}

export interface CaTables {
  proofing_captures: ProofingCapturesTable;
  proofing_capture_views: ProofingCaptureViewsTable;
  proofing_capture_frames: ProofingCaptureFramesTable;
  certificates: CertificatesTable;
  certificate_revocation_events: CertificateRevocationEventsTable;
  crls: CrlsTable;
  ocsp_responses: OcspResponsesTable;
  certificate_applications: CertificateApplicationsTable;
}

export type { ColumnType, Generated };
