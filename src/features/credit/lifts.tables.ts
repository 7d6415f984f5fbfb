import type { Timestamp } from '../../db/types.js';

export type LiftScope = 'entire' | 'until' | 'lender';

/**
 * A lift of one restriction, or (restriction_id null) of every restriction the person had
 * when asking. It applies from effective_at (the request plus the cooling-off) until
 * lifted_until (null: for good), for every lender or only lender_bin (a thaw).
 */
export interface RestrictionLiftsTable {
  id: string;
  person_hash: Buffer;
  restriction_id: string | null;
  scope: LiftScope;
  lender_bin: string | null;
  requested_at: Timestamp;
  effective_at: Timestamp;
  lifted_until: Timestamp | null;
  cancelled_at: Timestamp | null;
  document_id: string;
}

export interface LiftTables {
  restriction_lifts: RestrictionLiftsTable;
}
