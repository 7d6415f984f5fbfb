/**
 * The full digital literacy index — every region × age group × sex cell and every grouping
 * (region-age, region, age group, sex, national), each post-stratified with 95% intervals —
 * over 1,000,000 results of one quarter on PostgreSQL. Goal (issue 12): at most 5 s.
 *
 *   npx tsx bench/literacy-index.ts
 *   BENCH_LITERACY_RESULTS=10000 BENCH_ROUNDS=1 npx tsx bench/literacy-index.ts     (a quick try)
 *   npx tsx bench/literacy-index.ts --results 200000
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres);
 * a database "qorgau_bench_literacy" is created and dropped afterwards. Results are generated
 * in SQL, spread over the 240 cells unevenly (some cells large, some small), plus a quarter
 * as many results in the previous quarter, so the period filter has something to skip.
 */
import os from 'node:os';
import { sql } from 'kysely';
import { machineLine, median } from './machine.js';
import { createBenchDatabase, dropBenchDatabase } from './revocation-setup.js';
import { IndexService } from '../src/features/literacy/index.js';

const flag = process.argv.indexOf('--results');
const RESULTS = Number(flag > 0 ? process.argv[flag + 1] : (process.env.BENCH_LITERACY_RESULTS ?? 1_000_000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const GOAL_SECONDS = 5;
const PERIOD = '2026-Q4';
const PREVIOUS = '2026-Q3';
const DB_NAME = 'qorgau_bench_literacy';
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

if (!Number.isInteger(RESULTS) || RESULTS < 1) {
  console.error('--results (or BENCH_LITERACY_RESULTS) must be a positive whole number');
  process.exit(2);
}

console.log(machineLine());
console.log(`load average at start (1/5/15 min): ${load()}`);
console.log(`results in ${PERIOD}: ${RESULTS}; rounds: ${ROUNDS}`);

const { database } = await createBenchDatabase(DB_NAME);
try {
  const db = database.db;
  await sql`insert into literacy_bank_versions (version, status, created_by) values (1, 'published', 'bench')`.execute(db);
  let t = performance.now();
  // Cell k of the 240 is chosen with probability falling with k (power(random(), 2)): large and small cells, as a real sample has.
  const generate = (period: string, count: number) => sql`
    with cells as (
      select (row_number() over (order by region, age_group, sex) - 1)::int as k, region, age_group, sex
      from literacy_population
    ),
    draws as (
      select g, least(239, floor(240 * power(random(), 2)))::int as k, random() as skill, random() as noise
      from generate_series(1, ${count}::int) g
    )
    insert into literacy_results (assessment_id, version, period, region, age_group, sex,
      information, communication, content_creation, safety, problem_solving, score, all_basic, scam_resistance)
    select md5(${period} || '-' || d.g)::uuid, 1, ${period}, c.region, c.age_group, c.sex,
      d.skill, least(1, d.skill * 1.1), d.skill * 0.9, least(1, d.skill * 0.8 + d.noise * 0.2), d.skill,
      100 * least(1, d.skill * 0.9 + d.noise * 0.1), d.skill > 0.35, round((d.skill * 0.7 + d.noise * 0.3)::numeric, 1)::real
    from draws d join cells c using (k)
  `.execute(db);
  await generate(PERIOD, RESULTS);
  await generate(PREVIOUS, Math.max(1, Math.floor(RESULTS / 4)));
  await sql`vacuum analyze literacy_results`.execute(db);
  await sql`checkpoint`.execute(db);
  const size = (await sql<{ heap: string; idx: string }>`select pg_size_pretty(pg_table_size('literacy_results')) as heap, pg_size_pretty(pg_indexes_size('literacy_results')) as idx`.execute(db)).rows[0];
  console.log(`set-up: ${((performance.now() - t) / 1000).toFixed(1)} s; literacy_results ${size.heap}, indexes ${size.idx}`);

  const service = new IndexService(db, 30);
  const seconds: number[] = [];
  let entries: Awaited<ReturnType<IndexService['compute']>> = [];
  console.log(`load average before timing: ${load()}`);
  for (let round = 0; round < ROUNDS; round++) {
    t = performance.now();
    entries = await service.compute(PERIOD);
    seconds.push((performance.now() - t) / 1000);
    console.log(`round ${round + 1}: ${seconds[round].toFixed(2)} s (load ${os.loadavg()[0].toFixed(2)})`);
  }
  const byLevel = Object.entries(entries.reduce<Record<string, number>>((m, e) => ((m[e.level] = (m[e.level] ?? 0) + 1), m), {}));
  const cells = entries.filter((e) => e.level === 'cell');
  const national = entries.find((e) => e.level === 'national')!;
  console.log(`groups: ${byLevel.map(([l, n]) => `${l} ${n}`).join(', ')}; cells suppressed (n < 30): ${cells.filter((c) => c.suppressed).length} of ${cells.length}`);
  console.log(`national: n ${national.n}, all-basic ${JSON.stringify(national.allBasic)}, score ${JSON.stringify(national.score)}`);
  const plan = await sql<{ 'QUERY PLAN': string }>`explain (analyze, buffers, format text) select count(*) from literacy_results where period = ${PERIOD}`.execute(db);
  console.log(`scan of the period alone: ${plan.rows.find((r) => r['QUERY PLAN'].startsWith('Execution Time'))?.['QUERY PLAN']}`);
  const med = median(seconds);
  console.log(`full index: median ${med.toFixed(2)} s over ${ROUNDS} rounds (min ${Math.min(...seconds).toFixed(2)}, max ${Math.max(...seconds).toFixed(2)}); goal at most ${GOAL_SECONDS} s${RESULTS === 1_000_000 ? '' : ' (for 1,000,000 results)'}`);
  console.log(`load average at end: ${load()}`);
  if (national.n !== RESULTS) {
    console.error(`FAIL: the national group counts ${national.n} results, not ${RESULTS}`);
    process.exitCode = 1;
  } else if (RESULTS === 1_000_000 && med > GOAL_SECONDS) {
    console.log(`GOAL NOT MET: ${med.toFixed(2)} s > ${GOAL_SECONDS} s`);
  }
} finally {
  await database.close();
  await dropBenchDatabase(DB_NAME);
}
