import type { Timestamp, TimestampDefault } from '../../db/types.js';

/**
 * A request a person signed with their SIGN certificate, kept as evidence: the CMS as received
 * and the canonical JSON it signs. It holds the IIN (in the certificate and the request),
 * which is why it lives with trust/ (DESIGN.md: outside ca/ and trust/ an IIN is stored only pseudonymized).
 */
export interface SignedDocumentsTable {
  id: string;
  person_hash: Buffer;
  action: string;
  nonce: string;
  content: Buffer;
  cms: Buffer;
  certificate_serial: string;
  certificate_sha256: string;
  signed_at: Timestamp;
  received_at: Timestamp;
}

/** Certificates of any trusted CA seen at sign-in (presented-certificates.ts), by issuer DN and serial. */
export interface PresentedCertificatesTable {
  issuer_dn: string;
  serial: string;
  der: Buffer;
  first_seen_at: TimestampDefault;
  last_seen_at: TimestampDefault;
}

export interface TrustTables {
  signed_documents: SignedDocumentsTable;
  presented_certificates: PresentedCertificatesTable;
}
