/**
 * OCSP answers/s and latency with 1,000,000 issued certificates in PostgreSQL, against
 * OpenSSL's own responder serving the same certificates and a bare Fastify route
 * returning a fixed 600-byte body, with the same load client in the same run. Each
 * target is measured with a new TCP connection per request (as `openssl ocsp` does)
 * and with keep-alive, and with two kinds of request: without a nonce (RFC 5019, what
 * most relying parties send: our pre-signed answers) and with one (`openssl ocsp`'s
 * default: signed on the spot by every target).
 *
 * Like with like: every target runs BENCH_WORKERS processes (default: one per core, as
 * `npm start` on PostgreSQL): ours and the bare route as a node:cluster, OpenSSL with -multi.
 *
 *   npx tsx bench/ocsp.ts
 *   BENCH_OCSP_CERTS=1000000 BENCH_OCSP_SECONDS=10 BENCH_OCSP_CONCURRENCY=32 npx tsx bench/ocsp.ts
 *   BENCH_OCSP_CERTS=10000000 BENCH_WORKERS=2 npx tsx bench/ocsp.ts
 *   BENCH_OCSP_KINDS=no-nonce BENCH_OCSP_TARGETS=qorgau,bare   (a subset)
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres);
 * a database "qorgau_bench_ocsp" is created and dropped afterwards. Each server runs in
 * its own process; the load client (raw sockets, one process) shares the machine.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { BENCH_PORT, BENCH_WORKERS, schedulingPolicy, serveClustered, serveQorgau, startChildServer } from './child-server.js';
import { machineLine, median } from './machine.js';
import { benchHierarchy, benchSerial, createBenchDatabase, databaseUrl, dropBenchDatabase, insertCertificateRows } from './revocation-setup.js';
import { certificateParts, loadCaHierarchy, presignIssuingAnswers, presignIssuingAnswersFor } from '../src/features/ca/index.js';
import { openDatabase } from '../src/db/database.js';
import * as der from '../src/der/writer.js';
import { id_pkix_ocsp_nonce, id_sha1 } from '../src/pkix/oids.js';

const CERTS = Number(process.env.BENCH_OCSP_CERTS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_OCSP_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_OCSP_WARMUP ?? 3);
const CONCURRENCY = Number(process.env.BENCH_OCSP_CONCURRENCY ?? 32);
const REVOKE_EVERY = 100;
const REQUEST_TIMEOUT_MS = 5_000;
const DB_NAME = process.env.BENCH_OCSP_DB ?? 'qorgau_bench_ocsp';
const SELF = fileURLToPath(import.meta.url);
/**
 * BENCH_OCSP_PRESIGN: "all" (default; "1" too) signs an answer for every certificate during
 * set-up, as the server's pass does; "asked" signs only those of the serials the load asks for
 * (what is served is the same: a stored answer, then held in memory); "0" none (the first
 * requests sign them, inside the warm-up).
 */
const PRESIGN = ({ '1': 'all', '': 'all' } as Record<string, string>)[process.env.BENCH_OCSP_PRESIGN ?? ''] ?? process.env.BENCH_OCSP_PRESIGN!;
/**
 * BENCH_OCSP_STATE: a folder keeping the database (BENCH_OCSP_DB), the CA and index.txt between
 * runs, so a large set-up is made once (outside a quiet window) and only the load is run again.
 */
const STATE = process.env.BENCH_OCSP_STATE;
/** BENCH_OCSP_PORT: ours listens there, OpenSSL on the next port, the bare route on the one after; 0 (default): any free ports. */
const PORT_BASE = Number(process.env.BENCH_OCSP_PORT ?? 0);
/**
 * OpenSSL's responder with -multi BENCH_WORKERS (its own processes, like ours) only when asked:
 * in the first try here (OpenSSL 3.0.22) the -multi parent exited 1 at once and its children never
 * answered, so by default it runs as its single process, and the ratios say so.
 */
const OPENSSL_MULTI = process.env.BENCH_OPENSSL_MULTI === '1' && BENCH_WORKERS > 1;

// ---- servers (child processes) --------------------------------------------------

const serveOurs = serveQorgau;

