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

interface PendingHits {
  hits: Hit[];
  resolve(counts: Count[]): void;
  reject(err: unknown): void;
}

interface PendingPeek {
  hit: Hit;
  resolve(count: Count): void;
  reject(err: unknown): void;
}

/**
 * Counters in PostgreSQL (or PGlite): an upsert that restarts the count when the window has moved on.
 *
 * Hits are grouped: while one statement is in flight, the hits that arrive meanwhile wait and
 * go together in the next one, each key once with how many hits it got. Every lender check
 * counts its lender key's counter, so one row took every check's update in turn, each holding
 * the row lock through its commit; grouped, a burst of checks costs that row one update and
 * the database one round trip. Counts stay exact: the n hits of a key in a group get the n
 * counts that n statements one after another would have given. Keys are updated in sorted
 * order, so two groups (or two instances) never wait on each other's rows in a cycle.
 */
export class PostgresCounterStore implements CounterStore {
  private readonly sweeper: NodeJS.Timeout | undefined;
  private hitQueue: PendingHits[] = [];
  private hitsInFlight = false;
  private peekQueue: PendingPeek[] = [];
  private peeksInFlight = false;

  /** `sweepEveryMs` 0: no sweep here (another worker process sweeps). */
  constructor(private readonly db: Kysely<DB>, sweepEveryMs = 5 * 60_000) {
    // Rows of windows that have ended are garbage; a sweep keeps the table as small as the live set.
    if (sweepEveryMs > 0) {
      this.sweeper = setInterval(() => void this.sweep().catch(() => {}), sweepEveryMs);
      this.sweeper.unref();
    }
  }

  hit(hits: Hit[]): Promise<Count[]> {
    if (hits.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.hitQueue.push({ hits, resolve, reject });
      if (!this.hitsInFlight) {
        this.hitsInFlight = true;
        // Hits of the same turn of the event loop go together.
        setImmediate(() => void this.flushHits());
      }
    });
  }

  private async flushHits(): Promise<void> {
    const group = this.hitQueue;
    this.hitQueue = [];
    if (group.length === 0) {
      this.hitsInFlight = false;
      return;
    }
    try {
      const perKey = new Map<string, { seconds: number; n: number }>();
      for (const pending of group) {
        for (const h of pending.hits) {
          const entry = perKey.get(h.key);
          if (entry) entry.n++;
          else perKey.set(h.key, { seconds: Math.max(1, Math.floor(h.windowSeconds)), n: 1 });
        }
      }
      const keys = [...perKey.keys()].sort();
      const result = await sql<{ key: string; count: number; resets_in: number }>`
        insert into rate_limit_counters as c (key, window_start, expires_at, count)
        select h.key, w.start, w.start + make_interval(secs => h.seconds), h.n
        from unnest(${keys}::text[], ${keys.map((k) => perKey.get(k)!.seconds)}::int[], ${keys.map((k) => perKey.get(k)!.n)}::int[])
             with ordinality as h(key, seconds, n, ord)
        cross join lateral (select to_timestamp(floor(extract(epoch from now()) / h.seconds) * h.seconds) as start) as w
        order by h.ord
        on conflict (key) do update set
          count = case when c.window_start = excluded.window_start then c.count + excluded.count else excluded.count end,
          window_start = excluded.window_start,
          expires_at = excluded.expires_at
        returning c.key, c.count, ceil(extract(epoch from c.expires_at - now()))::int as resets_in`.execute(this.db);
      // The first of a key's hits in the group gets the lowest of its counts, as if they had run in turn.
      const next = new Map(result.rows.map((r) => [r.key, { count: Number(r.count) - perKey.get(r.key)!.n + 1, resetsIn: Math.max(1, Number(r.resets_in)) }]));
      for (const pending of group) {
        pending.resolve(
          pending.hits.map((h) => {
            const row = next.get(h.key)!;
            return { key: h.key, count: row.count++, resetsIn: row.resetsIn };
          }),
        );
      }
    } catch (err) {
      for (const pending of group) pending.reject(err);
    }
    // What arrived meanwhile goes next.
    void this.flushHits();
  }

  peek(hit: Hit): Promise<Count> {
    return new Promise((resolve, reject) => {
      this.peekQueue.push({ hit, resolve, reject });
      if (!this.peeksInFlight) {
        this.peeksInFlight = true;
        setImmediate(() => void this.flushPeeks());
      }
    });
  }

  private async flushPeeks(): Promise<void> {
    const group = this.peekQueue;
    this.peekQueue = [];
    if (group.length === 0) {
      this.peeksInFlight = false;
      return;
    }
    try {
      const keys = [...new Set(group.map((p) => p.hit.key))];
      const result = await sql<{ key: string; count: number; resets_in: number }>`
        select key, count, ceil(extract(epoch from expires_at - now()))::int as resets_in
        from rate_limit_counters where key = any(${keys}::text[]) and expires_at > now()`.execute(this.db);
      const byKey = new Map(result.rows.map((r) => [r.key, r]));
      for (const { hit, resolve } of group) {
        const row = byKey.get(hit.key);
        resolve(row ? { key: hit.key, count: Number(row.count), resetsIn: Math.max(1, Number(row.resets_in)) } : { key: hit.key, count: 0, resetsIn: hit.windowSeconds });
      }
    } catch (err) {
      for (const pending of group) pending.reject(err);
    }
    void this.flushPeeks();
  }

  async sweep(): Promise<void> {
    await sql`delete from rate_limit_counters where expires_at < now() - interval '1 minute'`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}
