import { describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { buildBreach, buildIin, buildOperatorToken } from '../../../test/helpers/factories.js';
import type { DB } from '../../db/types.js';
import { logExpiredRestrictions, publicationRecordsOf, RestrictionService } from '../credit/index.js';
import { certifyPerson, signIn } from '../../../test/helpers/person-sessions.js';
import { createHash } from 'node:crypto';
import { verifyTreeHeadJws, verifyLog } from './audit.verify.js';
import { consistencyProof, inclusionProof, leafHash, treeRoot, verifyConsistency, verifyInclusion } from './merkle.js';
import { appendBatchToLog, appendManyToLog, appendToLog, batchMemberships, storeCompleteNodes } from './log.service.js';
import { watchOnce } from '../../cli/audit.commands.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const unhex = (h: string) => Buffer.from(h, 'hex');

/** What a forger who rewrites entries must also do: recompute every stored subtree hash from the leaf hashes. */
async function rebuildNodes(db: Kysely<DB>) {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('log_nodes').execute();
    const { n } = await trx.selectFrom('log_entries').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
    if (Number(n) > 0) await storeCompleteNodes(trx, 0, Number(n) - 1);
  });
}

/** Runs `tamper` and `verifyLog` inside a transaction that is rolled back, so the worker's log stays whole. */
async function verifyAfter(db: Kysely<DB>, jwk: Parameters<typeof verifyLog>[1], tamper: (trx: Kysely<DB>) => Promise<unknown>, options: Parameters<typeof verifyLog>[2] = {}) {
  let report: Awaited<ReturnType<typeof verifyLog>> | undefined;
  await db
    .transaction()
    .execute(async (trx) => {
      await tamper(trx);
      report = await verifyLog(trx, jwk, options);
      throw new Error('roll back');
    })
    .catch((err) => {
      if ((err as Error).message !== 'roll back') throw err;
    });
  return report!;
}

