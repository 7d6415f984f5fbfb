/**
 * Terminating an employee of an organization with 100,000 employees: how long until OCSP says
 * the employee's certificate is revoked (goal: at most 1 s at p99).
 *
 *   npx tsx bench/termination.ts
 *   BENCH_TERMINATION_EMPLOYEES=100000 BENCH_TERMINATION_RUNS=200 npx tsx bench/termination.ts
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); a
 * database "qorgau_bench_termination" is created and dropped afterwards. Two instances of the
 * full application run as child processes, as behind a load balancer: the HR system's
 * terminate request goes to one, the OCSP requests to the other, so the revocation reaches the
 * second through PostgreSQL (LISTEN/NOTIFY into its status cache), not through memory.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as pkijs from 'pkijs';
import { serveQorgau, startChildServer } from './child-server.js';
import { machineLine, median } from './machine.js';
import { benchHierarchy, createBenchDatabase, databaseUrl, dropBenchDatabase } from './revocation-setup.js';
import { makeIin } from '../src/identifiers/iin.js';
import { certificateParts } from '../src/features/ca/index.js';
import * as der from '../src/der/writer.js';

const EMPLOYEES = Number(process.env.BENCH_TERMINATION_EMPLOYEES ?? 100_000);
const RUNS = Number(process.env.BENCH_TERMINATION_RUNS ?? 200);
const SYNC_LEAVERS = Number(process.env.BENCH_TERMINATION_SYNC_LEAVERS ?? 1000);
const DB_NAME = 'qorgau_bench_termination';
const BIN = '940140000385';
const SELF = fileURLToPath(import.meta.url);

// ---- a server instance (child process) ------------------------------------------------

const serve = serveQorgau;

function startServer(spec: object): Promise<{ proc: ChildProcess; port: number }> {
  return startChildServer(SELF, ['serve', JSON.stringify(spec)]);
}

// ---- OCSP ------------------------------------------------------------------------------

function ocspRequest(issuerDer: Buffer, serial: string): Buffer {
  const parts = certificateParts(issuerDer);
  const certId = der.sequence(
    der.sequence(der.objectIdentifier('1.3.14.3.2.26'), der.nullValue()),
    der.octetString(createHash('sha1').update(parts.subject).digest()),
    der.octetString(createHash('sha1').update(parts.subjectPublicKey).digest()),
    der.tlv(der.TAG.INTEGER, Buffer.from(serial, 'hex')),
  );
  return der.sequence(der.sequence(der.sequence(der.sequence(certId))));
}

/** The certStatus of the one SingleResponse: CertStatus ::= CHOICE { good [0], revoked [1], unknown [2] }. */
function certStatus(body: ArrayBuffer): 'good' | 'revoked' | 'unknown' {
  const response = pkijs.OCSPResponse.fromBER(body);
  if (!response.responseBytes) throw new Error(`OCSP responseStatus ${response.responseStatus.valueBlock.valueDec}`);
  const basic = pkijs.BasicOCSPResponse.fromBER(new Uint8Array(response.responseBytes.response.valueBlock.valueHexView));
  const tag = (basic.tbsResponseData.responses[0].certStatus as { idBlock: { tagNumber: number } }).idBlock.tagNumber;
  return tag === 0 ? 'good' : tag === 1 ? 'revoked' : 'unknown';
}

async function ocsp(port: number, request: Buffer): Promise<'good' | 'revoked' | 'unknown'> {
  const response = await fetch(`http://127.0.0.1:${port}/pki/ocsp`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: new Uint8Array(request) });
  return certStatus(await response.arrayBuffer());
}

const AUTH_SERIAL_SQL = (iin: string) => `'4' || substr(md5(${iin} || '-auth'), 2)`;
const authSerial = (iin: string) => '4' + createHash('md5').update(`${iin}-auth`).digest('hex').slice(1);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)];
}

