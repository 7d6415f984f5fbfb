import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { buildTestApp, getTestDatabase } from './helpers/test-database.js';
import { buildBin, buildBreach, buildIin, buildOperatorToken } from './helpers/factories.js';

/**
 * DESIGN.md: outside pki/ and employment records an IIN is stored only as
 * HMAC-SHA-256(key, IIN). This imports known IINs through the public API, then reads
 * every row of every table as text and looks for the IIN digits and their unkeyed
 * SHA-256 (which anyone could recompute for all 10^12 IINs).
 */
describe('privacy of imported IINs', () => {
  it('leaves no raw IIN and no unkeyed hash of one in any table', async () => {
    const app = await buildTestApp();
    const { database } = await getTestDatabase();
    try {
      const token = await buildOperatorToken(database.db);
      const headers = { authorization: `Bearer ${token}` };
      const iins = Array.from({ length: 10 }, buildIin);
      const breach = (await app.inject({ method: 'POST', url: '/v1/breaches', headers, payload: buildBreach() })).json();
      const csv = await app.inject({
        method: 'POST',
        url: `/v1/breaches/${breach.id}/affected`,
        headers: { ...headers, 'content-type': 'text/csv' },
        payload: `iin,categories\n${iins.slice(0, 5).map((i) => `${i},phone`).join('\n')}\n`,
      });
      expect(csv.json().accepted).toBe(5);
      const ndjson = await app.inject({
        method: 'POST',
        url: `/v1/breaches/${breach.id}/affected`,
        headers: { ...headers, 'content-type': 'application/x-ndjson' },
        payload: iins.slice(5).map((iin) => JSON.stringify({ iin })).join('\n'),
      });
      expect(ndjson.json().accepted).toBe(5);
      await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/publish`, headers });
      expect(await app.registry.publishedBreachesOf(iins[0])).toHaveLength(1);

      // Credit protection: the breach restricts its persons; a lender checks one, is denied and reports a loan.
      const lenderBin = buildBin();
      const adminHeaders = { authorization: `Bearer ${await buildOperatorToken(database.db, 'admin')}` };
      await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: adminHeaders, payload: { bin: lenderBin, name: 'Privacy Bank', licence: 'bank' } });
      const lenderKey = (await app.inject({ method: 'POST', url: `/v1/credit/lenders/${lenderBin}/keys`, headers: adminHeaders })).json().key;
      const checked = await app.inject({ method: 'POST', url: '/v1/credit/checks', headers: { authorization: `Bearer ${lenderKey}` }, payload: { iin: iins[0], product: 'bank_loan', channel: 'online', amount: 1000 } });
      expect(checked.json().decision).toBe('deny');
      const reported = await app.inject({ method: 'POST', url: '/v1/credit/loan-reports', headers: { authorization: `Bearer ${lenderKey}` }, payload: { checkId: checked.json().checkId, amount: 1000, issuedOn: '2026-11-01' } });
      expect(reported.statusCode).toBe(201);

      const tables = await sql<{ table_name: string }>`
        select table_name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(database.db);
      expect(tables.rows.map((t) => t.table_name)).toContain('breach_affected');

      const needles = iins.flatMap((iin) => [iin, createHash('sha256').update(iin).digest('hex')]);
      // A canary proves the scan can see what it looks for: the pseudonym itself is in the table.
      const pseudonymHex = app.pseudonymizer.of(iins[0]).toString('hex');
      // Scanned in SQL (LIKE, a plain substring match): the tables may hold many rows from other tests.
      const patterns = needles.map((n) => `%${n}%`);
      const canaryTables: string[] = [];
      for (const { table_name } of tables.rows) {
        const hits = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)} as t where t::text like any(${patterns})`.execute(database.db);
        expect(hits.rows[0].n, `${table_name} holds a raw IIN or its unkeyed SHA-256`).toBe(0);
        const canary = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)} as t where strpos(t::text, ${pseudonymHex}) > 0`.execute(database.db);
        if (canary.rows[0].n > 0) canaryTables.push(table_name);
      }
      expect(canaryTables.sort()).toEqual(expect.arrayContaining(['breach_affected', 'credit_inquiries', 'credit_loan_reports', 'restrictions']));
    } finally {
      await app.close();
    }
  }, 300_000);
});
