/**
 * Lender checks (POST /v1/credit/checks) on PostgreSQL with 1,000,000 persons of whom
 * 10% are restricted, against a bare Fastify route returning a constant JSON, with the
 * same load client (autocannon, 50 connections) in the same run. Afterwards every check
 * answered 200 is looked up: it must have its inquiry row.
 *
 *   npx tsx bench/credit-check.ts
 *   BENCH_PERSONS=1000000 BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=50 npx tsx bench/credit-check.ts
 *
 * BENCH_SERVER_FLAGS: node flags for the server processes and their workers, e.g.
 * "--cpu-prof --cpu-prof-dir=/tmp/prof" (a CPU profile per process, written when it stops).
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres);
 * a database "qorgau_bench_credit" is created and dropped afterwards. Each server runs in
 * its own process, one at a time; the load client runs in this one.
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
import { BENCH_WORKERS, schedulingPolicy, serveClustered, startChildServer } from './child-server.js';
import { machineLine, median } from './machine.js';
import { createBenchDatabase, dropBenchDatabase } from './revocation-setup.js';

const PERSONS = Number(process.env.BENCH_PERSONS ?? 1_000_000);
const RESTRICTED_SHARE = 0.1;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DB_NAME = 'qorgau_bench_credit';
const SELF = fileURLToPath(import.meta.url);

// ---- servers (child processes) --------------------------------------------------

async function serveOurs(url: string, work: string) {
  await serveClustered(BENCH_WORKERS, (first) => serveOursProcess(url, work, first));
}

async function serveOursProcess(url: string, work: string, first: boolean): Promise<number> {
  const { loadConfig } = await import('../src/config/config.js');
  const { openDatabase } = await import('../src/db/database.js');
  const { buildApp } = await import('../src/http/app.js');
  // As deployed, with request logging at warn (info would log two lines per request). The rate
  // limits stay on, counting every check, but set high enough that one key and a few persons
  // checked again and again are never refused: the measure includes what counting costs.
  const config = loadConfig({
    DATABASE_URL: url,
    QORGAU_PSEUDONYM_KEY_FILE: path.join(work, 'pseudonym.key'),
    QORGAU_DATA_DIR: work,
    LOG_LEVEL: 'warn',
    QORGAU_RATE_LIMIT_LENDER_CHECKS: '1000000000/1m',
    QORGAU_RATE_LIMIT_CHECKS_PER_IIN: '1000000000/1m',
    QORGAU_RATE_LIMIT_CREDENTIAL_FAILURES: '1000000000/1m',
  });
  const database = await openDatabase({ databaseUrl: url, poolSize: config.databasePoolSize });
  const app = await buildApp({ config, database, backgroundJobs: first });
  process.once('SIGTERM', () => process.exit(0));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as net.AddressInfo).port;
}

/** The same number of processes as ours (BENCH_WORKERS), so the ratio compares like with like. */
async function serveBare() {
  await serveClustered(BENCH_WORKERS, async () => {
    const app = Fastify({ logger: false });
    const answer = { decision: 'allow', restrictions: [], checkId: '00000000-0000-4000-8000-000000000000', checkedAt: '2026-11-24T00:00:00.000Z' };
    app.post('/v1/credit/checks', async () => answer);
    process.once('SIGTERM', () => process.exit(0));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return (app.server.address() as net.AddressInfo).port;
  });
}

function startServer(args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  return startChildServer(SELF, args, process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? []);
}

