import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';

/** Whether a signed-in person is a digital volunteer who may report for a victim (the literacy feature knows). */
export type IsVolunteer = (personPseudonym: Buffer) => Promise<boolean>;

/** A signed request, verified: what the fraud feature needs of the evidence mechanism. */
export interface VerifiedStatement {
  personHash: Buffer;
  body: { action: string; iin: string; nonce: string; issuedAt: string; [field: string]: unknown };
}

/** The evidence mechanism for documents signed with a SIGN certificate (credit's restriction requests use the same). */
export interface SignedStatements {
  verify(cms: Buffer, expected: { personHash: Buffer; actions: readonly string[] }): Promise<VerifiedStatement>;
  /** Keeps the verified statement as evidence in the caller's transaction; returns its id. */
  store(db: Kysely<DB>, statement: VerifiedStatement): Promise<string>;
}

/** Tells victims their report's status changed (the notifications feature's outbox, in the same transaction). */
export type NotifyStatus = (db: Kysely<DB>, at: Date, changes: { personHash: Buffer; reportId: string; status: string }[]) => Promise<void>;
