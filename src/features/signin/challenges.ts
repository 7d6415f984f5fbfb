import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';

export interface Challenge {
  nonce: string;
  expiresAt: Date;
}

export type ChallengeState = 'usable' | 'unknown' | 'expired' | 'used';

/** Sign-in nonces live in PostgreSQL: any instance may issue one and another consume it. */
export class ChallengeStore {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: () => Date = () => new Date(),
    private readonly lifetimeSeconds = 300,
  ) {}

  async issue(): Promise<Challenge> {
    const now = this.clock();
    // The prefix names the purpose, so a signed nonce cannot be passed off as another document.
    const nonce = `qorgau-signin:${randomBytes(32).toString('base64url')}`;
    const expiresAt = new Date(now.getTime() + this.lifetimeSeconds * 1000);
    await this.db.insertInto('auth_challenges').values({ nonce, created_at: now, expires_at: expiresAt }).execute();
    // Expired nonces are worthless: sweep some of them on the way (bounded, no job needed).
    await this.db
      .deleteFrom('auth_challenges')
      .where('nonce', 'in', (q) => q.selectFrom('auth_challenges').select('nonce').where('expires_at', '<', new Date(now.getTime() - 3_600_000)).limit(100))
      .execute();
    return { nonce, expiresAt };
  }

  async state(nonce: string): Promise<ChallengeState> {
    const row = await this.db.selectFrom('auth_challenges').selectAll().where('nonce', '=', nonce).executeTakeFirst();
    if (!row) return 'unknown';
    if (row.used_at) return 'used';
    if (new Date(row.expires_at) <= this.clock()) return 'expired';
    return 'usable';
  }

  /** Uses the nonce up; false when another request used it first or it expired meanwhile. */
  async consume(nonce: string): Promise<boolean> {
    const now = this.clock();
    const result = await this.db
      .updateTable('auth_challenges')
      .set({ used_at: now })
      .where('nonce', '=', nonce)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
