/**
 * Usage-event ingest with the misuse rules on (POST /v1/usage-events, through the real
 * application with `app.inject`: schema validation, the set-based insert, rules 1, 2, 4 and 5,
 * alerts and notices, in one transaction per batch) on PostgreSQL with 1,000,000 events
 * already stored, their holders' hour profiles and devices, and the holders' employment records.
 * Baseline in the same run: the same batches stored by one bare insert statement.
 *
 *   npx tsx bench/usage-ingest.ts
 *   BENCH_STORED=1000000 BENCH_HOLDERS=50000 BENCH_BATCH=1000 BENCH_CONCURRENCY=4 BENCH_SECONDS=10 BENCH_ROUNDS=3 npx tsx bench/usage-ingest.ts
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres);
 * a database "qorgau_bench_usage" is created and dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { machineLine, median } from './machine.js';
import { createBenchDatabase, dropBenchDatabase } from './revocation-setup.js';
import { loadConfig } from '../src/config/config.js';
import { openDatabase } from '../src/db/database.js';
import { buildApp } from '../src/http/app.js';
import { createApiToken } from '../src/auth/api-tokens.js';
import { Pseudonymizer } from '../src/privacy/pseudonym.js';

const STORED = Number(process.env.BENCH_STORED ?? 1_000_000);
const HOLDERS = Number(process.env.BENCH_HOLDERS ?? 50_000);
const ORGANIZATIONS = 1_000;
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DB_NAME = 'qorgau_bench_usage';
const ISSUER = 'CN=Bench Issuing CA,O=Qorgau,C=KZ';
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/** The check digit of an IIN or BIN (DESIGN.md), or null when the number is never issued. */
function checkDigit(body: string): number | null {
  const d = [...body].map(Number);
  let c = d.reduce((s, x, i) => s + x * (i + 1), 0) % 11;
  if (c === 10) c = d.reduce((s, x, i) => s + x * (((i + 2) % 11) + 1), 0) % 11;
  return c === 10 ? null : c;
}

/** Valid IINs, distinct for distinct n (below 13,440 x 10,000). */
function iinOf(n: number): string {
  for (let k = n; ; k += 1_000_000) {
    const body = `${String(60 + (k % 40)).padStart(2, '0')}${String(1 + (Math.floor(k / 40) % 12)).padStart(2, '0')}${String(1 + (Math.floor(k / 480) % 28)).padStart(2, '0')}3${String(Math.floor(k / 13440) % 10000).padStart(4, '0')}`;
    const c = checkDigit(body);
    if (c !== null) return body + c;
  }
}

/** Valid BINs of resident legal entities registered in January 1994, distinct for distinct n. */
function orgBin(n: number): string {
  for (let k = n; ; k += 10_000) {
    const body = `940140${String(k).padStart(5, '0')}`;
    const c = checkDigit(body);
    if (c !== null) return body + c;
  }
}

