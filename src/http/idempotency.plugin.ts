import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { sql } from 'kysely';
import { AppError } from '../errors/app-error.js';

export type { IdempotencyKeysTable, IdempotencyTables } from '../db/infrastructure.tables.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Honour an Idempotency-Key header on this route: a retry gets the first answer and records nothing twice. */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotency: { credential: string; key: string } | null;
  }
}

/** How long a first answer is kept for retries; a reservation whose request died is freed sooner. */
const KEEP_HOURS = 24;
const ABANDONED_SECONDS = 60;

const KEY = /^[\x21-\x7e]{1,200}$/;

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function credentialOf(request: FastifyRequest): string | null {
  if (request.lender) return `lender:${request.lender.keyId}`;
  if (request.principal) return `token:${request.principal.tokenId}`;
  return null;
}

function requestHash(request: FastifyRequest): Buffer {
  return createHash('sha256').update(request.method).update('\0').update(request.routeOptions.url ?? '').update('\0').update(JSON.stringify(request.body ?? null)).digest();
}

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header) for routes marked
 * `config: { idempotent: true }`: the key is reserved before the handler runs, so a retry
 * racing the first request is told to wait (409) instead of recording twice; the first 2xx
 * answer is kept and replayed; a refused request frees the key. The same key with another
 * body is refused (422).
 */
export const idempotencyPlugin = fp(
  async function idempotency(app: FastifyInstance) {
    const db = app.database.db;
    app.decorateRequest('idempotency', null);

    const reserve = async (request: FastifyRequest, reply: FastifyReply) => {
      const header = request.headers['idempotency-key'];
      if (header === undefined) return;
      const key = Array.isArray(header) ? header[0] : header;
      if (!KEY.test(key)) throw AppError.badRequest('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1 to 200 visible ASCII characters, e.g. a UUID');
      const credential = credentialOf(request);
      if (!credential) return;
      const hash = requestHash(request);
      const route = `${request.method} ${request.routeOptions.url}`;
      // Free reservations whose request never finished (a crashed process), so a retry can go on.
      await db
        .deleteFrom('idempotency_keys')
        .where('credential', '=', credential)
        .where('key', '=', key)
        .where('status', 'is', null)
        .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${ABANDONED_SECONDS})`)
        .execute();
      const reserved = await db
        .insertInto('idempotency_keys')
        .values({ credential, key, route, request_hash: hash, status: null, response: null })
        .onConflict((oc) => oc.columns(['credential', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (reserved) {
        request.idempotency = { credential, key };
        return;
      }
      const first = await db.selectFrom('idempotency_keys').selectAll().where('credential', '=', credential).where('key', '=', key).executeTakeFirst();
      if (!first) throw AppError.conflict('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being processed; retry in a moment');
      if (first.route !== route || !Buffer.from(first.request_hash).equals(hash)) {
        throw AppError.unprocessable('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for another request: use a new key for a new request');
      }
      if (first.status === null) throw AppError.conflict('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being processed; retry in a moment');
      reply.header('idempotent-replayed', 'true').header('content-type', 'application/json; charset=utf-8').code(first.status);
      return reply.send(first.response);
    };

    const record = async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const held = request.idempotency;
      if (!held) return payload;
      request.idempotency = null;
      if (reply.statusCode >= 200 && reply.statusCode < 300 && typeof payload === 'string') {
        await db
          .updateTable('idempotency_keys')
          .set({ status: reply.statusCode, response: payload })
          .where('credential', '=', held.credential)
          .where('key', '=', held.key)
          .execute();
      } else {
        // Not answered with success: nothing was recorded, so the key may be used again.
        await db.deleteFrom('idempotency_keys').where('credential', '=', held.credential).where('key', '=', held.key).execute();
      }
      return payload;
    };

    // Only on the routes marked idempotent: every other route (OCSP, lender checks' reads...) runs no hook of it.
    // First among the route's own hooks, where a global hook would run.
    app.addHook('onRoute', (route) => {
      if (!(route.config as { idempotent?: boolean } | undefined)?.idempotent) return;
      route.preHandler = [reserve, ...asArray(route.preHandler)] as RouteOptions['preHandler'];
      route.onSend = [record, ...asArray(route.onSend)] as RouteOptions['onSend'];
    });

    // Answers are kept for a day; older ones are dropped now and then.
    const sweep = setInterval(() => {
      if (!app.runsBackgroundJobs) return;
      db.deleteFrom('idempotency_keys').where('created_at', '<', sql<Date>`now() - make_interval(hours => ${KEEP_HOURS})`).execute().catch((err) => app.log.warn({ err }, 'idempotency sweep failed'));
    }, 3_600_000);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
  },
  { name: 'idempotency', dependencies: ['database', 'auth'] },
);
