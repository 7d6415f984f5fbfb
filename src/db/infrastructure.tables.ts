import type { Generated } from 'kysely';

/** Tables of the HTTP edge rather than of a feature: rate-limit counters and idempotency keys. */
export interface RateLimitTables {
  rate_limit_counters: { key: string; window_start: Date; expires_at: Date; count: number };
}

export interface IdempotencyKeysTable {
  credential: string;
  key: string;
  route: string;
  request_hash: Buffer;
  status: number | null;
  response: string | null;
  created_at: Generated<Date>;
}

export interface IdempotencyTables {
  idempotency_keys: IdempotencyKeysTable;
}
