import type { FastifyReply } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import type { Config } from '../../config/config.js';
import type { Count, CounterStore } from './counter-store.js';

/** The rules, each counting one kind of subject, and what a refused client is told. */
export const RATE_LIMIT_RULES = {
  signinChallenges: { setting: 'rateLimitSigninChallenges', code: 'RATE_LIMITED_SIGNIN_CHALLENGES', what: 'sign-in challenges from your address' },
  signinFailures: { setting: 'rateLimitSigninFailures', code: 'RATE_LIMITED_SIGNIN_FAILURES', what: 'failed sign-ins from your address' },
  credentialFailures: { setting: 'rateLimitCredentialFailures', code: 'RATE_LIMITED_CREDENTIAL_FAILURES', what: 'unknown tokens, keys or sessions from your address' },
  lenderChecks: { setting: 'rateLimitLenderChecks', code: 'RATE_LIMITED_LENDER_CHECKS', what: 'checks with this lender API key' },
  checksPerIin: { setting: 'rateLimitChecksPerIin', code: 'RATE_LIMITED_CHECKS_OF_PERSON', what: 'checks of this person by lenders' },
} as const satisfies Record<string, { setting: keyof Config; code: string; what: string }>;

export type RateLimitRule = keyof typeof RATE_LIMIT_RULES;

/**
 * How long a process may answer `refuseIfReached` for credentialFailures from its own last
 * reading of the shared count, instead of reading it again: every request with a credential
 * (each lender check) reads that count, and it was a database round trip per request.
 * A failure counted by this process updates its reading at once; one counted by another
 * process or instance is seen here within this time. What it gives up, and only for this rule:
 * for up to a second after another process counted the failure that reached the limit, this
 * process still lets a valid credential from that address through (the guesses it refuses
 * itself update its reading, so the next request from there is refused). Sign-in failures and
 * every counted limit (challenges, checks per key and per person) stay read from the store.
 */
export const CREDENTIAL_FAILURES_READ_TTL_MS = 1000;

export interface Limit {
  limit: number;
  windowSeconds: number;
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** "30/1m" → 30 per 60 seconds; "off" → no limit. */
export function parseLimit(text: string): Limit | null {
  if (text === 'off') return null;
  const m = /^([1-9]\d*)\/([1-9]\d*)([smh])$/.exec(text);
  if (!m) throw new Error(`Not a rate limit: ${text} (expected COUNT/WINDOW such as 30/1m, or off)`);
  return { limit: Number(m[1]), windowSeconds: Number(m[2]) * UNIT_SECONDS[m[3] as keyof typeof UNIT_SECONDS] };
}

export interface Subject {
  rule: RateLimitRule;
  /** Who is counted: an address, a key id, a pseudonym. Never a raw IIN. */
  subject: string;
}

/**
 * The limits of one configuration over a shared counter store. A refusal is a 429 problem
 * document with Retry-After (seconds until the window ends) set on the reply.
 */
export class RateLimits {
  private readonly limits: Record<RateLimitRule, Limit | null>;
  /** credentialFailures counts read (or counted) by this process, by counter key; see CREDENTIAL_FAILURES_READ_TTL_MS. */
  private readonly readings = new Map<string, { count: number; resetsAt: number; readAt: number }>();

  constructor(readonly store: CounterStore, config: Pick<Config, (typeof RATE_LIMIT_RULES)[RateLimitRule]['setting']>) {
    this.limits = Object.fromEntries(
      Object.entries(RATE_LIMIT_RULES).map(([rule, { setting }]) => [rule, parseLimit(config[setting])]),
    ) as Record<RateLimitRule, Limit | null>;
  }

  limitOf(rule: RateLimitRule): Limit | null {
    return this.limits[rule];
  }

  private key(rule: RateLimitRule, subject: string, limit: Limit): string {
    // The window length is part of the key: a changed setting starts fresh counts.
    return `${rule}:${limit.windowSeconds}:${subject}`;
  }

  /** Counts a request against each rule; refuses it when any count is over its limit. */
  async consume(reply: FastifyReply, ...subjects: Subject[]): Promise<void> {
    const live = subjects.flatMap((s) => {
      const limit = this.limits[s.rule];
      return limit ? [{ ...s, limit, key: this.key(s.rule, s.subject, limit) }] : [];
    });
    if (live.length === 0) return;
    const counts = await this.store.hit(live.map((s) => ({ key: s.key, windowSeconds: s.limit.windowSeconds })));
    const over = live
      .map((s, i) => ({ s, count: counts[i] }))
      .filter(({ s, count }) => count.count > s.limit.limit)
      .sort((a, b) => b.count.resetsIn - a.count.resetsIn)[0];
    if (over) throw refusal(reply, over.s.rule, over.count.resetsIn);
  }

  /** Refuses when the rule's count has already reached its limit (a failure counter, read before trying). */
  async refuseIfReached(reply: FastifyReply, rule: RateLimitRule, subject: string): Promise<void> {
    const limit = this.limits[rule];
    if (!limit) return;
    const key = this.key(rule, subject, limit);
    const count = rule === 'credentialFailures' ? await this.readRecent(key, limit) : await this.store.peek({ key, windowSeconds: limit.windowSeconds });
    if (count.count >= limit.limit) throw refusal(reply, rule, count.resetsIn);
  }

  /** The count as this process last read or counted it, when that was less than CREDENTIAL_FAILURES_READ_TTL_MS ago and in the same window. */
  private async readRecent(key: string, limit: Limit): Promise<Count> {
    const now = Date.now();
    const recent = this.readings.get(key);
    if (recent && now - recent.readAt < CREDENTIAL_FAILURES_READ_TTL_MS && recent.resetsAt > now) {
      return { key, count: recent.count, resetsIn: Math.max(1, Math.ceil((recent.resetsAt - now) / 1000)) };
    }
    const count = await this.store.peek({ key, windowSeconds: limit.windowSeconds });
    this.remember(count, now);
    return count;
  }

  private remember(count: Count, readAt: number): void {
    // Addresses come and go; the map holds at most a second's worth of them.
    if (this.readings.size >= 10_000) this.readings.clear();
    const previous = this.readings.get(count.key);
    // A reading older than one already held (an overtaken peek) never lowers the count.
    if (previous && previous.readAt > readAt && previous.count >= count.count) return;
    this.readings.set(count.key, { count: count.count, resetsAt: readAt + count.resetsIn * 1000, readAt });
  }

  /** Counts a failure; answers the refusal to throw instead when this one went over the limit. */
  async failure(reply: FastifyReply, rule: RateLimitRule, subject: string): Promise<AppError | null> {
    const limit = this.limits[rule];
    if (!limit) return null;
    const readAt = Date.now();
    const [count] = await this.store.hit([{ key: this.key(rule, subject, limit), windowSeconds: limit.windowSeconds }]);
    if (rule === 'credentialFailures') this.remember(count, readAt);
    return count.count > limit.limit ? refusal(reply, rule, count.resetsIn) : null;
  }
}

function refusal(reply: FastifyReply, rule: RateLimitRule, resetsIn: number): AppError {
  const { code, what } = RATE_LIMIT_RULES[rule];
  reply.header('retry-after', String(resetsIn));
  return new AppError('rate_limited', code, `Too many ${what}: wait ${resetsIn} seconds (Retry-After) and try again`, { retryAfterSeconds: resetsIn });
}
