import { Redis } from 'ioredis';
import type { Count, CounterStore, Hit } from './counter-store.js';

/**
 * Counters in Redis, where QORGAU_REDIS_URL is set. The same fixed windows as the PostgreSQL
 * store; the window index is part of the key and the key expires with its window. The window
 * is read from Redis's clock (TIME), so instances with drifting clocks still share a window.
 */
export class RedisCounterStore implements CounterStore {
  private constructor(private readonly redis: Redis) {}

  static async connect(url: string): Promise<RedisCounterStore> {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    await redis.connect();
    return new RedisCounterStore(redis);
  }

  private async nowSeconds(): Promise<number> {
    const [seconds, micros] = await this.redis.time();
    return Number(seconds) + Number(micros) / 1e6;
  }

  private windowOf(hit: Hit, now: number) {
    const seconds = Math.max(1, Math.floor(hit.windowSeconds));
    const index = Math.floor(now / seconds);
    return { key: `qorgau:rl:${hit.key}:${index}`, resetsIn: Math.max(1, Math.ceil((index + 1) * seconds - now)), seconds };
  }

  async hit(hits: Hit[]): Promise<Count[]> {
    if (hits.length === 0) return [];
    const now = await this.nowSeconds();
    const windows = hits.map((h) => this.windowOf(h, now));
    const multi = this.redis.multi();
    for (const w of windows) multi.incr(w.key).expire(w.key, w.seconds + 1);
    const results = (await multi.exec()) ?? [];
    return hits.map((h, i) => {
      const [err, value] = results[i * 2] ?? [new Error('no answer'), null];
      if (err) throw err;
      return { key: h.key, count: Number(value), resetsIn: windows[i].resetsIn };
    });
  }

  async peek(hit: Hit): Promise<Count> {
    const w = this.windowOf(hit, await this.nowSeconds());
    const value = await this.redis.get(w.key);
    return { key: hit.key, count: value ? Number(value) : 0, resetsIn: w.resetsIn };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
