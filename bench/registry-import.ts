/**
 * Import of synthetic valid IINs into one breach: `qorgau breach import` (the real CLI,
 * its own process) against `psql \copy` of a precomputed file of the same pseudonyms
 * into the same table, in the same run, each on an empty table.
 *
 *   npx tsx bench/registry-import.ts            # 10,000,000 rows on PostgreSQL, 1,000,000 on PGlite
 *   BENCH_ROWS=1000000 BENCH_PGLITE_ROWS=0 npx tsx bench/registry-import.ts
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres; a
 * database "qorgau_bench" is created there and dropped afterwards).
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { makeIin } from '../src/identifiers/iin.js';
import { Pseudonymizer } from '../src/privacy/pseudonym.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { machineLine } from './machine.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const PGLITE_ROWS = Number(process.env.BENCH_PGLITE_ROWS ?? 1_000_000);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CLI = path.resolve('bin/qorgau.js');

const work = mkdtempSync(path.join(tmpdir(), 'qorgau-bench-'));
const keyFile = path.join(work, 'pseudonym.key');
const key = randomBytes(32);
writeFileSync(keyFile, key.toString('hex'));

async function writeLines(file: string, count: number, line: (i: number) => string) {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  let batch: string[] = [];
  for (let i = 0; i < count; i++) {
    batch.push(line(i));
    if (batch.length === 10_000) {
      if (!out.write(batch.join(''))) await once(out, 'drain');
      batch = [];
    }
  }
  out.write(batch.join(''));
  out.end();
  await once(out, 'finish');
}

/** Distinct valid IINs: birth dates walk 1940-2009, serials 0-9999, skipping numbers never issued. */
function* syntheticIins(): Generator<string> {
  const start = Date.UTC(1940, 0, 1);
  for (let day = 0; ; day++) {
    const birth = new Date(start + day * 86_400_000);
    for (let serial = 0; serial < 10_000; serial += 7) {
      for (const sex of ['male', 'female'] as const) {
        const iin = makeIin(birth, sex, serial);
        if (iin) yield iin;
      }
    }
  }
}

async function makeFiles(rows: number, copySeq = 0) {
  const csv = path.join(work, `iins-${rows}.csv`);
  const copy = path.join(work, `pseudonyms-${rows}.copy`);
  const pseudonymizer = new Pseudonymizer(key);
  const gen = syntheticIins();
  const iins: string[] = [];
  for (let i = 0; i < rows; i++) iins.push(gen.next().value as string);
  await writeLines(csv, rows + 1, (i) => (i === 0 ? 'iin\n' : iins[i - 1] + '\n'));
  // What psql loads: the same pseudonyms the import computes, for the baseline's breach.
  if (copySeq) await writeLines(copy, rows, (i) => `\\\\x${pseudonymizer.of(iins[i]).toString('hex')}\t${copySeq}\t\\N\n`);
  return { csv, copy };
}