describe('transparency log', () => {
  it('logs a restriction in its own transaction, by pseudonym, and proves it to the person and to anyone', async () => {
    const app = await buildTestApp();
    try {
      const iin = buildIin();
      const person = app.pseudonymizer.of(iin);
      const restrictions = new RestrictionService(app.database);
      const before = (await app.inject({ url: '/v1/log/sth?publish=1' })).json();
      const placed = await restrictions.placeVoluntary(person, { products: ['microcredit'], channels: ['online'] });
      const rows = await app.database.db.selectFrom('log_entries').selectAll().where('subject', '=', person.toString('hex')).execute();
      expect(rows.map((r) => r.kind)).toEqual(['restriction.placed']);
      expect(rows[0].entry).toContain(placed.id);
      expect(rows[0].entry).not.toContain(iin);

      const sth = (await app.inject({ url: '/v1/log/sth?publish=1' })).json();
      expect(sth.treeSize).toBeGreaterThan(Number(rows[0].leaf_index));
      // The signature checks with the published key, independently of the log's own code.
      const { importJWK, compactVerify } = await import('jose');
      const { payload } = await compactVerify(sth.signature, await importJWK(sth.publicKey, 'ES256'));
      expect(JSON.parse(Buffer.from(payload).toString())).toEqual({ treeSize: sth.treeSize, rootHash: sth.rootHash, timestamp: sth.timestamp });

      const index = Number(rows[0].leaf_index);
      const inclusion = (await app.inject({ url: `/v1/log/inclusion?index=${index}&size=${sth.treeSize}` })).json();
      expect(inclusion.leafHash).toBe(leafHash(rows[0].entry).toString('hex'));
      expect(verifyInclusion(leafHash(rows[0].entry), index, sth.treeSize, inclusion.auditPath.map(unhex), unhex(sth.rootHash))).toBe(true);

      const consistency = (await app.inject({ url: `/v1/log/consistency?first=${before.treeSize}&second=${sth.treeSize}` })).json();
      expect(verifyConsistency(before.treeSize, sth.treeSize, unhex(before.rootHash), unhex(sth.rootHash), consistency.proof.map(unhex))).toBe(true);

      for (const url of [`/v1/log/inclusion?index=${sth.treeSize}&size=${sth.treeSize}`, `/v1/log/consistency?first=2&second=1`, `/v1/log/consistency?first=0&second=${sth.treeSize + 1000}`, '/v1/log/inclusion?index=-1&size=1', '/v1/log/sth?publish=yes']) {
        const res = await app.inject({ url });
        expect(res.statusCode, url).toBe(400);
        expect(res.headers['content-type'], url).toContain('application/problem+json');
      }
      expect((await app.inject({ url: '/v1/me/log' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('refuses an append outside a transaction', async () => {
    const app = await buildTestApp();
    try {
      await expect(appendToLog(app.database.db, { kind: 'x', details: {} })).rejects.toThrow(/inside the transaction/);
    } finally {
      await app.close();
    }
  });

  it('audit verify passes on the real log and names the entry that was changed, deleted, reordered or inserted', async () => {
    const app = await buildTestApp();
    try {
      const restrictions = new RestrictionService(app.database);
      for (let i = 0; i < 5; i++) await restrictions.placeVoluntary(app.pseudonymizer.of(buildIin()), { products: ['bank_loan'], channels: ['online'] });
      await app.transparencyLog.publish();
      await restrictions.placeVoluntary(app.pseudonymizer.of(buildIin()), { products: ['bank_loan'], channels: ['online'] });
      const head = await app.transparencyLog.publish();
      const jwk = app.transparencyLog.publicJwk;
      const db = app.database.db;
      const clean = await verifyLog(db, jwk);
      expect(clean.problems).toEqual([]);
      expect(clean.ok).toBe(true);
      const target = head.treeSize - 3;

      const changed = await verifyAfter(db, jwk, (trx) => sql`update log_entries set entry = replace(entry, 'bank_loan', 'microcredit') where leaf_index = ${target}`.execute(trx));
      expect(changed.ok).toBe(false);
      expect(changed.firstBadIndex).toBe(target);

      // A careful forger rewrites the leaf hash too: the published heads still catch it.
      const rehashed = await verifyAfter(db, jwk, async (trx) => {
        const row = await trx.selectFrom('log_entries').select('entry').where('leaf_index', '=', String(target)).executeTakeFirstOrThrow();
        const entry = row.entry.replace('bank_loan', 'microcredit');
        await trx.updateTable('log_entries').set({ entry, leaf_hash: leafHash(entry) }).where('leaf_index', '=', String(target)).execute();
      });
      expect(rehashed.ok).toBe(false);
      expect(rehashed.problems.join(' ')).toMatch(/does not match the published head/);

      const deleted = await verifyAfter(db, jwk, (trx) => trx.deleteFrom('log_entries').where('leaf_index', '=', String(target)).execute());
      expect(deleted.ok).toBe(false);
      expect(deleted.firstBadIndex).toBe(target);

      const reordered = await verifyAfter(db, jwk, async (trx) => {
        await sql`update log_entries set leaf_index = leaf_index + 1000000 where leaf_index in (${target}, ${target + 1})`.execute(trx);
        await sql`update log_entries set leaf_index = case leaf_index when ${target + 1000000}::bigint then ${target + 1}::bigint else ${target}::bigint end where leaf_index >= 1000000`.execute(trx);
      });
      expect(reordered.ok).toBe(false);
      expect(reordered.firstBadIndex).toBe(target);

      const inserted = await verifyAfter(db, jwk, async (trx) => {
        await sql`update log_entries set leaf_index = leaf_index + 1000000 where leaf_index >= ${target}`.execute(trx);
        await sql`update log_entries set leaf_index = leaf_index - 1000000 + 1 where leaf_index >= 1000000`.execute(trx);
        const entry = JSON.stringify({ index: target, kind: 'restriction.ended', details: {} });
        await trx.insertInto('log_entries').values({ leaf_index: target, kind: 'restriction.ended', subject: null, entry, leaf_hash: leafHash(entry) }).execute();
      });
      expect(inserted.ok).toBe(false);
      // The forged row carries the index of its place, so the first row that betrays it is the one pushed along.
      expect(inserted.firstBadIndex).toBe(target + 1);
      expect(inserted.problems.join(' ')).toMatch(/does not match the published head/);

      const forgedHead = await verifyAfter(db, jwk, (trx) => trx.updateTable('log_tree_heads').set({ root_hash: Buffer.alloc(32) }).where('tree_size', '=', String(head.treeSize)).execute());
      expect(forgedHead.ok).toBe(false);
      expect(verifyTreeHeadJws(head.signature, jwk)).not.toBeNull();
    } finally {
      await app.close();
    }
  });

  it('answers proofs and tree heads from stored subtree hashes, reading O(log n) rows, equal to proofs over every leaf', async () => {
    const app = await buildTestApp();
    try {
      const db = app.database.db;
      // Entries one at a time and many in one statement, so both ways of storing nodes are exercised.
      for (let i = 0; i < 13; i++) await db.transaction().execute((trx) => appendToLog(trx, { kind: 'test.single', details: { i } }));
      const bulk = await db.transaction().execute((trx) =>
        appendManyToLog(trx, 'test.bulk', sql`select null::bytea as subject, jsonb_build_object('i', g) as details, lpad(g::text, 6, '0') as sort_key from generate_series(1, 77) g`),
      );
      expect(bulk.count).toBe(77);
      await db.transaction().execute((trx) => appendToLog(trx, { kind: 'test.single', details: { i: 'after' } }));

      // The independent side: every entry's text hashed here, the tree and proofs over all of them (checked against RFC 9162 vectors in merkle.test.ts).
      const rows = await db.selectFrom('log_entries').select(['leaf_index', 'entry']).orderBy('leaf_index').execute();
      rows.forEach((r, i) => expect(Number(r.leaf_index)).toBe(i));
      const leaves = rows.map((r) => leafHash(r.entry));
      const n = leaves.length;
      const log = app.transparencyLog;
      const bound = (size: number) => 2 * Math.ceil(Math.log2(Math.max(size, 2))) + 2;

      const head = await log.publish();
      expect(head.treeSize).toBe(n);
      expect(head.rootHash).toBe(treeRoot(leaves).toString('hex'));
      expect(log.lastRowsRead).toBeLessThanOrEqual(bound(n));

      for (const [index, size] of [[0, n], [n - 1, n], [bulk.first, n], [bulk.first + 40, bulk.first + 77], [Math.floor(n / 2), n - 3], [5, 6]]) {
        const proof = await log.inclusion(index, size);
        expect(proof.auditPath, `${index} in ${size}`).toEqual(inclusionProof(leaves, index, size).map((b) => b.toString('hex')));
        expect(proof.leafHash).toBe(leaves[index].toString('hex'));
        expect(log.lastRowsRead, `${index} in ${size}`).toBeLessThanOrEqual(bound(size));
      }
      for (const [first, second] of [[1, n], [bulk.first, n], [bulk.first + 13, bulk.first + 64], [n - 1, n], [7, 8]]) {
        expect(await log.consistency(first, second), `${first} to ${second}`).toEqual(consistencyProof(leaves, first, second).map((b) => b.toString('hex')));
        expect(log.lastRowsRead).toBeLessThanOrEqual(bound(second) + 1);
      }
      // Bulk entries have the shape of single ones: their index, kind and details, hashed as stored.
      const entry = JSON.parse(rows[bulk.first + 4].entry);
      expect(entry).toMatchObject({ index: bulk.first + 4, kind: 'test.bulk', subject: null, details: { i: 5 } });
      expect((await verifyLog(db, log.publicJwk)).problems).toEqual([]);

      // A stored node changed behind the log's back is found by the audit.
      const forgedNode = await verifyAfter(db, log.publicJwk, (trx) => sql`update log_nodes set hash = sha256(hash) where level = 2 and idx = 1`.execute(trx));
      expect(forgedNode.ok).toBe(false);
      expect(forgedNode.problems.join(' ')).toMatch(/stored subtree hash over entries 4 to 7 does not match/);
    } finally {
      await app.close();
    }
  });

  it('logs a breach publication as ONE entry committing to its persons, proves each person two-level (checked by independent code), and the audit finds changed restriction rows', async () => {
    const app = await buildTestApp();
    try {
      const db = app.database.db;
      const operator = await buildOperatorToken(db, 'registry-operator');
      const headers = { authorization: `Bearer ${operator}` };
      const person = await certifyPerson(app);
      const iins = [person.iin, ...Array.from({ length: 39 }, () => buildIin())];
      const breach = (await app.inject({ method: 'POST', url: '/v1/breaches', headers, payload: buildBreach({ dataCategories: ['iin', 'bank_card'] }) })).json();
      const imported = await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/affected`, headers: { ...headers, 'content-type': 'application/x-ndjson' }, payload: iins.map((iin) => JSON.stringify({ iin })).join('\n') });
      expect(imported.statusCode, imported.body).toBeLessThan(300);
      const before = await app.transparencyLog.size();
      const published = await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/publish`, headers });
      expect(published.statusCode, published.body).toBe(200);

      const restrictions = await db.selectFrom('restrictions').select(['id', 'person_hash', 'products', 'channels', 'until']).where('breach_id', '=', breach.id).execute();
      expect(restrictions.length).toBeGreaterThanOrEqual(iins.length);
      // Two entries for the publication whatever its size: the persons' batch and the status change.
      const added = await db.selectFrom('log_entries').selectAll().where('leaf_index', '>=', String(before)).orderBy('leaf_index').execute();
      expect(added.map((e) => e.kind)).toEqual(['restrictions.placed', 'breach.published']);
      const batchEntry = added[0];
      expect(batchEntry.subject).toBeNull();
      const details = JSON.parse(batchEntry.entry).details;
      expect(details).toMatchObject({ breachId: breach.id, kind: 'protective', batch: { key: `breach:${breach.id}`, records: restrictions.length, recordLength: 33 } });
      for (const iin of iins) expect(batchEntry.entry).not.toContain(iin);

      // The independent side: SHA-256 and the tree by RFC 9162's definitions, written here.
      const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
      const largestPowerBelow = (n: number) => 2 ** Math.floor(Math.log2(n - 1));
      const mth = (d: Buffer[]): Buffer => (d.length === 0 ? sha() : d.length === 1 ? sha(Buffer.from([0]), d[0]) : sha(Buffer.from([1]), mth(d.slice(0, largestPowerBelow(d.length))), mth(d.slice(largestPowerBelow(d.length)))));
      const path = (m: number, d: Buffer[]): Buffer[] => {
        if (d.length <= 1) return [];
        const k = largestPowerBelow(d.length);
        return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
      };
      // The records: each restricted person's pseudonym and the tag of the rule that restricted them, in byte order.
      const tagOf = new Map<string, number>(details.rules.map((r: { tag: number; products: string[]; channels: string[]; until: string }) => [`${r.products}|${r.channels}|${r.until}`, r.tag]));
      const recordOf = (r: (typeof restrictions)[number]) => Buffer.concat([Buffer.from(r.person_hash), Buffer.from([tagOf.get(`${r.products}|${r.channels}|${new Date(r.until!).toISOString()}`)!])]);
      const records = restrictions.map(recordOf).sort(Buffer.compare);
      expect(records.every((r) => r[32] !== undefined && r.length === 33)).toBe(true);
      expect(mth(records).toString('hex')).toBe(details.batch.root);

      // The person asks for their proofs over HTTP and checks both levels against the signed tree head.
      await app.transparencyLog.publish();
      const cookie = await signIn(app, person);
      const mine = await app.inject({ url: '/v1/me/log', headers: { cookie } });
      expect(mine.statusCode, mine.body).toBe(200);
      const { treeHead, batches } = mine.json();
      const { importJWK, compactVerify } = await import('jose');
      const signed = JSON.parse(Buffer.from((await compactVerify(treeHead.signature, await importJWK(treeHead.publicKey, 'ES256'))).payload).toString());
      expect(signed.rootHash).toBe(treeHead.rootHash);
      const pseudonym = app.pseudonymizer.of(person.iin);
      const ours = records.filter((r) => r.subarray(0, 32).equals(pseudonym));
      expect(ours.length).toBeGreaterThan(0);
      expect(batches).toHaveLength(ours.length);
      const entries = (await db.selectFrom('log_entries').select('entry').where('leaf_index', '<', String(treeHead.treeSize)).orderBy('leaf_index').execute()).map((e) => Buffer.from(e.entry, 'utf8'));
      expect(mth(entries).toString('hex')).toBe(treeHead.rootHash);
      for (const b of batches) {
        const position = records.findIndex((r) => r.toString('hex') === b.record);
        expect(b.record.startsWith(pseudonym.toString('hex'))).toBe(true);
        expect(b.position).toBe(position);
        expect(b.size).toBe(records.length);
        expect(b.recordPath).toEqual(path(position, records).map((h) => h.toString('hex')));
        expect(b.root).toBe(JSON.parse(b.entry).details.batch.root);
        expect(b.index).toBe(Number(batchEntry.leaf_index));
        expect(b.leafHash).toBe(sha(Buffer.from([0]), Buffer.from(b.entry, 'utf8')).toString('hex'));
        expect(b.auditPath).toEqual(path(b.index, entries).map((h) => h.toString('hex')));
      }
      // Someone the breach did not restrict gets no batch proof.
      expect((await app.transparencyLog.entriesAbout(app.pseudonymizer.of(buildIin()))).batches).toEqual([]);

      // The audit recomputes the publication's records from the restriction rows (credit's port).
      const jwk = app.transparencyLog.publicJwk;
      const port = { batchRecords: publicationRecordsOf };
      const index = Number(batchEntry.leaf_index);
      expect((await verifyLog(db, jwk, port)).problems).toEqual([]);
      const target = restrictions[7];
      const tampered = {
        'products changed': (trx: Kysely<DB>) => trx.updateTable('restrictions').set({ products: sql`'{bank_loan}'::text[]` }).where('id', '=', target.id).execute(),
        'until moved': (trx: Kysely<DB>) => sql`update restrictions set until = until - interval '1 day' where id = ${target.id}`.execute(trx),
        'person changed': (trx: Kysely<DB>) => trx.updateTable('restrictions').set({ person_hash: app.pseudonymizer.of(buildIin()) }).where('id', '=', target.id).execute(),
        deleted: (trx: Kysely<DB>) => trx.deleteFrom('restrictions').where('id', '=', target.id).execute(),
        'moved to another breach': (trx: Kysely<DB>) => trx.updateTable('restrictions').set({ breach_id: null }).where('id', '=', target.id).execute(),
        inserted: (trx: Kysely<DB>) => sql`insert into restrictions (person_hash, kind, products, channels, since, until, reason, breach_id, policy_version)
          select ${app.pseudonymizer.of(buildIin())}, kind, products, channels, since, until, reason, breach_id, policy_version from restrictions where id = ${target.id}`.execute(trx),
        'stored records changed': (trx: Kysely<DB>) => sql`update log_batch_blocks set records = overlay(records placing '\xff'::bytea from 5 for 1) where batch_id = (select id from log_batches where leaf_index = ${index})`.execute(trx),
      };
      for (const [what, tamper] of Object.entries(tampered)) {
        const report = await verifyAfter(db, jwk, tamper, port);
        expect(report.ok, what).toBe(false);
        expect(report.firstBadIndex, what).toBe(index);
      }
      // Expiry: the sweep logs the publication's restrictions that ran out as ONE entry committing
      // to their records (the publication's tags); one ended early by a full lift is not among them.
      const ended = restrictions.find((r) => !Buffer.from(r.person_hash).equals(pseudonym))!;
      await db.updateTable('restrictions').set({ ended_at: new Date() }).where('id', '=', ended.id).execute();
      const after = new Date(Math.max(...restrictions.map((r) => new Date(r.until!).getTime())) + 1000);
      expect(await logExpiredRestrictions(db, after)).toBeGreaterThanOrEqual(restrictions.length - 1);
      const expiryBatch = await db.selectFrom('log_batches').select(['leaf_index', 'topic']).where('key', '=', `breach:${breach.id}/expired/${after.toISOString()}`).executeTakeFirstOrThrow();
      expect(expiryBatch.topic).toBe(`breach:${breach.id}`);
      const expiryIndex = Number(expiryBatch.leaf_index);
      const expiryEntry = await db.selectFrom('log_entries').selectAll().where('leaf_index', '=', String(expiryIndex)).executeTakeFirstOrThrow();
      expect(expiryEntry.kind).toBe('restrictions.expired');
      expect(expiryEntry.subject).toBeNull();
      const expiryDetails = JSON.parse(expiryEntry.entry).details;
      expect(expiryDetails).toMatchObject({ breachId: breach.id, rules: details.rules, expired: { upTo: after.toISOString() }, batch: { records: restrictions.length - 1, recordLength: 33 } });
      const expiredRecords = restrictions.filter((r) => r.id !== ended.id).map(recordOf).sort(Buffer.compare);
      expect(mth(expiredRecords).toString('hex')).toBe(expiryDetails.batch.root);
      // Not one entry per restriction.
      const single = await db.selectFrom('log_entries').select('entry').where('kind', '=', 'restriction.expired').execute();
      expect(single.filter((e) => JSON.parse(e.entry).details.breachId === breach.id)).toEqual([]);
      expect(await logExpiredRestrictions(db, after)).toBe(0);
      expect((await verifyLog(db, jwk, port)).problems).toEqual([]);

      // The person proves the end of their restriction like its start: two levels, checked by the code above.
      await app.transparencyLog.publish();
      const later = await app.inject({ url: '/v1/me/log', headers: { cookie } });
      expect(later.statusCode, later.body).toBe(200);
      const laterEntries = (await db.selectFrom('log_entries').select('entry').where('leaf_index', '<', String(later.json().treeHead.treeSize)).orderBy('leaf_index').execute()).map((e) => Buffer.from(e.entry, 'utf8'));
      expect(mth(laterEntries).toString('hex')).toBe(later.json().treeHead.rootHash);
      const laterBatches: { kind: string; index: number; entry: string; record: string; position: number; size: number; root: string; recordPath: string[]; leafHash: string; auditPath: string[] }[] = later.json().batches;
      expect(laterBatches.map((b) => b.kind).sort()).toEqual([...ours.map(() => 'restrictions.expired'), ...ours.map(() => 'restrictions.placed')]);
      for (const b of laterBatches) {
        const set = b.kind === 'restrictions.expired' ? expiredRecords : records;
        const position = set.findIndex((r) => r.toString('hex') === b.record);
        expect(b.record.startsWith(pseudonym.toString('hex'))).toBe(true);
        expect(b.index).toBe(b.kind === 'restrictions.expired' ? expiryIndex : index);
        expect(b.position).toBe(position);
        expect(b.size).toBe(set.length);
        expect(b.recordPath).toEqual(path(position, set).map((h) => h.toString('hex')));
        expect(b.root).toBe(JSON.parse(b.entry).details.batch.root);
        expect(b.leafHash).toBe(sha(Buffer.from([0]), Buffer.from(b.entry, 'utf8')).toString('hex'));
        expect(b.auditPath).toEqual(path(b.index, laterEntries).map((h) => h.toString('hex')));
      }

      // The audit recomputes the expiry's records from the rows too.
      const expiredTarget = restrictions.find((r) => r.id !== ended.id && r.id !== target.id)!;
      const expiryTampered = {
        'ended before it ran out (a backdated lift)': (trx: Kysely<DB>) => sql`update restrictions set ended_at = until - interval '1 day' where id = ${expiredTarget.id}`.execute(trx),
        'early end removed': (trx: Kysely<DB>) => trx.updateTable('restrictions').set({ ended_at: null }).where('id', '=', ended.id).execute(),
        'stored expiry records changed': (trx: Kysely<DB>) => sql`update log_batch_blocks set records = overlay(records placing '\xff'::bytea from 5 for 1) where batch_id = (select id from log_batches where leaf_index = ${expiryIndex})`.execute(trx),
      };
      for (const [what, tamper] of Object.entries(expiryTampered)) {
        const report = await verifyAfter(db, jwk, tamper, port);
        expect(report.ok, what).toBe(false);
        expect(report.firstBadIndex, what).toBe(expiryIndex);
      }
      // A change of the rows that both entries commit to names both.
      const moved = await verifyAfter(db, jwk, (trx) => sql`update restrictions set until = until + interval '30 days' where id = ${expiredTarget.id}`.execute(trx), port);
      expect(moved.firstBadIndex).toBe(index);
      expect(moved.problems.join(' ')).toContain(`entry ${expiryIndex} `);
    } finally {
      await app.close();
    }
  });

  it('proves records of a batch larger than one stored block, across blocks and in the partial last block', async () => {
    const app = await buildTestApp();
    try {
      const db = app.database.db;
      const count = 4096 * 2 + 37;
      const key = `test:${Date.now()}-${Math.random()}`;
      const records = sql<{ record: Buffer }>`select sha256(convert_to(${key} || g::text, 'UTF8')) || '\x07'::bytea as record from generate_series(1, ${count}) g`;
      const appended = await db.transaction().execute((trx) => appendBatchToLog(trx, { kind: 'test.batch', key, details: { test: true }, recordLength: 33, records }));
      expect(appended.size).toBe(count);
      const all = (await records.execute(db)).rows.map((r) => Buffer.from(r.record)).sort(Buffer.compare);
      const leaves = all.map((r) => leafHash(r));
      expect(appended.root).toEqual(treeRoot(leaves));
      const batch = await db.selectFrom('log_batches').select('id').where('key', '=', key).executeTakeFirstOrThrow();
      for (const position of [0, 4095, 4096, 8191, 8192, count - 1, 5000]) {
        const [m] = await batchMemberships(db, batch.id, all[position].subarray(0, 32));
        expect(m.position, String(position)).toBe(position);
        expect(m.auditPath).toEqual(inclusionProof(leaves, position, count));
        expect(verifyInclusion(leaves[position], position, count, m.auditPath, appended.root)).toBe(true);
      }
      expect((await verifyLog(db, app.transparencyLog.publicJwk)).problems).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('audit watch follows a running deployment and alarms on a forged fork', async () => {
    const app = await buildTestApp({ logSthIntervalSeconds: 0 });
    try {
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      const state = path.join(mkdtempSync(path.join(tmpdir(), 'tlog-watch-')), 'state.json');
      const restrictions = new RestrictionService(app.database);
      await restrictions.placeVoluntary(app.pseudonymizer.of(buildIin()), { products: ['bank_loan'], channels: ['online'] });
      await app.transparencyLog.publish();
      expect((await watchOnce(url, state)).ok).toBe(true);
      await restrictions.placeVoluntary(app.pseudonymizer.of(buildIin()), { products: ['bank_loan'], channels: ['online'] });
      await app.transparencyLog.publish();
      expect((await watchOnce(url, state)).ok).toBe(true);

      // The operator rewrites history (an old entry, its hash, and the heads after it) and signs a new head.
      const db = app.database.db;
      const first = await db.selectFrom('log_entries').select(['leaf_index', 'entry']).orderBy('leaf_index').limit(1).executeTakeFirstOrThrow();
      const original = first.entry;
      const forged = original.replace(/"kind":"[^"]*"/, '"kind":"forged"');
      try {
        await db.updateTable('log_entries').set({ entry: forged, leaf_hash: leafHash(forged) }).where('leaf_index', '=', first.leaf_index).execute();
        await rebuildNodes(db);
        await db.deleteFrom('log_tree_heads').execute();
        await restrictions.placeVoluntary(app.pseudonymizer.of(buildIin()), { products: ['bank_loan'], channels: ['online'] });
        await app.transparencyLog.publish();
        const alarm = await watchOnce(url, state);
        expect(alarm.ok).toBe(false);
        expect(alarm.message).toMatch(/^FORK/);
      } finally {
        await db.updateTable('log_entries').set({ entry: original, leaf_hash: leafHash(original) }).where('leaf_index', '=', first.leaf_index).execute();
        await rebuildNodes(db);
        await db.deleteFrom('log_tree_heads').execute();
      }
    } finally {
      await app.close();
    }
  });
});