async function stop(proc: ChildProcess) {
  proc.removeAllListeners('exit');
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

// ---- load ------------------------------------------------------------------------

interface LoadResult {
  perSecond: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

async function load(port: number, key: string, iins: string[], seconds: number, checkIds?: string[]): Promise<LoadResult> {
  const autocannon = createRequire(import.meta.url)('autocannon') as (opts: object) => Promise<any>;
  let i = Math.floor(Math.random() * iins.length);
  const products = ['bank_loan', 'microcredit'];
  const channels = ['online', 'in_person'];
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/v1/credit/checks',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        setupRequest(req: Record<string, unknown>) {
          i = (i + 7919) % iins.length;
          req.body = `{"iin":"${iins[i]}","product":"${products[i & 1]}","channel":"${channels[(i >> 1) & 1]}","amount":250000}`;
          return req;
        },
        onResponse(status: number, body: string) {
          if (status === 200 && checkIds) {
            const m = /"checkId":"([0-9a-f-]{36})"/.exec(body);
            if (m) checkIds.push(m[1]);
          }
        },
      },
    ],
  });
  return {
    perSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

// ---- set-up ----------------------------------------------------------------------

/** The database's cumulative counters for this database (pg_stat_database, pg_stat_user_tables): no extension needed. */
async function databaseWork(database: { db: import('kysely').Kysely<any> }) {
  const r = await sql<{ transactions: string; inquiries: string; counters: string; scans: string }>`
    select (select xact_commit + xact_rollback from pg_stat_database where datname = current_database())::text as transactions,
           (select n_tup_ins from pg_stat_user_tables where relname = 'credit_inquiries')::text as inquiries,
           (select n_tup_ins + n_tup_upd from pg_stat_user_tables where relname = 'rate_limit_counters')::text as counters,
           (select coalesce(idx_scan, 0) from pg_stat_user_tables where relname = 'restrictions')::text as scans`.execute(database.db);
  const row = r.rows[0];
  return { transactions: Number(row.transactions), inquiriesInserted: Number(row.inquiries), countersWritten: Number(row.counters), restrictionScans: Number(row.scans) };
}

async function main() {
  const { makeIin } = await import('../src/identifiers/iin.js');
  const { Pseudonymizer } = await import('../src/privacy/pseudonym.js');
  const { RegistryService } = await import('../src/features/registry/index.js');
  const { PolicyService } = await import('../src/features/credit/index.js');
  const { LenderService } = await import('../src/features/credit/index.js');

  console.log(machineLine());
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`persons: ${PERSONS}, restricted: ${RESTRICTED_SHARE * 100}%, ${ROUNDS} rounds x ${SECONDS} s per target, ${CONNECTIONS} connections`);
  console.log(`processes per target: ${BENCH_WORKERS} (BENCH_WORKERS; node:cluster, scheduling ${schedulingPolicy()})`);

  const work = mkdtempSync(path.join(tmpdir(), 'qorgau-bench-credit-'));
  const key = randomBytes(32);
  writeFileSync(path.join(work, 'pseudonym.key'), key.toString('hex'));
  const pseudonymizer = new Pseudonymizer(key);

  const iins: string[] = [];
  for (let n = 0; iins.length < PERSONS; n++) {
    // (birth date, serial) is unique for n below 20,000 days x 10,000 serials.
    const birth = new Date(Date.UTC(1950, 0, 1) + (n % 20_000) * 86_400_000);
    const iin = makeIin(birth, n & 1 ? 'male' : 'female', Math.floor(n / 20_000) % 10_000);
    if (iin) iins.push(iin);
  }
  const unique = [...new Set(iins)];
  if (unique.length !== iins.length) throw new Error(`generated ${iins.length - unique.length} duplicate IINs`);

  const { url, database } = await createBenchDatabase(DB_NAME);
  try {
    // The restricted tenth comes from a real publication: a breach with iin and phone, 100,000 persons.
    const t0 = performance.now();
    const registry = new RegistryService(database, pseudonymizer);
    new PolicyService(database, registry).install();
    await registry.createBreach({ id: 'bench-breach', organizationBin: '940140000385', organizationName: 'Bench Telecom', title: 'Bench', source: 'hack', dataCategories: ['iin', 'phone'] });
    const seq = (await database.db.selectFrom('breaches').select('seq').where('id', '=', 'bench-breach').executeTakeFirstOrThrow()).seq;
    const restricted = iins.filter((_, n) => n % Math.round(1 / RESTRICTED_SHARE) === 0);
    const lines = restricted.map((iin) => `\\\\x${pseudonymizer.of(iin).toString('hex')}\t${seq}\n`).join('');
    await database.withBulkSession((s) => s.copyFrom('copy breach_affected (person_hash, breach_seq) from stdin', Buffer.from(lines)));
    await database.db.updateTable('breaches').set({ affected_count: restricted.length }).where('id', '=', 'bench-breach').execute();
    await registry.publishBreach('bench-breach');
    const restrictions = await sql<{ n: number }>`select count(*)::int as n from restrictions`.execute(database.db);
    console.log(`set-up: ${restrictions.rows[0].n} restrictions from one published breach in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await sql`vacuum analyze`.execute(database.db);

    const lenders = new LenderService(database);
    await lenders.create({ bin: '940140000385', name: 'Bench Bank', licence: 'bank' });
    const { key: lenderKey } = await lenders.createKey('940140000385');

    const bare = await startServer(['serve-bare']);
    const ours = await startServer(['serve-ours', url, work]);
    const checkIds: string[] = [];
    const results: { bare: LoadResult[]; ours: LoadResult[] } = { bare: [], ours: [] };
    try {
      // Warm-up of both (JIT, pools), not counted.
      await load(bare.port, lenderKey, iins, 2);
      await load(ours.port, lenderKey, iins, 2, checkIds);
      const before = await databaseWork(database);
      const answeredBefore = checkIds.length;
      for (let r = 0; r < ROUNDS; r++) {
        const b = await load(bare.port, lenderKey, iins, SECONDS);
        const o = await load(ours.port, lenderKey, iins, SECONDS, checkIds);
        results.bare.push(b);
        results.ours.push(o);
        console.log(
          `round ${r + 1}: bare ${b.perSecond.toFixed(0)}/s p99 ${b.p99} ms | checks ${o.perSecond.toFixed(0)}/s p50 ${o.p50} ms p99 ${o.p99} ms (non-2xx ${o.non2xx}, errors ${o.errors}) | ratio ${(o.perSecond / b.perSecond).toFixed(2)} | load ${os.loadavg()[0].toFixed(2)}`,
        );
      }
      // Load-independent evidence of where a check's time goes: the database's own counters per answered check.
      await new Promise((r) => setTimeout(r, 1500));
      const after = await databaseWork(database);
      const answered = checkIds.length - answeredBefore;
      const per = (k: keyof typeof after) => ((after[k] - before[k]) / Math.max(answered, 1)).toFixed(2);
      console.log(
        `per answered check (${answered} in the measured rounds): transactions ${per('transactions')} (each autocommit statement is one), ` +
          `inquiry rows inserted ${per('inquiriesInserted')}, rate-limit counter rows written ${per('countersWritten')}, restriction index scans ${per('restrictionScans')}`,
      );
      const groups = await sql<{ groups: number; mean: number; p50: number; p90: number; max: number }>`
        select count(*)::int as groups, avg(n)::float8 as mean, percentile_cont(0.5) within group (order by n)::float8 as p50,
               percentile_cont(0.9) within group (order by n)::float8 as p90, max(n)::int as max
          from (select checked_at, count(*) as n from credit_inquiries group by checked_at) g`.execute(database.db);
      const g = groups.rows[0];
      console.log(`groups formed (inquiries sharing one checkedAt, one statement each): ${g.groups}, size mean ${g.mean.toFixed(1)}, p50 ${g.p50}, p90 ${g.p90}, max ${g.max}`);
    } finally {
      await stop(bare.proc);
      await stop(ours.proc);
    }

    // Every check answered 200 (warm-up included) has its inquiry row.
    let found = 0;
    for (let at = 0; at < checkIds.length; at += 50_000) {
      const chunk = checkIds.slice(at, at + 50_000);
      const r = await sql<{ n: number }>`select count(*)::int as n from credit_inquiries where id = any(${chunk}::uuid[])`.execute(database.db);
      found += r.rows[0].n;
    }
    const total = (await sql<{ n: number }>`select count(*)::int as n from credit_inquiries`.execute(database.db)).rows[0].n;
    const denied = (await sql<{ n: number }>`select count(*)::int as n from credit_inquiries where decision = 'deny'`.execute(database.db)).rows[0].n;

    const m = (xs: LoadResult[], f: (x: LoadResult) => number) => median(xs.map(f));
    const summary = {
      bareRps: Math.round(m(results.bare, (x) => x.perSecond)),
      checkRps: Math.round(m(results.ours, (x) => x.perSecond)),
      ratio: Number((m(results.ours, (x) => x.perSecond) / m(results.bare, (x) => x.perSecond)).toFixed(2)),
      checkP50: m(results.ours, (x) => x.p50),
      checkP99: m(results.ours, (x) => x.p99),
      bareP99: m(results.bare, (x) => x.p99),
      answered200: checkIds.length,
      withInquiry: found,
      inquiriesInTable: total,
      deniedShare: Number((denied / Math.max(total, 1)).toFixed(3)),
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    };
    console.log(JSON.stringify(summary, null, 2));
    if (found !== checkIds.length) {
      console.error(`FAIL: ${checkIds.length - found} checks answered 200 have no inquiry row`);
      process.exitCode = 1;
    } else {
      console.log(`every one of the ${checkIds.length} checks answered 200 has its inquiry row`);
    }
  } finally {
    await database.close();
    if (!process.env.BENCH_KEEP_DATABASE) await dropBenchDatabase(DB_NAME);
  }
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'serve-ours') await serveOurs(args[0], args[1]);
else if (mode === 'serve-bare') await serveBare();
else await main();
