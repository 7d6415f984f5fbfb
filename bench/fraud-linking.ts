/**
 * Linking 1,000,000 generated fraud reports naming about 3,000,000 identifiers on PostgreSQL,
 * then the incremental linking of one more report with a million stored.
 *
 *   npx tsx bench/fraud-linking.ts                       # 1,000,000 reports (the lead runs it alone)
 *   BENCH_REPORTS=2000 BENCH_SAMPLES=50 npx tsx bench/fraud-linking.ts   # tiny, to try it
 *
 * The reports are drawn so that real clusters exist: each belongs to one of REPORTS/8 fraud
 * operations (a skewed draw: few large operations, many small), names two of its operation's six
 * identifiers (three phones, a site, a handle, a wallet) and one of its own; one report in fifty
 * also names one of five "everybody" numbers (spoofed landlines), which must be flagged as
 * over-correlating instead of gluing everything together. Reports and identifiers are written
 * set-based in SQL (already normalized: normalization is per report and is measured in the
 * incremental part); the measured phase is `linkReports` over all of them, in chunks, each in
 * its own transaction, as a bulk import would call it.
 *
 * Goals (issue 11): linking the million in at most 120 s; one more report (normalized, written,
 * linked, through the same service the HTTP route calls) p99 at most 10 ms.
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); a database
 * "qorgau_bench_fraud" is created and dropped afterwards.
 */
import { randomBytes, randomInt } from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import { machineLine, median } from './machine.js';
import { createBenchDatabase, dropBenchDatabase } from './revocation-setup.js';

const REPORTS = Number(process.env.BENCH_REPORTS ?? 1_000_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 500);
const CHUNK = Number(process.env.BENCH_CHUNK ?? 50_000);
const OPERATIONS = Math.max(1, Math.floor(REPORTS / 8));
const DB_NAME = 'qorgau_bench_fraud';

const seconds = (ms: number) => (ms / 1000).toFixed(1);
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];

