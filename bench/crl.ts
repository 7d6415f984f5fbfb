/**
 * A full CRL of 1,000,000 revoked entries, built and signed: time and peak RSS.
 *
 *   npx tsx bench/crl.ts
 *   BENCH_CRL_ENTRIES=1000000 BENCH_CRL_BASELINE=10000,20000,40000 npx tsx bench/crl.ts
 *
 * Each measurement runs in a child process of its own so its peak RSS is its own:
 *  - direct: our builder (CrlEntriesWriter + buildCrl, DER written directly), entries
 *    generated in memory, signed by the ceremony's issuing key (encrypted-file signer);
 *  - postgres: CrlPublisher.publish, the same work plus reading the revoked rows from
 *    PostgreSQL in pages and storing the signed CRL (BENCH_DATABASE_URL; a database
 *    "qorgau_bench_crl" is created and dropped);
 *  - baseline: pkijs (a general-purpose ASN.1 object tree) building and signing the same
 *    kind of CRL, at the smaller sizes it can finish, with ours at the same sizes.
 * The 1,000,000-entry CRL is checked by `openssl crl -verify` afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as pkijs from 'pkijs';
import * as asn1js from 'asn1js';
import { machineLine, median } from './machine.js';
import { benchHierarchy, createBenchDatabase, databaseUrl, dropBenchDatabase, insertCertificateRows } from './revocation-setup.js';
import { loadCaHierarchy } from '../src/features/ca/index.js';
import { CrlEntriesWriter, buildCrl } from '../src/features/ca/index.js';
import { CrlPublisher } from '../src/features/ca/index.js';
import { openDatabase } from '../src/db/database.js';

const ENTRIES = Number(process.env.BENCH_CRL_ENTRIES ?? 1_000_000);
const BASELINE_SIZES = (process.env.BENCH_CRL_BASELINE ?? '5000,10000,20000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_CRL_RUNS ?? 3);
const DB_NAME = 'qorgau_bench_crl';
const DAY = 86_400_000;

interface ChildSpec {
  kind: 'direct' | 'postgres' | 'baseline';
  entries: number;
  ca: { dir: string; passphrase: string };
  out?: string;
}
interface ChildResult {
  ms: number;
  bytes: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
}

// ---- child side ------------------------------------------------------------

const REASONS = [1, 3, 4, 5, 6];

async function child(spec: ChildSpec): Promise<ChildResult> {
  const hierarchy = await loadCaHierarchy(spec.ca.dir, spec.ca.passphrase);
  const rssBefore = process.memoryUsage().rss;
  const now = Math.floor(Date.now() / 1000) * 1000;
  let der: Buffer;
  const started = performance.now();
  if (spec.kind === 'direct') {
    const writer = new CrlEntriesWriter();
    // Serials in ascending order, as the database hands them over.
    for (let i = 0; i < spec.entries; i++) {
      writer.add({ serial: `4${(0x1000000000 + i).toString(16).padStart(31, '0')}`, revokedAt: now - i * 1000, reason: REASONS[i % 5], invalidityDate: i % 7 === 0 ? now - 30 * DAY : null });
    }
    der = await buildCrl(hierarchy.issuing, { crlNumber: 1, thisUpdate: new Date(now), nextUpdate: new Date(now + DAY), entries: writer });
  } else if (spec.kind === 'postgres') {
    const database = await openDatabase({ databaseUrl: databaseUrl(DB_NAME), poolSize: 2 });
    const publisher = new CrlPublisher(database, new Map([[hierarchy.issuing.name, hierarchy.issuing]]), { keep: 1 });
    const meta = await publisher.publish(hierarchy.issuing.name, { force: true });
    der = (await publisher.latest(hierarchy.issuing.name)).der;
    if (meta.entries !== spec.entries) throw new Error(`expected ${spec.entries} entries, published ${meta.entries}`);
    await database.close();
  } else {
    pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));
    const issuer = pkijs.Certificate.fromBER(new Uint8Array(hierarchy.issuing.der));
    const key = await webcrypto.subtle.importKey(
      'pkcs8',
      // The benchmark needs the key as a CryptoKey for pkijs; it reads the same encrypted file.
      (await import('node:crypto')).createPrivateKey({ key: (await import('node:fs')).readFileSync(path.join(spec.ca.dir, 'issuing.key.pem')), passphrase: spec.ca.passphrase }).export({ type: 'pkcs8', format: 'der' }),
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    );
    const crl = new pkijs.CertificateRevocationList({ version: 1, issuer: issuer.subject, thisUpdate: new pkijs.Time({ type: 0, value: new Date(now) }), nextUpdate: new pkijs.Time({ type: 0, value: new Date(now + DAY) }) });
    crl.revokedCertificates = [];
    for (let i = 0; i < spec.entries; i++) {
      const extensions = [new pkijs.Extension({ extnID: '2.5.29.21', critical: false, extnValue: new asn1js.Enumerated({ value: REASONS[i % 5] }).toBER(false) })];
      if (i % 7 === 0) extensions.push(new pkijs.Extension({ extnID: '2.5.29.24', critical: false, extnValue: new asn1js.GeneralizedTime({ valueDate: new Date(now - 30 * DAY) }).toBER(false) }));
      crl.revokedCertificates.push(
        new pkijs.RevokedCertificate({
          userCertificate: new asn1js.Integer({ valueHex: Buffer.from(`4${(0x1000000000 + i).toString(16).padStart(31, '0')}`, 'hex') }),
          revocationDate: new pkijs.Time({ type: 0, value: new Date(now - i * 1000) }),
          crlEntryExtensions: new pkijs.Extensions({ extensions }),
        }),
      );
    }
    await crl.sign(key, 'SHA-256');
    der = Buffer.from(crl.toSchema(true).toBER(false));
  }
  const ms = performance.now() - started;
  if (spec.out) writeFileSync(spec.out, der);
  return { ms, bytes: der.length, rssBeforeMiB: rssBefore / 2 ** 20, peakRssMiB: process.resourceUsage().maxRSS / 1024 };
}

// ---- parent side -----------------------------------------------------------

function runChild(spec: ChildSpec): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${spec.kind} ${spec.entries}: child exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!));
    });
  });
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function measure(label: string, spec: ChildSpec, runs: number) {
  const results: ChildResult[] = [];
  for (let i = 0; i < runs; i++) results.push(await runChild(spec));
  const ms = median(results.map((r) => r.ms));
  const peak = median(results.map((r) => r.peakRssMiB));
  const before = median(results.map((r) => r.rssBeforeMiB));
  const bytes = results[0].bytes;
  console.log(
    `${label.padEnd(34)} entries ${fmt(spec.entries).padStart(9)}  median ${fmt(ms / 1000, 2).padStart(7)} s  (runs: ${results.map((r) => (r.ms / 1000).toFixed(2)).join(', ')})  ` +
      `CRL ${fmt(bytes / 2 ** 20, 1)} MiB  RSS before ${fmt(before)} MiB, peak ${fmt(peak)} MiB (+${fmt(peak - before)} MiB = ${fmt((peak - before) / (bytes / 2 ** 20), 1)}x the CRL)`,
  );
  return { ms, bytes, peak, before };
}

async function main() {
  console.log('# CRL build and sign');
  console.log(machineLine());
  console.log(`load average at start (1/5/15 min): ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const ca = await benchHierarchy();
  console.log(`signer: ceremony issuing CA, ECDSA P-256, encrypted-file KeySigner; runs per size: ${RUNS}\n`);

  const out = path.join(tmpdir(), `qorgau-bench-${process.pid}.crl`);
  const direct = await measure('direct (ours, in memory)', { kind: 'direct', entries: ENTRIES, ca, out }, RUNS);
  const verify = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', out, '-noout', '-CAfile', path.join(ca.dir, 'issuing.pem')], { encoding: 'utf8' });
  const chain = path.join(tmpdir(), `qorgau-bench-${process.pid}-chain.pem`);
  writeFileSync(chain, (await import('node:fs')).readFileSync(path.join(ca.dir, 'root.pem'), 'utf8') + (await import('node:fs')).readFileSync(path.join(ca.dir, 'issuing.pem'), 'utf8'));
  const verified = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', out, '-noout', '-CAfile', chain], { encoding: 'utf8' });
  console.log(`openssl crl -verify of the ${fmt(ENTRIES)}-entry CRL: ${(verified.stderr + verified.stdout).trim() || (verify.stderr + verify.stdout).trim()}`);
  await measure('direct (ours, in memory)', { kind: 'direct', entries: Math.round(ENTRIES / 10), ca }, RUNS);

  console.log('\n# from PostgreSQL (CrlPublisher.publish: read rows in pages, build, sign, store)');
  const { database } = await createBenchDatabase(DB_NAME);
  const t0 = performance.now();
  await insertCertificateRows(database, { issuer: 'issuing', count: ENTRIES, revokeEvery: 1 });
  console.log(`inserted ${fmt(ENTRIES)} revoked certificate rows set-based in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  await database.close();
  try {
    await measure('postgres publish (ours)', { kind: 'postgres', entries: ENTRIES, ca }, RUNS);
  } finally {
    await dropBenchDatabase(DB_NAME);
  }

  console.log('\n# baseline: pkijs object tree vs ours at the same sizes (same entries, same signer key)');
  for (const n of BASELINE_SIZES) {
    const ours = await measure('direct (ours)', { kind: 'direct', entries: n, ca }, RUNS);
    const base = await measure('pkijs (general-purpose)', { kind: 'baseline', entries: n, ca }, 1);
    console.log(`  -> at ${fmt(n)} entries pkijs takes ${fmt(base.ms / ours.ms, 0)}x as long as ours`);
  }
  console.log(`\ngoal: ${fmt(ENTRIES)} entries in <= 10 s; measured median ${fmt(direct.ms / 1000, 2)} s in memory`);
}

if (process.argv[2] === '--child') {
  child(JSON.parse(process.argv[3]) as ChildSpec).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (err) => {
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
