import { describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { buildIin } from '../../../test/helpers/factories.js';
import type { DB } from '../../db/types.js';
import { RestrictionService } from '../credit/index.js';
import { verifyTreeHeadJws, verifyLog } from './audit.verify.js';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.js';
import { appendToLog } from './log.service.js';
import { watchOnce } from '../../cli/audit.commands.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const unhex = (h: string) => Buffer.from(h, 'hex');

/** Runs `tamper` and `verifyLog` inside a transaction that is rolled back, so the worker's log stays whole. */
async function verifyAfter(db: Kysely<DB>, jwk: Parameters<typeof verifyLog>[1], tamper: (trx: Kysely<DB>) => Promise<unknown>) {
  let report: Awaited<ReturnType<typeof verifyLog>> | undefined;
  await db
    .transaction()
    .execute(async (trx) => {
      await tamper(trx);
      report = await verifyLog(trx, jwk);
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
        await db.deleteFrom('log_tree_heads').execute();
        await restrictions.placeVoluntary(app.pseudonymizer.of(buildIin()), { products: ['bank_loan'], channels: ['online'] });
        await app.transparencyLog.publish();
        const alarm = await watchOnce(url, state);
        expect(alarm.ok).toBe(false);
        expect(alarm.message).toMatch(/^FORK/);
      } finally {
        await db.updateTable('log_entries').set({ entry: original, leaf_hash: leafHash(original) }).where('leaf_index', '=', first.leaf_index).execute();
        await db.deleteFrom('log_tree_heads').execute();
      }
    } finally {
      await app.close();
    }
  });
});