async function serveBare() {
  await serveClustered(BENCH_WORKERS, async () => {
    const body = Buffer.alloc(600, 0x2a);
    const app = Fastify({ logger: false });
    app.addContentTypeParser('application/ocsp-request', { parseAs: 'buffer' }, (_r, b, done) => done(null, b));
    app.post('/pki/ocsp', async (_request, reply) => reply.type('application/ocsp-response').send(body));
    await app.listen({ port: BENCH_PORT, host: '127.0.0.1' });
    return (app.server.address() as net.AddressInfo).port;
  });
}

function startNodeServer(args: string[], port: number): Promise<{ proc: ChildProcess; port: number }> {
  return startChildServer(SELF, args, process.env.BENCH_OCSP_SERVER_FLAGS?.split(' ').filter(Boolean) ?? [], port);
}

async function freePort(): Promise<number> {
  if (PORT_BASE) return PORT_BASE + 1;
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  return port;
}

// ---- the load client -----------------------------------------------------------

interface LoadResult {
  answers: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Wrong answers, resets and requests unanswered after REQUEST_TIMEOUT_MS. */
  errors: number;
  connections: number;
}

/**
 * Raw HTTP/1.1 over net sockets, so the client costs the same for every target. A
 * virtual user sends one request at a time; with keepAlive it reuses its socket while the
 * server keeps it open, otherwise it sends "Connection: close" and waits for the server to
 * close before connecting again (so TIME_WAIT stays on the server side).
 */
async function load(port: number, requests: Buffer[], keepAlive: boolean, seconds: number, check: (status: number, body: Buffer) => boolean): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let connections = 0;
  let measuring = false;
  let stopped = false;
  const heads = requests.map((body) =>
    Buffer.concat([
      Buffer.from(`POST /pki/ocsp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/ocsp-request\r\nContent-Length: ${body.length}\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n`),
      body,
    ]),
  );

  function user(): Promise<void> {
    return new Promise((resolveUser) => {
      let socket: net.Socket;
      let buffer = Buffer.alloc(0);
      let sentAt = 0n;
      let awaitingClose = false;
      let timer: NodeJS.Timeout | undefined;
      const send = () => {
        if (stopped) {
          socket.destroy();
          return resolveUser();
        }
        buffer = Buffer.alloc(0);
        sentAt = process.hrtime.bigint();
        socket.write(heads[randomInt(heads.length)]);
        // A server that stops answering must not stall the run: count it and start over.
        clearTimeout(timer);
        timer = setTimeout(() => {
          if (measuring) errors++;
          awaitingClose = true;
          socket.destroy();
        }, REQUEST_TIMEOUT_MS);
      };
      const connect = () => {
        if (stopped) return resolveUser();
        connections++;
        awaitingClose = false;
        socket = net.connect(port, '127.0.0.1');
        socket.setNoDelay(true);
        socket.on('connect', send);
        socket.on('data', (chunk) => {
          buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
          const headerEnd = buffer.indexOf('\r\n\r\n');
          if (headerEnd < 0) return;
          const head = buffer.subarray(0, headerEnd).toString('latin1');
          const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? -1);
          if (length < 0 || buffer.length < headerEnd + 4 + length) return;
          clearTimeout(timer);
          const status = Number(head.slice(9, 12));
          const ms = Number(process.hrtime.bigint() - sentAt) / 1e6;
          if (measuring) {
            if (check(status, buffer.subarray(headerEnd + 4, headerEnd + 4 + length))) latencies.push(ms);
            else errors++;
          }
          const closing = !keepAlive || /connection:\s*close/i.test(head) || head.startsWith('HTTP/1.0') && !/keep-alive/i.test(head);
          if (closing) awaitingClose = true;
          else send();
        });
        socket.on('error', () => {
          if (measuring) errors++;
        });
        socket.on('close', () => {
          clearTimeout(timer);
          if (!awaitingClose && !stopped && measuring) errors++;
          connect();
        });
      };
      connect();
    });
  }

  const users = Array.from({ length: CONCURRENCY }, user);
  await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
  measuring = true;
  const started = process.hrtime.bigint();
  const connectionsBefore = connections;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const connectionsUsed = connections - connectionsBefore;
  stopped = true;
  await Promise.all(users);
  latencies.sort((a, b) => a - b);
  return {
    answers: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: latencies[Math.floor(latencies.length * 0.5)] ?? NaN,
    p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN,
    errors,
    connections: connectionsUsed,
  };
}

