/**
 * Indicator look-ups (GET /v1/fraud/indicators/{type}/{value}, key scope fraud:lookup) on
 * PostgreSQL with IDENTIFIERS phone numbers known (a tenth of them reported, some several times),
 * against a bare Fastify route returning a constant JSON, with the same load client (autocannon)
 * in the same run. Half the looked-up numbers are known, half are not. Afterwards the look-up log
 * must hold one row per answered look-up.
 *
 *   npx tsx bench/fraud-lookup.ts
 *   BENCH_IDENTIFIERS=1000000 BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=50 npx tsx bench/fraud-lookup.ts
 *   BENCH_IDENTIFIERS=5000 BENCH_SECONDS=2 BENCH_ROUNDS=1 npx tsx bench/fraud-lookup.ts    # tiny, to try it
 *
 * Goal (issue 11): look-ups at least half the bare route's throughput.
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); a database
 * "qorgau_bench_fraud_lookup" is created and dropped afterwards.
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { startChildServer } from './child-server.js';
import { machineLine, median } from './machine.js';
import { createBenchDatabase, dropBenchDatabase } from './revocation-setup.js';

const IDENTIFIERS = Number(process.env.BENCH_IDENTIFIERS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DB_NAME = 'qorgau_bench_fraud_lookup';
const SELF = fileURLToPath(import.meta.url);
const BIN = '940140000385';

async function serveOurs(url: string, work: string) {
  const { loadConfig } = await import('../src/config/config.js');
  const { openDatabase } = await import('../src/db/database.js');
  const { buildApp } = await import('../src/http/app.js');
  // As deployed, logging at warn; the per-key limit is lifted so that the benchmark measures look-ups, not refusals.
  const config = loadConfig({
    DATABASE_URL: url,
    QORGAU_PSEUDONYM_KEY_FILE: path.join(work, 'pseudonym.key'),
    QORGAU_DATA_DIR: work,
    LOG_LEVEL: 'warn',
    QORGAU_FRAUD_LOOKUPS_PER_MINUTE: '100000000',
  });
  const database = await openDatabase({ databaseUrl: url, poolSize: config.databasePoolSize });
  const app = await buildApp({ config, database });
  process.once('SIGTERM', () => process.exit(0));
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`listening ${(app.server.address() as net.AddressInfo).port}\n`);
}

async function serveBare() {
  const app = Fastify({ logger: false });
  const answer = { type: 'phone', value: '+77010000000', reportedCount: 2, firstSeen: '2026-01-01T00:00:00.000Z', lastSeen: '2026-11-01T00:00:00.000Z', clusterCount: 1, totalLossBand: '100k_1m_kzt', riskLevel: 'medium', warningListed: null, overCorrelating: false, cleared: false };
  app.get('/v1/fraud/indicators/:type/:value', async () => answer);
  await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`listening ${(app.server.address() as net.AddressInfo).port}\n`);
}

async function stop(proc: ChildProcess) {
  proc.removeAllListeners('exit');
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

interface LoadResult {
  perSecond: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

async function load(port: number, key: string, seconds: number): Promise<LoadResult> {
  const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object) => Promise<any>;
  let i = Math.floor(Math.random() * IDENTIFIERS);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        headers: { authorization: `Bearer ${key}` },
        setupRequest(req: Record<string, unknown>) {
          // Known numbers are 0..IDENTIFIERS-1; every other look-up asks for one never reported.
          i = (i + 7919) % (2 * IDENTIFIERS);
          const n = String(i % 10_000_000).padStart(7, '0');
          req.path = `/v1/fraud/indicators/phone/${i < IDENTIFIERS ? '8701' : '8702'}${n}`;
          return req;
        },
      },
    ],
  });
  return { perSecond: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, ok: result['2xx'], non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

async function main() {
  const { LenderService } = await import('../src/features/credit/index.js');
  console.log(machineLine());
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`identifiers: ${IDENTIFIERS}, ${ROUNDS} rounds x ${SECONDS} s per target, ${CONNECTIONS} connections`);
  if (IDENTIFIERS > 10_000_000) throw new Error('the generated phone range holds at most 10,000,000 numbers');

  const work = mkdtempSync(path.join(tmpdir(), 'qorgau-bench-fraud-lookup-'));
  writeFileSync(path.join(work, 'pseudonym.key'), randomBytes(32).toString('hex'));
  const { url, database } = await createBenchDatabase(DB_NAME);
  try {
    const t0 = performance.now();
    // Identifiers as linking leaves them: counts, losses, first and last seen; a tenth reported by two or more.
    await sql`
      insert into fraud_identifiers (kind, value, display, country, report_count, total_loss_kzt, first_seen, last_seen)
      select 'phone', '+7701' || lpad(g::text, 7, '0'), '+7701' || lpad(g::text, 7, '0'), 'KZ',
             case when g % 10 = 0 then 2 + g % 5 else 1 end, (g % 97) * 25000,
             timestamptz '2025-01-01' + (g % 300) * interval '1 day', timestamptz '2025-11-01' + (g % 300) * interval '1 day'
        from generate_series(0, ${IDENTIFIERS - 1}::int) as g`.execute(database.db);
    await sql`vacuum analyze`.execute(database.db);
    console.log(`set-up: ${IDENTIFIERS} identifiers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const lenders = new LenderService(database);
    await lenders.create({ bin: BIN, name: 'Bench Telecom', licence: 'bank' });
    const { key } = await lenders.createKey(BIN, ['fraud:lookup']);

    const bare = await startChildServer(SELF, ['serve-bare']);
    const ours = await startChildServer(SELF, ['serve-ours', url, work]);
    const results: { bare: LoadResult[]; ours: LoadResult[] } = { bare: [], ours: [] };
    // Transactions committed in the bench database (each statement outside a transaction is one):
    // per look-up, what a look-up costs PostgreSQL, the key check (cached for a second) and the
    // server's background work (outbox, sweepers) included.
    const commits = async () => Number((await sql<{ n: string }>`select xact_commit::text as n from pg_stat_database where datname = current_database()`.execute(database.db)).rows[0].n);
    // Writes of the look-up counter rows: one per look-up statement (before batching, one per look-up).
    const counterWrites = async () => Number((await sql<{ n: string }>`select (n_tup_ins + n_tup_upd)::text as n from pg_stat_user_tables where relname = 'fraud_lookup_counters'`.execute(database.db)).rows[0]?.n ?? 0);
    let commitsInRounds = 0;
    let statementsInRounds = 0;
    try {
      await load(bare.port, key, 2);
      await load(ours.port, key, 2);
      for (let r = 0; r < ROUNDS; r++) {
        const b = await load(bare.port, key, SECONDS);
        const before = await commits();
        const writesBefore = await counterWrites();
        const o = await load(ours.port, key, SECONDS);
        // The statistics collector reports with a delay of up to a second (PostgreSQL 15+: at transaction end, flushed at most once a second).
        await new Promise((r) => setTimeout(r, 1500));
        commitsInRounds += (await commits()) - before - 2;
        statementsInRounds += (await counterWrites()) - writesBefore;
        results.bare.push(b);
        results.ours.push(o);
        console.log(
          `round ${r + 1}: bare ${b.perSecond.toFixed(0)}/s p99 ${b.p99} ms | look-ups ${o.perSecond.toFixed(0)}/s p50 ${o.p50} ms p99 ${o.p99} ms (non-2xx ${o.non2xx}, errors ${o.errors}) | ratio ${(o.perSecond / b.perSecond).toFixed(2)} | load ${os.loadavg()[0].toFixed(2)}`,
        );
      }
    } finally {
      await stop(bare.proc);
      await stop(ours.proc);
    }
    const answered = (await sql<{ n: number }>`select count(*)::int as n from fraud_lookups`.execute(database.db)).rows[0].n;
    const counted = (await sql<{ n: number }>`select coalesce(sum(count), 0)::int as n from fraud_lookup_counters`.execute(database.db)).rows[0].n;
    const ok = [...results.ours].reduce((s, x) => s + x.ok, 0);
    const m = (xs: LoadResult[], f: (x: LoadResult) => number) => median(xs.map(f));
    const ratio = m(results.ours, (x) => x.perSecond) / m(results.bare, (x) => x.perSecond);
    console.log(
      JSON.stringify(
        {
          bareRps: Math.round(m(results.bare, (x) => x.perSecond)),
          lookupRps: Math.round(m(results.ours, (x) => x.perSecond)),
          ratio: Number(ratio.toFixed(2)),
          lookupP50: m(results.ours, (x) => x.p50),
          lookupP99: m(results.ours, (x) => x.p99),
          answered200InRounds: ok,
          lookupLogRows: answered,
          countedByRateLimiter: counted,
          lookupStatementsPerLookup: Number((statementsInRounds / Math.max(1, ok)).toFixed(3)),
          transactionsPerLookup: Number((commitsInRounds / Math.max(1, ok)).toFixed(3)),
          loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
        },
        null,
        2,
      ),
    );
    console.log(`goal: look-ups at least half the bare route: ${ratio >= 0.5 ? 'met' : 'not met'}`);
    // Warm-up look-ups are logged too: the log can only hold more rows than the measured rounds answered.
    if (answered < ok || answered !== counted) {
      console.error(`FAIL: ${answered} look-ups logged, ${counted} counted, ${ok} answered in the rounds`);
      process.exitCode = 1;
    }
  } finally {
    await database.close();
    await dropBenchDatabase(DB_NAME);
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'serve-ours') await serveOurs(args[0], args[1]);
else if (mode === 'serve-bare') await serveBare();
else await main();
