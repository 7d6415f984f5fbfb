import type { Timestamp } from '../../../db/types.js';

/**
 * A request a person signed with their SIGN certificate, kept as evidence: the CMS as received
 * and the canonical JSON it signs. It holds the IIN (in the certificate and the request),
 * which is why it lives with pki/.
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

export interface EvidenceTables {
  signed_documents: SignedDocumentsTable;
}