function timed(command: string, args: string[], env: Record<string, string>) {
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${command} failed: ${r.stderr}`);
  const peakKb = Number(r.stderr.trim().split('\n').pop());
  // The CLI prints "merging ..." when staging ends; the progress line before it says when.
  const beforeMerge = r.stderr.split(/\nmerging /)[0];
  const staged = [...beforeMerge.matchAll(/after ([\d.]+) s/g)].pop();
  return { seconds, peakMb: peakKb / 1024, stdout: r.stdout, stagingSeconds: staged ? Number(staged[1]) : NaN };
}

async function prepare(open: () => Promise<import('../src/db/database.js').Database>) {
  const database = await open();
  await migrateToLatest(database.db);
  await database.db.deleteFrom('breach_affected').execute();
  await database.db.deleteFrom('breach_imports').execute();
  await database.db.deleteFrom('breaches').execute();
  await database.db.insertInto('organizations').values({ bin: '940140000385', name: 'Bench LLP' }).onConflict((oc) => oc.doNothing()).execute();
  for (const id of ['bench-import', 'bench-copy']) {
    await database.db
      .insertInto('breaches')
      .values({ id, organization_bin: '940140000385', title: id, source: 'hack', data_categories: ['iin'] })
      .execute();
  }
  const seqs = await database.db.selectFrom('breaches').select(['id', 'seq']).execute();
  return { database, seqs: Object.fromEntries(seqs.map((s) => [s.id, s.seq])) };
}

async function postgres() {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query('drop database if exists qorgau_bench with (force)');
  await admin.query('create database qorgau_bench');
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = '/qorgau_bench';
  const databaseUrl = url.toString();
  try {
    const { database, seqs } = await prepare(() => openDatabase({ databaseUrl }));
    await database.close();
    const { csv, copy } = await makeFiles(ROWS, seqs['bench-copy']);
    console.log(`files: ${(statSync(csv).size / 2 ** 20).toFixed(0)} MiB CSV, ${(statSync(copy).size / 2 ** 20).toFixed(0)} MiB COPY text`);
    const settings = new pg.Client({ connectionString: databaseUrl });
    await settings.connect();
    await settings.query('checkpoint');
    const ours = timed(process.execPath, [CLI, 'breach', 'import', 'bench-import', csv], {
      DATABASE_URL: databaseUrl,
      QORGAU_PSEUDONYM_KEY_FILE: keyFile,
      QORGAU_PROGRESS_INTERVAL_MS: '500',
    });
    const report = JSON.parse(ours.stdout);
    if (report.accepted !== ROWS) throw new Error(`import accepted ${report.accepted} of ${ROWS}`);
    await settings.query('truncate breach_affected');
    await settings.query('checkpoint');
    const psql = timed('psql', [databaseUrl, '-v', 'ON_ERROR_STOP=1', '-c', `\\copy breach_affected (person_hash, breach_seq, categories) from '${copy}'`], {});
    const count = await settings.query('select count(*)::int as n from breach_affected where breach_seq = $1', [seqs['bench-copy']]);
    if (count.rows[0].n !== ROWS) throw new Error(`psql copied ${count.rows[0].n}`);
    await settings.end();
    const oursRate = ROWS / ours.seconds;
    const psqlRate = ROWS / psql.seconds;
    console.log(`\nPostgreSQL, ${ROWS.toLocaleString('en')} rows into one breach (empty table each time):`);
    console.log(`  qorgau breach import : ${ours.seconds.toFixed(1)} s, ${Math.round(oursRate).toLocaleString('en')} rows/s, peak RSS ${ours.peakMb.toFixed(0)} MB`);
    console.log(`    of which staging (read, validate, hash, COPY to the unlogged stage) about ${ours.stagingSeconds.toFixed(1)} s, merging the rest`);
    console.log(`  psql \\copy (baseline): ${psql.seconds.toFixed(1)} s, ${Math.round(psqlRate).toLocaleString('en')} rows/s, peak RSS ${psql.peakMb.toFixed(0)} MB`);
    console.log(`  ratio import/psql    : ${(oursRate / psqlRate).toFixed(2)}  (goal >= 0.5; rows/s goal >= 300,000; RSS goal <= 512 MB)`);
  } finally {
    const cleanup = new pg.Client({ connectionString: ADMIN_URL });
    await cleanup.connect();
    await cleanup.query('drop database if exists qorgau_bench with (force)');
    await cleanup.end();
  }
}

async function pglite() {
  if (PGLITE_ROWS <= 0) return;
  const dataDir = path.join(work, 'pglite');
  const { csv } = await makeFiles(PGLITE_ROWS);
  const { database } = await prepare(() => openDatabase({ dataDir }));
  await database.close();
  const ours = timed(process.execPath, [CLI, 'breach', 'import', 'bench-import', csv], {
    QORGAU_DATA_DIR: dataDir,
    QORGAU_PSEUDONYM_KEY_FILE: keyFile,
    QORGAU_PROGRESS_INTERVAL_MS: '500',
  });
  const report = JSON.parse(ours.stdout);
  if (report.accepted !== PGLITE_ROWS) throw new Error(`PGlite import accepted ${report.accepted}`);
  console.log(`\nPGlite (embedded), ${PGLITE_ROWS.toLocaleString('en')} rows: ${ours.seconds.toFixed(1)} s, ${Math.round(PGLITE_ROWS / ours.seconds).toLocaleString('en')} rows/s, peak RSS ${ours.peakMb.toFixed(0)} MB`);
}

console.log(machineLine());
console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores: above 2 means other work competes)`);
try {
  await postgres();
  await pglite();
} finally {
  rmSync(work, { recursive: true, force: true });
}
