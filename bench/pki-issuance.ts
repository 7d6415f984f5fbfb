/**
 * Certificates issued per second from CSRs.
 *
 *   npx tsx bench/pki-issuance.ts
 *   BENCH_ISSUANCE_CSRS=1000 BENCH_ISSUANCE_OPENSSL_CSRS=200 BENCH_ISSUANCE_ALGORITHM=RSA-2048 npx tsx bench/pki-issuance.ts
 *
 * The same ECDSA P-256 CSRs (individual-sign, as `qorgau keygen` makes them) go through:
 *  - ours, from CSR: parse the DER, verify its signature (proof of possession), build the
 *    TBSCertificate from the profile, lint it, sign it with the ceremony's issuing key
 *    (encrypted-file KeySigner); one at a time, and 8 in flight (signing runs on libuv's pool);
 *  - ours, pairs stored: CertificateIssuer.issuePair into the certificates table of an
 *    in-memory PGlite (2 certificates per pair);
 *  - baseline: `openssl x509 -req` signing the same CSRs with the same CA key and
 *    certificate, one process per CSR, as a shell-scripted CA does;
 *  - baseline: bare node:crypto sign() of a 600-byte buffer with the same key, the
 *    ceiling of any issuer that signs with this key in this process.
 * Each is run BENCH_ISSUANCE_RUNS times (default 3); the median is reported.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { machineLine, median } from './machine.js';
import { initCa, loadCaHierarchy, caFiles } from '../src/features/ca/index.js';
import { buildCsr, generateSubjectKeys } from '../src/client/csr-builder.js';
import { checkCsr } from '../src/features/ca/index.js';
import { signWithProfile } from '../src/features/ca/index.js';
import { CertificateIssuer } from '../src/features/ca/index.js';
import { personSubject, PROFILES, type PersonSubject } from '../src/features/ca/index.js';
import { makeIin } from '../src/identifiers/iin.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { KeyAlgorithm } from '../src/pkix/key-signer.js';

const CSRS = Number(process.env.BENCH_ISSUANCE_CSRS ?? 1000);
const OPENSSL_CSRS = Number(process.env.BENCH_ISSUANCE_OPENSSL_CSRS ?? 200);
const RUNS = Number(process.env.BENCH_ISSUANCE_RUNS ?? 3);
const CA_ALGORITHM = (process.env.BENCH_ISSUANCE_ALGORITHM ?? 'ECDSA-P256') as KeyAlgorithm;
const publicUrl = 'https://qorgau.kz';
const run = promisify(execFile);

function person(i: number): PersonSubject {
  // About one serial in eleven has no valid check digit; the next one does.
  for (let serial = i % 10_000; ; serial = (serial + 1) % 10_000) {
    const iin = makeIin(new Date(Date.UTC(1970 + (i % 40), i % 12, 1 + (i % 28))), i % 2 ? 'male' : 'female', serial);
    if (iin) return { iin, surname: 'Сәрсенбаев', givenName: `Ерлан${i}`, patronymic: 'Қайратұлы' };
  }
}

async function timed(fn: () => Promise<number>): Promise<{ perSecond: number; ms: number; count: number }> {
  const start = process.hrtime.bigint();
  const count = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { perSecond: (count / ms) * 1000, ms, count };
}

async function inPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

async function main() {
  console.log(machineLine());
  console.log(`openssl: ${(await run('/usr/bin/openssl', ['version'])).stdout.trim()}`);
  // Other work on the machine slows a process-per-CSR baseline most: say how busy it was.
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`CA key: ${CA_ALGORITHM}; subject keys: ECDSA P-256; CSRs: ${CSRS} (openssl baseline: ${OPENSSL_CSRS}); runs: ${RUNS}\n`);

  const dir = mkdtempSync(path.join(tmpdir(), 'qorgau-bench-issuance-'));
  const passphrase = randomBytes(18).toString('base64url');
  await initCa({ dir: path.join(dir, 'ca'), passphrase, algorithm: CA_ALGORITHM, publicUrl });
  const hierarchy = await loadCaHierarchy(path.join(dir, 'ca'), passphrase);

  process.stderr.write(`making ${CSRS} CSR pairs...\n`);
  const people = Array.from({ length: CSRS }, (_, i) => person(i));
  const csrs: { person: PersonSubject; auth: Buffer; sign: Buffer }[] = [];
  for (const p of people) {
    const subject = personSubject('individual', p);
    csrs.push({ person: p, auth: await buildCsr(await generateSubjectKeys(), subject), sign: await buildCsr(await generateSubjectKeys(), subject) });
  }

  const fromCsr = async (c: { person: PersonSubject; sign: Buffer }) => {
    const checked = await checkCsr(c.sign, 'csr');
    await signWithProfile({ profile: PROFILES['individual-sign'], person: c.person, subjectPublicKeyInfo: checked.spki }, { entity: hierarchy.issuing }, publicUrl);
  };

  const results: Record<string, number[]> = {};
  const record = (name: string, r: { perSecond: number }) => (results[name] ??= []).push(r.perSecond);

  const database = await openDatabase({ inMemory: true });
  await migrateToLatest(database.db);
  const issuer = new CertificateIssuer(database.db, hierarchy, publicUrl);

  // The openssl baseline: the same issuing key (its encrypted PEM) and certificate, an extension file like our profile.
  const files = caFiles(path.join(dir, 'ca'), 'issuing');
  const passFile = path.join(dir, 'pass');
  writeFileSync(passFile, passphrase);
  const extFile = path.join(dir, 'ext.cnf');
  writeFileSync(
    extFile,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,nonRepudiation',
      'extendedKeyUsage=emailProtection,1.2.398.3.3.4.1.1,1.2.398.3.3.4.3.2',
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
      'certificatePolicies=1.2.398.3.3.2.1',
      `crlDistributionPoints=URI:${publicUrl}/pki/crl/issuing.crl`,
      `authorityInfoAccess=OCSP;URI:${publicUrl}/pki/ocsp,caIssuers;URI:${publicUrl}/pki/ca/issuing.cer`,
    ].join('\n') + '\n',
  );
  const csrFiles = csrs.slice(0, OPENSSL_CSRS).map((c, i) => {
    const file = path.join(dir, `csr-${i}.der`);
    writeFileSync(file, c.sign);
    return file;
  });
  const caKey = createPrivateKey({ key: readFileSync(files.key), passphrase });
  const tbsLike = randomBytes(600);

  for (let round = 1; round <= RUNS; round++) {
    process.stderr.write(`round ${round}/${RUNS}\n`);
    record('ours: from CSR, one at a time', await timed(async () => {
      for (const c of csrs) await fromCsr(c);
      return csrs.length;
    }));
    record('ours: from CSR, 8 in flight', await timed(async () => {
      await inPool(csrs, 8, fromCsr);
      return csrs.length;
    }));
    record('ours: CSR pairs issued and stored (PGlite)', await timed(async () => {
      for (const c of csrs) {
        const auth = await checkCsr(c.auth, 'authCsr');
        const signCsr = await checkCsr(c.sign, 'signCsr');
        await issuer.issuePair({ holder: 'individual', person: c.person, authKey: auth.spki, signKey: signCsr.spki, proofing: 'remote' });
      }
      return csrs.length * 2;
    }));
    record('baseline: openssl x509 -req, one process per CSR', await timed(async () => {
      for (const [i, file] of csrFiles.entries()) {
        await run('/usr/bin/openssl', [
          'x509', '-req', '-inform', 'DER', '-in', file, '-CA', files.pem, '-CAkey', files.key, '-passin', `file:${passFile}`,
          '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', '365', '-sha256', '-extfile', extFile, '-outform', 'DER', '-out', path.join(dir, `cert-${i}.der`),
        ]);
      }
      return csrFiles.length;
    }));
    record('baseline: bare node:crypto sign() with the CA key', await timed(async () => {
      for (let i = 0; i < CSRS; i++) sign('sha256', tbsLike, { key: caKey, dsaEncoding: 'der' });
      return CSRS;
    }));
  }
  await database.close();
  console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);

  const opensslRate = median(results['baseline: openssl x509 -req, one process per CSR']);
  const signRate = median(results['baseline: bare node:crypto sign() with the CA key']);
  console.log('certificates per second (median of runs; ratio to openssl x509 -req, and to bare sign()):');
  for (const [name, values] of Object.entries(results)) {
    const m = median(values);
    console.log(
      `  ${name.padEnd(52)} ${m.toFixed(0).padStart(7)}/s   x${(m / opensslRate).toFixed(2).padStart(6)} openssl   ${(m / signRate).toFixed(2)} of sign()   runs: ${values.map((v) => v.toFixed(0)).join(', ')}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
