import type { Timestamp } from '../../db/types.js';

/** Table types of signin/. Persons appear only as pseudonyms (HMAC-SHA-256 of the IIN). */
export interface AuthChallengesTable {
  nonce: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export type SessionHolder = 'individual' | 'employee';

export interface PersonSessionsTable {
  /** SHA-256 of the session token; the token itself is only in the person's cookie. */
  token_hash: Buffer;
  id: string;
  person_hash: Buffer;
  certificate_serial: string;
  certificate_issuer: string;
  holder: SessionHolder;
  display_name: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface SigninTables {
  auth_challenges: AuthChallengesTable;
  person_sessions: PersonSessionsTable;
}
