import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { sql } from 'kysely';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

/** /healthz (the process is up), /readyz (the database answers) and /metrics (Prometheus text). */
export const observabilityPlugin = fp(
  async function observability(app: FastifyInstance) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const requests = new Counter({
      name: 'qorgau_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    });
    const duration = new Histogram({
      name: 'qorgau_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    });
    const replica = app.database.replica;
    if (replica) {
      new Gauge({
        name: 'qorgau_database_replica_lag_seconds',
        help: 'How far the read replica is behind the primary (NaN while unknown)',
        registers: [registry],
        collect() {
          this.set(replica.lagSeconds ?? Number.NaN);
        },
      });
      new Gauge({
        name: 'qorgau_database_replica_current',
        help: '1 while the replica is within DATABASE_READ_MAX_LAG_SECONDS and answers reads, 0 while reads go to the primary',
        registers: [registry],
        collect() {
          this.set(replica.current ? 1 : 0);
        },
      });
    }
    app.decorate('metrics', registry);
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      requests.inc({ method: request.method, route, status: reply.statusCode });
      duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    });

    const Health = Type.Object({ status: Type.String() });
    app.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: Health } } }, async () => ({ status: 'ok' }));
    app.get(
      '/readyz',
      { schema: { tags: ['operations'], summary: 'The database answers', response: { 200: Health, 503: Health } } },
      async (_request, reply) => {
        try {
          await sql`select 1`.execute(app.database.db);
          return { status: 'ready' };
        } catch {
          return reply.status(503).send({ status: 'database unavailable' });
        }
      },
    );
    app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics (text format)', produces: ['text/plain'] } }, async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'observability', dependencies: ['database'] },
);