async function main() {
  console.log(machineLine());
  console.log(`load average: ${load()}`);
  const work = mkdtempSync(path.join(tmpdir(), 'qorgau-bench-usage-'));
  const keyFile = path.join(work, 'pseudonym.key');
  writeFileSync(keyFile, randomBytes(32).toString('hex'));
  const { url, database: setup } = await createBenchDatabase(DB_NAME);
  try {
    const config = loadConfig({ DATABASE_URL: url, QORGAU_PSEUDONYM_KEY_FILE: keyFile, QORGAU_DATA_DIR: work, LOG_LEVEL: 'warn', QORGAU_USAGE_COMPLIANCE_INTERVAL_MINUTES: '0' });
    const pseudonymizer = new Pseudonymizer(config.pseudonymKey);
    const iins = Array.from({ length: HOLDERS }, (_, i) => iinOf(i));
    const persons = iins.map((iin) => pseudonymizer.of(iin).toString('hex'));
    const bins = iins.map((_, i) => orgBin(i % ORGANIZATIONS));
    // 5% of holders left their organization on 1 June 2026.
    const ended = iins.map((_, i) => (i % 20 === 0 ? '2026-06-01T00:00:00Z' : null));

    const t = Date.now();
    await sql`insert into enrolled_organizations (bin, name, enrolled_by) select distinct b, 'Bench LLP', 'bench' from unnest(${[...new Set(bins)]}::text[]) b`.execute(setup.db);
    await sql`insert into employments (bin, iin, position, started_at, ended_at, hr)
      select b, i, 'clerk', '2024-01-01T00:00:00Z', e, n % 100 = 1
      from unnest(${bins}::text[], ${iins}::text[], ${ended}::timestamptz[]) with ordinality as q(b, i, e, n)`.execute(setup.db);
    // One certificate per holder (serial = holder number in hex); uses spread over 2026 in office hours (09:00-18:00 local).
    await sql`insert into usage_events (occurred_at, received_at, certificate_serial, certificate_issuer, person_hash, organization_bin, purpose, outcome, client_ip, network, device_id, source)
      select ts, ts, to_hex(h + 4096), ${ISSUER}, decode((${persons}::text[])[h + 1], 'hex'), (${bins}::text[])[h + 1],
             (array['signin','verify','sign'])[1 + g % 3], 'accepted', '10.' || (h % 250) || '.' || (h / 250 % 250) || '.7', '10.' || (h % 250) || '.' || (h / 250 % 250) || '.0/24', 'dev-' || h, 'bench'
      from generate_series(0, ${STORED - 1}::int) g,
           lateral (select g % ${HOLDERS}::int as h) hh,
           lateral (select timestamptz '2026-01-01T04:00:00Z' + make_interval(days => g % 300, hours => g % 9, mins => g % 60) as ts) tt`.execute(setup.db);
    await sql`insert into usage_hour_profiles (holder_key, uses, total)
      select encode(person_hash, 'hex'), array(select coalesce((j ->> h::text)::int, 0) from generate_series(0, 23) h), total
      from (select person_hash, jsonb_object_agg(hour, n) as j, sum(n)::int as total
            from (select person_hash, extract(hour from occurred_at + interval '5 hours')::int as hour, count(*)::int as n from usage_events group by 1, 2) per_hour
            group by 1) p`.execute(setup.db);
    await sql`insert into usage_devices (certificate_serial, certificate_issuer, device_id, first_event_id, first_seen_at)
      select distinct on (certificate_serial, device_id) certificate_serial, certificate_issuer, device_id, id, occurred_at from usage_events order by certificate_serial, device_id, id`.execute(setup.db);
    await sql`analyze`.execute(setup.db);
    const stored = await sql<{ n: string }>`select count(*)::text as n from usage_events`.execute(setup.db);
    console.log(`stored: ${stored.rows[0].n} events, ${HOLDERS} holders, ${ORGANIZATIONS} organizations (set-up ${((Date.now() - t) / 1000).toFixed(1)} s)`);
    await setup.close();

    const database = await openDatabase({ databaseUrl: url, poolSize: config.databasePoolSize });
    const app = await buildApp({ config, database, logger: false });
    await app.ready();
    const token = (await createApiToken(database.db, 'bench', 'relying-party')).token;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    let clock = Date.parse('2026-11-02T05:00:00Z');
    let sequence = 0;
    /** A batch as relying parties would send it: mostly habitual uses, 1% by a stranger's device, some at night. */
    const batchEvents = () => {
      const events = [];
      for (let i = 0; i < BATCH; i++) {
        const h = (sequence * 7919 + i * 104729) % HOLDERS;
        sequence++;
        clock += 50;
        const stranger = sequence % 100 === 0;
        const night = sequence % 250 === 0;
        events.push({
          occurredAt: new Date(night ? clock + 15 * 3600_000 : clock).toISOString(),
          certificateSerial: (h + 4096).toString(16),
          certificateIssuer: ISSUER,
          holderIin: iins[h],
          organizationBin: bins[h],
          purpose: i % 2 ? 'sign' : 'signin',
          clientIp: stranger ? `192.168.${h % 250}.9` : `10.${h % 250}.${Math.floor(h / 250) % 250}.7`,
          deviceId: stranger ? `stranger-${sequence}` : `dev-${h}`,
          ...(i % 2 ? { signedAt: new Date(clock - 60_000).toISOString() } : {}),
        });
      }
      return events;
    };
    const batchBody = () => JSON.stringify({ events: batchEvents() });
    type Round = () => Promise<{ accepted: number; alerts: number }>;
    const ours: Round = async () => {
      const response = await app.inject({ method: 'POST', url: '/v1/usage-events', headers, payload: batchBody() });
      if (response.statusCode !== 201) throw new Error(`ingest failed: ${response.statusCode} ${response.body.slice(0, 300)}`);
      const body = response.json() as { accepted: number; alertIds: string[] };
      return { accepted: body.accepted, alerts: body.alertIds.length };
    };
    // The floor in the same run: the same batches stored by one bare insert statement (no HTTP, no validation, no rules).
    const bare: Round = async () => {
      const events = batchEvents();
      await sql`insert into usage_events (occurred_at, received_at, certificate_serial, certificate_issuer, person_hash, organization_bin, purpose, outcome, client_ip, device_id, signed_at, source)
        select q.at, now(), q.serial, ${ISSUER}, decode(q.person, 'hex'), q.bin, q.purpose, 'accepted', q.ip, q.device, q.signed_at, 'bench-bare'
        from unnest(${events.map((e) => e.occurredAt)}::timestamptz[], ${events.map((e) => e.certificateSerial)}::text[], ${events.map((e) => pseudonymizer.of(e.holderIin).toString('hex'))}::text[],
                    ${events.map((e) => e.organizationBin)}::text[], ${events.map((e) => e.purpose)}::text[], ${events.map((e) => e.clientIp)}::text[], ${events.map((e) => e.deviceId)}::text[],
                    ${events.map((e) => (e as { signedAt?: string }).signedAt ?? null)}::timestamptz[]) as q(at, serial, person, bin, purpose, ip, device, signed_at)`.execute(database.db);
      return { accepted: events.length, alerts: 0 };
    };

    // Warm-up: plans, JIT, pool.
    for (let i = 0; i < 3; i++) await app.inject({ method: 'POST', url: '/v1/usage-events', headers, payload: batchBody() });

    const rates: Record<'ours' | 'bare', number[]> = { ours: [], bare: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [name, run] of [['ours', ours], ['bare', bare]] as const) {
        const before = load();
        let events = 0;
        let alerts = 0;
        const started = process.hrtime.bigint();
        const deadline = Date.now() + SECONDS * 1000;
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (Date.now() < deadline) {
              const done = await run();
              events += done.accepted;
              alerts += done.alerts;
            }
          }),
        );
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        rates[name].push(events / seconds);
        console.log(`round ${round} ${name}: ${events} events in ${seconds.toFixed(2)} s = ${(events / seconds).toFixed(0)} events/s${name === 'ours' ? `, ${alerts} new alerts` : ''}; load average before ${before}, after ${load()}`);
      }
    }
    const total = await sql<{ n: string; a: string }>`select (select count(*) from usage_events)::text as n, (select count(*) from usage_alerts)::text as a`.execute(database.db);
    console.log(`after: ${total.rows[0].n} events stored, ${total.rows[0].a} alerts`);
    const ratio = median(rates.ours) / median(rates.bare);
    console.log(`median: ${median(rates.ours).toFixed(0)} events/s with the rules (batch ${BATCH}, ${CONCURRENCY} concurrent batches, goal >= 10,000/s); bare insert ${median(rates.bare).toFixed(0)} events/s; ratio ${ratio.toFixed(2)}`);
    await app.close();
    await database.close();
  } finally {
    await dropBenchDatabase(DB_NAME);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