// ---- OCSP requests -------------------------------------------------------------

/** OCSPRequest for one serial with a SHA-1 CertID, with a 16-octet nonce as `openssl ocsp` sends by default, or none (RFC 5019). */
function ocspRequest(issuerDer: Buffer, serial: string, withNonce: boolean): Buffer {
  const issuer = certificateParts(issuerDer);
  const certId = der.sequence(
    der.sequence(der.objectIdentifier(id_sha1), der.nullValue()),
    der.octetString(createHash('sha1').update(issuer.subject).digest()),
    der.octetString(createHash('sha1').update(issuer.subjectPublicKey).digest()),
    der.tlv(der.TAG.INTEGER, Buffer.from(serial, 'hex')),
  );
  const nonce = der.explicit(2, der.sequence(der.sequence(der.objectIdentifier(id_pkix_ocsp_nonce), der.octetString(der.octetString(randomBytes(16))))));
  return withNonce ? der.sequence(der.sequence(der.sequence(der.sequence(certId)), nonce)) : der.sequence(der.sequence(der.sequence(der.sequence(certId))));
}

/** OCSPResponse with responseStatus successful: 30 len 0a 01 00 (long-form length tolerated). */
function isSuccessfulOcsp(status: number, body: Buffer): boolean {
  if (status !== 200 || body[0] !== 0x30) return false;
  const offset = body[1] & 0x80 ? 2 + (body[1] & 0x7f) : 2;
  return body[offset] === 0x0a && body[offset + 1] === 1 && body[offset + 2] === 0;
}

const OPENSSL_REASONS: Record<string, string> = {
  keyCompromise: 'keyCompromise',
  affiliationChanged: 'affiliationChanged',
  superseded: 'superseded',
  cessationOfOperation: 'cessationOfOperation',
  certificateHold: 'certificateHold,holdInstructionNone',
};
const REASON_CYCLE = ['keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold'];