async function main() {
  const { FraudReports, linkReports, notifyThroughOutbox } = await import('../src/features/fraud/index.js');
  const { Pseudonymizer } = await import('../src/privacy/pseudonym.js');

  console.log(machineLine());
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`reports: ${REPORTS}, operations: ${OPERATIONS}, chunk: ${CHUNK}, incremental samples: ${SAMPLES}`);
  if (OPERATIONS * 3 >= 10_000_000 || REPORTS >= 10_000_000) throw new Error('the generated phone ranges hold at most 10,000,000 values');

  const { database } = await createBenchDatabase(DB_NAME);
  const db = database.db;
  const policy = { overCorrelationShare: 0.01, overCorrelationMinReports: 25, overCorrelationMaxConnections: 100 };
  try {
    // ---- generate (not measured as linking) ---------------------------------------------
    const t0 = performance.now();
    await sql`
      insert into fraud_reports (seq, id, tracking_hash, reporter_kind, contact, occurred_at, region, channel, scheme, amount, currency, loss_kzt, payment_method, narrative)
      select g, gen_random_uuid(), '\\x00'::bytea, 'anonymous', 'bench@example.kz',
             timestamptz '2025-01-01' + (g % 700) * interval '1 day',
             (array['astana','almaty-city','shymkent','abai','akmola','aktobe','almaty-region','atyrau','east-kazakhstan','zhambyl','zhetisu','west-kazakhstan','karaganda','kostanay','kyzylorda','mangystau','pavlodar','north-kazakhstan','turkistan','ulytau'])[1 + g % 20],
             (array['call','sms','messenger','social_network','website','marketplace','other'])[1 + g % 7],
             (array['fake_bank_or_police_call','investment','marketplace_prepayment','phishing_link','loan_in_victim_name','e_signature_theft','romance','other'])[1 + g % 8],
             (g % 97) * 10000, 'KZT', (g % 97) * 10000, 'card_transfer', 'generated'
        from generate_series(1, ${REPORTS}::int) as g`.execute(db);
    await sql`select setval(pg_get_serial_sequence('fraud_reports', 'seq'), ${REPORTS}::int)`.execute(db);
    // Each report's operation: a skewed draw (squared uniform), so a few operations are large.
    await sql`create unlogged table bench_draws as
      with r as (select g as seq, floor(${OPERATIONS}::int * power(random(), 2))::int as op from generate_series(1, ${REPORTS}::int) as g)
      select seq, op, floor(random() * 6)::int as k1, floor(random() * 6)::int as k2, random() < 0.02 as common, floor(random() * 5)::int as c from r`.execute(db);
    const pool = (op: ReturnType<typeof sql.ref>, k: ReturnType<typeof sql.ref>) => sql`
      case when ${k} < 3 then 'phone' when ${k} = 3 then 'domain' when ${k} = 4 then 'handle' else 'wallet' end as kind,
      case when ${k} < 3 then '+7701' || lpad((${op} * 3 + ${k})::text, 7, '0')
           when ${k} = 3 then 'op' || ${op} || '-pay.kz'
           when ${k} = 4 then 'op_' || ${op} || '_support'
           else '0x' || md5('w' || ${op}) || substr(md5('v' || ${op}), 1, 8) end as value`;
    await sql`create unlogged table bench_mentions as
      select distinct * from (
        select seq, ${pool(sql.ref('op'), sql.ref('k1'))} from bench_draws
        union all select seq, ${pool(sql.ref('op'), sql.ref('k2'))} from bench_draws
        union all select seq, 'phone', '+7702' || lpad(seq::text, 7, '0') from bench_draws
        union all select seq, 'phone', '+7727' || lpad((c + 1)::text, 7, '0') from bench_draws where common) m`.execute(db);
    await sql`
      insert into fraud_identifiers (kind, value, display, report_count, total_loss_kzt, first_seen, last_seen)
      select m.kind, m.value, m.value, count(*), sum(r.loss_kzt), min(r.occurred_at), max(r.occurred_at)
        from bench_mentions m join fraud_reports r on r.seq = m.seq group by m.kind, m.value`.execute(db);
    await sql`
      insert into fraud_report_identifiers (report_seq, identifier_id, as_reported, state)
      select m.seq, i.id, m.value, 'linked' from bench_mentions m join fraud_identifiers i on i.kind = m.kind and i.value = m.value`.execute(db);
    await sql`update fraud_totals set report_count = ${REPORTS}::bigint where id = 1`.execute(db);
    await sql`drop table bench_draws`.execute(db);
    await sql`drop table bench_mentions`.execute(db);
    await sql`vacuum analyze`.execute(db);
    const counts = (await sql<{ identifiers: number; mentions: number }>`select (select count(*)::int from fraud_identifiers) as identifiers, (select count(*)::int from fraud_report_identifiers) as mentions`.execute(db)).rows[0];
    console.log(`generated: ${REPORTS} reports, ${counts.identifiers} distinct identifiers, ${counts.mentions} report-identifier mentions in ${seconds(performance.now() - t0)} s`);

    // ---- link them all (measured) -----------------------------------------------------------
    const t1 = performance.now();
    let flagged = 0;
    for (let from = 1; from <= REPORTS; from += CHUNK) {
      const seqs = Array.from({ length: Math.min(CHUNK, REPORTS - from + 1) }, (_, i) => from + i);
      const outcome = await db.transaction().execute((trx) => linkReports(trx, seqs, policy));
      flagged += outcome.flagged.length;
      if (REPORTS >= 10 * CHUNK && ((from - 1) / CHUNK) % 5 === 0) console.log(`  linked ${from + seqs.length - 1} in ${seconds(performance.now() - t1)} s (load ${os.loadavg()[0].toFixed(2)})`);
    }
    const linkingMs = performance.now() - t1;

    // ---- check the result with plain SQL ------------------------------------------------------
    const check = (
      await sql<{ unclustered: number; in_merged: number; split_identifiers: number; total: number; clusters: number; multi: number; largest: number; flagged: number }>`
        select (select count(*)::int from fraud_reports where cluster_id is null) as unclustered,
               (select count(*)::int from fraud_reports r join fraud_clusters c on c.id = r.cluster_id where c.merged_into is not null) as in_merged,
               (select count(*)::int from (select m.identifier_id from fraud_report_identifiers m join fraud_reports r on r.seq = m.report_seq
                                            where m.state = 'linked' group by m.identifier_id having count(distinct r.cluster_id) > 1) x) as split_identifiers,
               (select sum(report_count)::int from fraud_clusters where merged_into is null) as total,
               (select count(*)::int from fraud_clusters where merged_into is null and report_count > 0) as clusters,
               (select count(*)::int from fraud_clusters where merged_into is null and report_count > 1) as multi,
               (select max(report_count)::int from fraud_clusters) as largest,
               (select count(*)::int from fraud_identifiers where over_correlating_at is not null) as flagged`.execute(db)
    ).rows[0];
    // The five "everybody" numbers must be flagged (once each is in enough reports to judge),
    // and no operation's own identifier may be: the point of the over-correlation rules.
    const everybody = (
      await sql<{ value: string; reports: number; flagged: boolean; reason: string | null }>`
        select i.value, i.report_count as reports, i.over_correlating_at is not null as flagged,
               (select state_reason from fraud_report_identifiers m where m.identifier_id = i.id and m.state = 'over_correlating' limit 1) as reason
          from fraud_identifiers i where i.kind = 'phone' and i.value like '+7727%' order by i.value`.execute(db)
    ).rows;
    const judgeable = everybody.filter((e) => e.reports >= policy.overCorrelationMinReports);
    const everybodyFlagged = judgeable.filter((e) => e.flagged).length;
    const othersFlagged = check.flagged - everybody.filter((e) => e.flagged).length;
    const sound =
      check.unclustered === 0 && check.in_merged === 0 && check.split_identifiers === 0 && check.total === REPORTS && everybodyFlagged === judgeable.length && othersFlagged === 0;
    console.log(
      `linking: ${REPORTS} reports in ${seconds(linkingMs)} s (${Math.round(REPORTS / (linkingMs / 1000))} reports/s) | clusters ${check.clusters}, of which ${check.multi} with 2+ reports, largest ${check.largest} | over-correlating flagged ${check.flagged} (${flagged} by the batches): "everybody" numbers ${everybodyFlagged} of ${judgeable.length} judgeable (${everybody.length} in all), operations' own ${othersFlagged} | consistent: ${sound ? 'yes' : `NO ${JSON.stringify({ ...check, everybodyFlagged, judgeable: judgeable.length, othersFlagged })}`}`,
    );
    const reason = everybody.find((e) => e.reason)?.reason;
    if (reason) console.log(`  reason stored on a flagged link: ${reason}`);

    // ---- one more report at a time (measured) -------------------------------------------------
    const pseudonymizer = new Pseudonymizer(randomBytes(32));
    const reports = new FraudReports(database, pseudonymizer, undefined, async () => false, notifyThroughOutbox, { policy, kztRates: { KZT: 1 } });
    const timings: number[] = [];
    for (let i = 0; i < SAMPLES + 20; i++) {
      const op = Math.floor(OPERATIONS * Math.random() ** 2);
      const national = `701${String(op * 3 + randomInt(3)).padStart(7, '0')}`;
      const input = {
        occurredAt: new Date().toISOString(),
        region: 'astana' as const,
        channel: 'call' as const,
        scheme: 'fake_bank_or_police_call' as const,
        amount: 120_000,
        currency: 'KZT',
        paymentMethod: 'card_transfer' as const,
        identifiers: [
          { type: 'phone' as const, value: `8 ${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6, 8)} ${national.slice(8)}` },
          { type: 'url' as const, value: `https://secure.op${op}-pay.kz/login` },
          { type: 'phone' as const, value: `+7705${String(randomInt(10_000_000)).padStart(7, '0')}` },
        ],
        narrative: 'A caller from the "bank security service" asked me to move my savings.',
        contact: 'bench@example.kz',
      };
      const start = performance.now();
      await reports.reportFraud({ report: input }, {});
      if (i >= 20) timings.push(performance.now() - start);
    }
    console.log(
      `incremental: ${SAMPLES} reports (normalize, write, link, each its own transaction) with ${REPORTS} stored: p50 ${median(timings).toFixed(2)} ms, p99 ${percentile(timings, 99).toFixed(2)} ms, max ${Math.max(...timings).toFixed(2)} ms | load ${os.loadavg()[0].toFixed(2)}`,
    );
    console.log(`goals: linking ${REPORTS} <= 120 s: ${linkingMs <= 120_000 ? 'met' : 'not met'}; incremental p99 <= 10 ms: ${percentile(timings, 99) <= 10 ? 'met' : 'not met'}`);
    if (!sound) process.exitCode = 1;
  } finally {
    await database.close();
    await dropBenchDatabase(DB_NAME);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