async function main() {
  console.log(machineLine());
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`load average at start: ${load()}`);
  console.log(`employees: ${EMPLOYEES.toLocaleString('en')}, terminations: ${RUNS}`);

  const { database } = await createBenchDatabase(DB_NAME);
  const { dir, passphrase } = await benchHierarchy();
  const { loadCaHierarchy } = await import('../src/features/ca/index.js');
  const hierarchy = await loadCaHierarchy(dir, passphrase);
  const issuer = hierarchy.issuing.name;
  const procs: ChildProcess[] = [];
  try {
    // ---- the organization, its employees and their AUTH/SIGN pairs, set-based ----
    const started = Date.now();
    const iins = new Set<string>();
    while (iins.size < EMPLOYEES) {
      const iin = makeIin(new Date(Date.UTC(1950 + randomInt(55), randomInt(12), 1 + randomInt(28))), randomInt(2) ? 'male' : 'female', randomInt(10000));
      if (iin) iins.add(iin);
    }
    const staff = [...iins];
    await database.db.insertInto('enrolled_organizations').values({ bin: BIN, name: 'ТОО «Bench»', enrolled_by: 'bench' }).execute();
    await database.withBulkSession(async (s) => {
      const rows = staff.map((iin, i) => `${BIN}\t${iin}\tposition ${i % 50}\t${i % 10 === 0}\t2020-01-01T00:00:00Z\n`).join('');
      await s.copyFrom('copy employments (bin, iin, position, may_sign, started_at) from stdin', Buffer.from(rows));
      await s.query(
        `insert into certificates (serial, issuer, profile, subject_iin, subject_bin, subject_dn, not_before, not_after, der, pair_id)
         select case k.kind when 'auth' then ${AUTH_SERIAL_SQL('e.iin')} else '4' || substr(md5(e.iin || '-sign'), 2) end,
                $1, 'employee-' || k.kind, e.iin, e.bin, 'CN=BENCH,serialNumber=IIN' || e.iin || ',OU=BIN' || e.bin,
                now() - interval '1 day', now() + interval '365 days', '\\x'::bytea, 'bench-pair-' || e.iin
           from employments e cross join (values ('auth'), ('sign')) as k(kind)
          where e.bin = $2`,
        [issuer, BIN],
      );
      await s.query('analyze employments');
      await s.query('analyze certificates');
    });
    const { createHrCredential } = await import('../src/features/signatures/index.js');
    const { credential } = await createHrCredential(database.db, BIN, 'bench HR system');
    console.log(`set-up: ${EMPLOYEES.toLocaleString('en')} employments and ${(EMPLOYEES * 2).toLocaleString('en')} certificates in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // ---- two instances: A takes the termination, B answers OCSP ----
    const url = databaseUrl(DB_NAME);
    const spec = () => ({ dir, passphrase, url, work: mkdtempSync(path.join(tmpdir(), 'qorgau-bench-term-')) });
    const a = await startServer(spec());
    procs.push(a.proc);
    const b = await startServer(spec());
    procs.push(b.proc);
    console.log(`instances listening (${a.port}, ${b.port}); load average ${load()}`);

    const victims = new Set<string>();
    while (victims.size < Math.min(RUNS, staff.length)) victims.add(staff[randomInt(staff.length)]);
    const toRevoked: number[] = [];
    const toResponse: number[] = [];
    const afterResponse: number[] = [];
    let polls = 0;
    for (const iin of victims) {
      const request = ocspRequest(hierarchy.issuing.der, authSerial(iin));
      if ((await ocsp(b.port, request)) !== 'good') throw new Error(`certificate of ${iin} is not good before termination`);
      const t0 = performance.now();
      let respondedAt = 0;
      const terminate = fetch(`http://127.0.0.1:${a.port}/v1/orgs/${BIN}/employees/${iin}/terminate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'bench' }),
      }).then(async (r) => {
        respondedAt = performance.now();
        if (r.status !== 200) throw new Error(`terminate ${iin}: ${r.status} ${await r.text()}`);
        const body = (await r.json()) as { revoked: unknown[] };
        if (body.revoked.length !== 2) throw new Error(`terminate ${iin}: revoked ${body.revoked.length}`);
      });
      let revokedAt = 0;
      // Poll the other instance back to back until it says revoked.
      for (;;) {
        polls++;
        const status = await ocsp(b.port, request);
        if (status === 'revoked') {
          revokedAt = performance.now();
          break;
        }
        if (performance.now() - t0 > 30_000) throw new Error(`OCSP still says ${status} for ${iin} after 30 s`);
      }
      await terminate;
      toRevoked.push(revokedAt - t0);
      toResponse.push(respondedAt - t0);
      afterResponse.push(Math.max(0, revokedAt - respondedAt));
    }
    const report = (name: string, values: number[]) => {
      const sorted = [...values].sort((x, y) => x - y);
      console.log(`${name}: median ${median(sorted).toFixed(1)} ms, p99 ${pct(sorted, 0.99).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms`);
    };
    console.log(`\n${victims.size} terminations (one at a time), ${polls} OCSP polls; load average at end: ${load()}`);
    report('terminate request answered (instance A)', toResponse);
    report('OCSP says revoked (instance B), from the request', toRevoked);
    report('OCSP says revoked, after the answer', afterResponse);
    const p99 = pct([...toRevoked].sort((x, y) => x - y), 0.99);
    console.log(`goal p99 <= 1000 ms: ${p99 <= 1000 ? 'met' : 'NOT met'} (${p99.toFixed(1)} ms)`);

    // ---- staff sync: the full list (CSV) with SYNC_LEAVERS people missing ----
    const remaining = staff.filter((iin) => !victims.has(iin));
    const leavers = remaining.slice(0, SYNC_LEAVERS);
    const csv = Buffer.from(`name;iin;position\n${remaining.slice(SYNC_LEAVERS).map((iin, i) => `Employee ${i};${iin};staff`).join('\n')}\n`);
    const sync = async (confirm: boolean) => {
      const t = performance.now();
      const r = await fetch(`http://127.0.0.1:${a.port}/v1/orgs/${BIN}/staff-sync?confirm=${confirm}&expectTerminations=${leavers.length}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'text/csv' },
        body: csv,
      });
      const body = (await r.json()) as { wouldTerminate: unknown[]; terminated: { revoked: unknown[] }[] };
      if (r.status !== 200) throw new Error(`staff sync: ${r.status} ${JSON.stringify(body)}`);
      return { ms: performance.now() - t, body };
    };
    const dry = await sync(false);
    if (dry.body.wouldTerminate.length !== leavers.length) throw new Error(`dry run shows ${dry.body.wouldTerminate.length}, not ${leavers.length}`);
    const request = ocspRequest(hierarchy.issuing.der, authSerial(leavers[leavers.length - 1]));
    const t0 = performance.now();
    const confirmed = await sync(true);
    let status = await ocsp(b.port, request);
    while (status !== 'revoked') status = await ocsp(b.port, request);
    const syncRevoked = performance.now() - t0;
    const revokedCount = confirmed.body.terminated.reduce((n, t) => n + t.revoked.length, 0);
    console.log(`\nstaff sync, CSV of ${(remaining.length - SYNC_LEAVERS).toLocaleString('en')} employees (${(csv.length / 2 ** 20).toFixed(1)} MiB), ${leavers.length} missing; load average ${load()}`);
    console.log(`dry run: ${dry.ms.toFixed(0)} ms; confirmed (${confirmed.body.terminated.length} terminated, ${revokedCount} certificates revoked in one transaction): ${confirmed.ms.toFixed(0)} ms; OCSP on B says the last one revoked ${syncRevoked.toFixed(0)} ms after the request`);
  } finally {
    for (const p of procs) p.kill();
    await database.close();
    await dropBenchDatabase(DB_NAME);
  }
}

if (process.argv[2] === 'serve') await serve(JSON.parse(process.argv[3]));
else await main();