function yymmdd(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

/** OpenSSL's CA database (index.txt) for the same rows insertCertificateRows makes. */
async function writeIndex(file: string): Promise<void> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const expiry = yymmdd(new Date(Date.now() + 365 * 86_400_000));
  const now = Date.now();
  let batch = '';
  for (let g = 1; g <= CERTS; g++) {
    const serial = benchSerial(g).toUpperCase();
    if (g % REVOKE_EVERY === 0) {
      const reason = REASON_CYCLE[Math.floor(g / REVOKE_EVERY) % 5];
      batch += `R\t${expiry}\t${yymmdd(new Date(now - g * 1000))},${OPENSSL_REASONS[reason]}\t${serial}\tunknown\t/CN=BENCH ${g}\n`;
    } else {
      batch += `V\t${expiry}\t\t${serial}\tunknown\t/CN=BENCH ${g}\n`;
    }
    if (g % 10_000 === 0) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
}

// ---- main ----------------------------------------------------------------------

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main() {
  console.log('# OCSP responder');
  console.log(machineLine());
  console.log(`load average at start (1/5/15 min): ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}  (other work on this machine competes with every target)`);
  console.log(`certificates: ${fmt(CERTS)} (1 in ${REVOKE_EVERY} revoked); ${CONCURRENCY} concurrent virtual users; ${WARMUP_SECONDS} s warm-up then ${SECONDS} s measured per case`);
  console.log(`processes per target: ${BENCH_WORKERS} (BENCH_WORKERS; ours and bare: node:cluster, scheduling ${schedulingPolicy()} (NODE_CLUSTER_SCHED_POLICY); openssl: ${OPENSSL_MULTI ? `-multi ${BENCH_WORKERS}` : 'one process (BENCH_OPENSSL_MULTI=1 for -multi)'})`);
  interface State { certs: number; presign: string; ca: { dir: string; passphrase: string }; work: string }
  const stateFile = STATE ? path.join(STATE, 'state.json') : undefined;
  let state: State | undefined = stateFile && existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as State) : undefined;
  if (state && (state.certs !== CERTS || (PRESIGN === 'all' && state.presign !== 'all'))) throw new Error(`${stateFile} holds ${state.certs} certificates pre-signed "${state.presign}": not this run's set-up`);
  let url: string;
  if (state) {
    url = databaseUrl(DB_NAME);
    console.log(`set-up reused from ${stateFile} (database ${DB_NAME}: ${fmt(state.certs)} certificates, pre-signed: ${state.presign})`);
  } else {
    const work = STATE ?? mkdtempSync(path.join(tmpdir(), 'qorgau-bench-ocsp-'));
    if (STATE) mkdirSync(STATE, { recursive: true });
    const ca = await benchHierarchy();
    const created = await createBenchDatabase(DB_NAME);
    url = created.url;
    const database = created.database;
    let t = performance.now();
    await insertCertificateRows(database, { issuer: 'issuing', count: CERTS, revokeEvery: REVOKE_EVERY });
    console.log(`inserted ${fmt(CERTS)} certificate rows set-based in ${fmt((performance.now() - t) / 1000, 1)} s`);
    // What the server's background pass does ahead of time: an answer per certificate, stored.
    if (PRESIGN === 'all') {
      t = performance.now();
      const signed = await presignIssuingAnswers(database, await loadCaHierarchy(ca.dir, ca.passphrase), 24 * 3_600_000);
      const seconds = (performance.now() - t) / 1000;
      const size = await database.db.selectFrom('ocsp_responses').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      console.log(`pre-signed ${fmt(signed)} OCSP answers (one process, ${fmt(signed / seconds)}/s) in ${fmt(seconds, 1)} s; stored ${fmt(Number(size.n))}`);
    }
    await database.close();
    t = performance.now();
    await writeIndex(path.join(work, 'index.txt'));
    console.log(`wrote OpenSSL's index.txt for the same certificates in ${fmt((performance.now() - t) / 1000, 1)} s`);
    state = { certs: CERTS, presign: PRESIGN, ca, work };
    if (stateFile) writeFileSync(stateFile, JSON.stringify(state));
  }
  const { ca, work } = state;
  const index = path.join(work, 'index.txt');

  const issuerDer = readFileSync(path.join(ca.dir, 'issuing.cer'));
  const serials = Array.from({ length: 2000 }, (_, i) => benchSerial(i % 10 === 0 ? REVOKE_EVERY * (1 + randomInt(CERTS / REVOKE_EVERY - 1)) : 1 + randomInt(CERTS)));
  if (PRESIGN === 'asked') {
    const t = performance.now();
    const database = await openDatabase({ databaseUrl: url, poolSize: 2 });
    await presignIssuingAnswersFor(database, await loadCaHierarchy(ca.dir, ca.passphrase), 24 * 3_600_000, [...new Set(serials)]);
    await database.close();
    console.log(`pre-signed the answers of the ${fmt(new Set(serials).size)} serials asked in ${fmt((performance.now() - t) / 1000, 1)} s (BENCH_OCSP_PRESIGN=asked)`);
  }
  console.log(`pre-signed answers: ${PRESIGN === 'all' ? 'every certificate, during set-up' : PRESIGN === 'asked' ? 'those asked for, before the load' : 'none beforehand (BENCH_OCSP_PRESIGN=0): the first requests sign them, in the warm-up'}`);
  const requestsOf = { 'no nonce': serials.map((s) => ocspRequest(issuerDer, s, false)), nonce: serials.map((s) => ocspRequest(issuerDer, s, true)) };
  const kinds = (process.env.BENCH_OCSP_KINDS ?? 'no-nonce,nonce').split(',').map((k) => (k === 'no-nonce' ? 'no nonce' : 'nonce') as keyof typeof requestsOf);

  // Every target must answer correctly before it is timed.
  const chain = path.join(work, 'chain.pem');
  writeFileSync(chain, readFileSync(path.join(ca.dir, 'root.pem'), 'utf8') + readFileSync(path.join(ca.dir, 'issuing.pem'), 'utf8'));
  const sanity = (port: number) => {
    const r = spawnSync('openssl', ['ocsp', '-issuer', path.join(ca.dir, 'issuing.pem'), '-serial', `0x${benchSerial(REVOKE_EVERY)}`, '-serial', `0x${benchSerial(1)}`, '-url', `http://127.0.0.1:${port}/pki/ocsp`, '-CAfile', chain], { encoding: 'utf8' });
    if (r.status !== 0) return `openssl ocsp failed (${r.status ?? r.error}): ${r.stderr.trim()}`;
    return `${r.stderr.trim()} | ${r.stdout.trim().split('\n').filter((l) => /: (good|revoked|unknown)/.test(l)).map((l) => l.trim()).join(', ')}`;
  };

  const targets: Array<{ name: string; start: () => Promise<{ proc: ChildProcess; port: number }>; check: (s: number, b: Buffer) => boolean }> = [
    { name: 'qorgau responder', start: () => startNodeServer(['--serve-ours', JSON.stringify({ ...ca, url, work })], PORT_BASE), check: isSuccessfulOcsp },
    {
      name: 'openssl ocsp -index',
      start: async () => {
        const port = await freePort();
        const proc = spawn('openssl', ['ocsp', '-index', index, '-port', String(port), ...(OPENSSL_MULTI ? ['-multi', String(BENCH_WORKERS)] : []), '-rsigner', path.join(ca.dir, 'ocsp-signer.pem'), '-rkey', path.join(ca.dir, 'ocsp-signer.key.pem'), '-passin', `pass:${ca.passphrase}`, '-CA', path.join(ca.dir, 'issuing.pem'), '-ignore_err'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
        let stderr = '';
        proc.stderr!.on('data', (d) => (stderr += d));
        proc.on('exit', (code, signal) => {
          if (code) console.error(`openssl ocsp exited ${code ?? signal}: ${stderr.slice(-2000)}`);
        });
        // It prints this once index.txt is loaded; probing the port with an empty connection would stall it.
        // With -multi it logs to syslog instead: then it is ready once a real request is answered.
        const until = Date.now() + 300_000;
        const answers = () => spawnSync('openssl', ['ocsp', '-issuer', path.join(ca.dir, 'issuing.pem'), '-serial', `0x${benchSerial(1)}`, '-url', `http://127.0.0.1:${port}/pki/ocsp`, '-CAfile', chain, '-timeout', '2'], { encoding: 'utf8' }).status === 0;
        while (OPENSSL_MULTI ? !answers() : !stderr.includes('waiting for OCSP client connections')) {
          if (Date.now() > until) throw new Error(`openssl ocsp did not start: ${stderr}`);
          await new Promise((r) => setTimeout(r, 200));
        }
        // Its per-request log lines are not needed; drain them.
        stderr = '';
        proc.stderr!.removeAllListeners('data');
        proc.stderr!.resume();
        return { proc, port };
      },
      check: isSuccessfulOcsp,
    },
    { name: 'bare Fastify, fixed 600 B', start: () => startNodeServer(['--serve-bare'], PORT_BASE ? PORT_BASE + 2 : 0), check: (s, b) => s === 200 && b.length === 600 },
  ];

  const results: Record<string, Record<string, LoadResult>> = {};
  const verify = (port: number) => {
    // No nonce: what the pre-signed path answers, checked by openssl as well.
    const r = spawnSync('openssl', ['ocsp', '-no_nonce', '-issuer', path.join(ca.dir, 'issuing.pem'), '-serial', `0x${benchSerial(REVOKE_EVERY)}`, '-url', `http://127.0.0.1:${port}/pki/ocsp`, '-CAfile', chain], { encoding: 'utf8' });
    return r.status === 0 ? `${r.stderr.trim()} | ${r.stdout.trim().split('\n').filter((l) => /: (good|revoked|unknown)/.test(l)).map((l) => l.trim()).join(', ')}` : `openssl ocsp -no_nonce failed: ${r.stderr.trim()}`;
  };
  const only = process.env.BENCH_OCSP_TARGETS?.split(',');
  for (const target of targets.filter((t) => !only || only.some((o) => t.name.startsWith(o)))) {
    let { proc, port } = await target.start();
    const stop = async () => {
      // openssl ocsp -multi waits for its children on SIGTERM, which do not stop: end its process group.
      if (target.name.startsWith('openssl')) process.kill(-proc.pid!, 'SIGKILL');
      else proc.kill('SIGTERM');
      await once(proc, 'exit').catch(() => {});
    };
    try {
      if (target.name !== 'bare Fastify, fixed 600 B') console.log(`${target.name}: openssl ocsp check: ${sanity(port)}; without a nonce: ${verify(port)}`);
      results[target.name] = {};
      // New connections first, then keep-alive.
      for (const keepAlive of [false, true]) {
        for (const kind of kinds) {
          // The bare route ignores the request: one kind is enough for it.
          if (target.name.startsWith('bare') && kind !== kinds[0]) continue;
          const mode = `${keepAlive ? 'keep-alive' : 'new connection'}, ${kind}`;
          // OpenSSL's responder, once stalled (it blocks on one connection), answers no one again: a fresh one per case.
          if (target.name.startsWith('openssl') && Object.keys(results[target.name]).length > 0) {
            await stop();
            ({ proc, port } = await target.start());
          }
          const r = await load(port, requestsOf[kind], keepAlive, SECONDS, target.check);
          results[target.name][keepAlive ? 'keep-alive' : 'new connection'] ??= r;
          results[target.name][mode] = r;
          console.log(
            `${target.name.padEnd(27)} ${mode.padEnd(26)} ${fmt(r.perSecond).padStart(7)} answers/s  p50 ${fmt(r.p50, 2)} ms  p99 ${fmt(r.p99, 2)} ms  errors ${r.errors}  connections ${fmt(r.connections)}`,
          );
        }
      }
    } finally {
      await stop();
    }
  }
  // A kept set-up (BENCH_OCSP_STATE) keeps its database for the next run.
  if (!STATE) await dropBenchDatabase(DB_NAME);
  console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (Object.keys(results).length < 3) return;

  console.log('\n# ratios (same number of processes per target)');
  for (const kind of kinds) {
    for (const keepAlive of [false, true]) {
      const mode = `${keepAlive ? 'keep-alive' : 'new connection'}, ${kind}`;
      const ours = results['qorgau responder'][mode];
      const bare = results['bare Fastify, fixed 600 B'][keepAlive ? 'keep-alive' : 'new connection'];
      const ossl = results['openssl ocsp -index'][mode];
      // In keep-alive mode OpenSSL's responder either closes every connection after one answer (then it is the
      // new-connection case again) or holds one connection while the others wait (requests unanswered after
      // REQUEST_TIMEOUT_MS): either way not a keep-alive rate to compare with; say which it did.
      const versusOpenssl = keepAlive
        ? `ours/openssl n/a (openssl in keep-alive: ${fmt(ossl.connections)} connections for ${fmt(ossl.answers)} answers, ${ossl.errors} unanswered within ${REQUEST_TIMEOUT_MS / 1000} s${ossl.answers === 0 ? ': a stall, not a figure' : ''})`
        : ossl.answers === 0
          ? `ours/openssl n/a (openssl answered nothing: ${ossl.errors} unanswered within ${REQUEST_TIMEOUT_MS / 1000} s)`
          : `ours/openssl ${(ours.perSecond / ossl.perSecond).toFixed(2)} (goal > 1)`;
      console.log(`${mode.padEnd(26)} ours/bare ${(ours.perSecond / bare.perSecond).toFixed(2)} (goal >= 0.8)  ${versusOpenssl}  our p99 ${fmt(ours.p99, 2)} ms (goal <= 5)`);
    }
  }
}

const [flag, arg] = process.argv.slice(2);
// A normal exit on SIGTERM lets --cpu-prof (BENCH_OCSP_SERVER_FLAGS) write its profile.
if (flag?.startsWith('--serve')) process.once('SIGTERM', () => process.exit(0));
if (flag === '--serve-ours') void serveOurs(JSON.parse(arg));
else if (flag === '--serve-bare') void serveBare();
else
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
void median;
