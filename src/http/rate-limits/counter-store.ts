import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';

export type { RateLimitTables } from '../../db/infrastructure.tables.js';

/** One counter to add a hit to: a subject under a rule, counted in fixed windows of windowSeconds. */
export interface Hit {
  key: string;
  windowSeconds: number;
}

export interface Count {
  key: string;
  /** Hits in the current window, this one included. */
  count: number;
  /** Seconds until the current window ends (at least 1). */
  resetsIn: number;
}

/**
 * Counters every API instance shares. Fixed windows: a window starts at a multiple of its
 * length since the epoch, by the store's clock, so all instances count in the same window.
 */
export interface CounterStore {
  /** Adds one to each counter (keys distinct) and answers the new counts, in one round trip. */
  hit(hits: Hit[]): Promise<Count[]>;
  /** The current count, without adding (0 when the window has passed). */
  peek(hit: Hit): Promise<Count>;
  close(): Promise<void>;
}

/** Counters in PostgreSQL (or PGlite): an upsert that restarts the count when the window has moved on. */
export class PostgresCounterStore implements CounterStore {
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly db: Kysely<DB>, sweepEveryMs = 5 * 60_000) {
    // Rows of windows that have ended are garbage; a sweep keeps the table as small as the live set.
    this.sweeper = setInterval(() => void this.sweep().catch(() => {}), sweepEveryMs);
    this.sweeper.unref();
  }

  async hit(hits: Hit[]): Promise<Count[]> {
    if (hits.length === 0) return [];
    const rows = sql.join(hits.map((h) => sql`(${h.key}::text, ${Math.max(1, Math.floor(h.windowSeconds))}::int)`));
    const result = await sql<{ key: string; count: number; resets_in: number }>`
      insert into rate_limit_counters as c (key, window_start, expires_at, count)
      select h.key, w.start, w.start + make_interval(secs => h.seconds), 1
      from (values ${rows}) as h(key, seconds)
      cross join lateral (select to_timestamp(floor(extract(epoch from now()) / h.seconds) * h.seconds) as start) as w
      on conflict (key) do update set
        count = case when c.window_start = excluded.window_start then c.count + 1 else 1 end,
        window_start = excluded.window_start,
        expires_at = excluded.expires_at
      returning c.key, c.count, ceil(extract(epoch from c.expires_at - now()))::int as resets_in`.execute(this.db);
    const byKey = new Map(result.rows.map((r) => [r.key, r]));
    return hits.map((h) => {
      const row = byKey.get(h.key)!;
      return { key: h.key, count: Number(row.count), resetsIn: Math.max(1, Number(row.resets_in)) };
    });
  }

  async peek(hit: Hit): Promise<Count> {
    const result = await sql<{ count: number; resets_in: number }>`
      select count, ceil(extract(epoch from expires_at - now()))::int as resets_in
      from rate_limit_counters where key = ${hit.key} and expires_at > now()`.execute(this.db);
    const row = result.rows[0];
    return row ? { key: hit.key, count: Number(row.count), resetsIn: Math.max(1, Number(row.resets_in)) } : { key: hit.key, count: 0, resetsIn: hit.windowSeconds };
  }

  async sweep(): Promise<void> {
    await sql`delete from rate_limit_counters where expires_at < now() - interval '1 minute'`.execute(this.db);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }
}
