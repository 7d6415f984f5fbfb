import type { ProofingMethod } from '../profiles.js';

/** What identity proofing sees of an application. */
export interface ProofingInput {
  applicationId: string;
  iin: string;
  idDocumentNumber: string;
  surname: string;
  givenName: string;
  patronymic: string | null;
}

export type ProofingOutcome =
  | { decision: 'approve'; method: ProofingMethod }
  | { decision: 'review'; reason: string }
  | { decision: 'reject'; reason: string };

/**
 * Identity proofing of a remote application. A real provider checks the ID document
 * against the state register and a liveness check; whatever it cannot decide goes to
 * the operator review queue.
 */
export interface IdentityProofing {
  /** Recorded with each application. */
  readonly name: string;
  proof(input: ProofingInput): Promise<ProofingOutcome>;
}

/** The safe default: every application waits for a CA operator. */
export class OperatorReviewProofing implements IdentityProofing {
  readonly name = 'operator-review';
  async proof(): Promise<ProofingOutcome> {
    return { decision: 'review', reason: 'Remote applications are reviewed by a CA operator' };
  }
}

/**
 * Decides at once, for tests and demonstrations: approves as remote proofing unless
 * the rule given says otherwise. Never for production: it checks no document.
 */
export class AutomaticProofing implements IdentityProofing {
  readonly name = 'automatic';
  constructor(private readonly rule: (input: ProofingInput) => ProofingOutcome = () => ({ decision: 'approve', method: 'remote' })) {}
  async proof(input: ProofingInput): Promise<ProofingOutcome> {
    return this.rule(input);
  }
}
