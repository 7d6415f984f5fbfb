import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { PostgresCounterStore, type CounterStore } from './counter-store.js';
import { RateLimits, type Subject } from './rate-limits.js';
import { RedisCounterStore } from './redis-counter-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: RateLimits;
  }
}

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * The routes a limit guards, in one table. Credential guesses on every authenticated route are
 * counted where credentials are checked (auth-hooks.ts).
 */
function limitsOf(route: RouteOptions, limits: RateLimits): { onRequest?: Hook; preHandler?: Hook; onSend?: Hook } | null {
  const method = asArray(route.method).map((m) => m.toUpperCase());
  if (!method.includes('POST')) return null;
  switch (route.url) {
    case '/v1/auth/challenge':
      return { onRequest: (request, reply) => limits.consume(reply, { rule: 'signinChallenges', subject: request.ip }) };
    case '/v1/auth/signin':
      return {
        onRequest: (request, reply) => limits.refuseIfReached(reply, 'signinFailures', request.ip),
        // A refused sign-in (bad signature, unknown nonce, untrusted certificate, bad input) counts against its address.
        onSend: async (request, reply) => {
          if (reply.statusCode === 400 || reply.statusCode === 401) await limits.failure(reply, 'signinFailures', request.ip);
        },
      };
    case '/v1/credit/checks':
      return {
        // After the key is known and the body valid: per key, and per person checked (by pseudonym).
        preHandler: async (request, reply) => {
          const subjects: Subject[] = [{ rule: 'lenderChecks', subject: request.lender?.keyId ?? 'unknown' }];
          const iin = (request.body as { iin?: unknown } | undefined)?.iin;
          if (typeof iin === 'string') subjects.push({ rule: 'checksPerIin', subject: request.server.pseudonymizer.of(iin).toString('hex') });
          await limits.consume(reply, ...subjects);
        },
      };
    default:
      return null;
  }
}

export const rateLimitsPlugin = fp(
  async function rateLimits(app: FastifyInstance) {
    const store: CounterStore = app.config.redisUrl ? await RedisCounterStore.connect(app.config.redisUrl) : new PostgresCounterStore(app.database.db, app.runsBackgroundJobs ? undefined : 0);
    const limits = new RateLimits(store, app.config);
    app.decorate('rateLimits', limits);
    app.addHook('onClose', async () => store.close());
    app.addHook('onRoute', (route) => {
      const hooks = limitsOf(route, limits);
      if (!hooks) return;
      // Limits run first: a refused client costs one counter, not a signature verification.
      if (hooks.onRequest) route.onRequest = [hooks.onRequest, ...asArray(route.onRequest)] as RouteOptions['onRequest'];
      if (hooks.preHandler) route.preHandler = [hooks.preHandler, ...asArray(route.preHandler)] as RouteOptions['preHandler'];
      if (hooks.onSend) route.onSend = [...asArray(route.onSend), hooks.onSend] as RouteOptions['onSend'];
    });
  },
  { name: 'rate-limits', dependencies: ['database'] },
);
