import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { PGliteDialect } from './pglite-dialect.js';

describe('PGlite dialect', () => {
  const pg = new PGlite();
  const db = new Kysely<{ n: { v: number } }>({ dialect: new PGliteDialect(pg) });
  afterAll(() => db.destroy());

  it('streams a query through a cursor in chunks, with parameters, in and out of a transaction', async () => {
    const query = (on: Kysely<{ n: { v: number } }> = db) => on.selectFrom(sql<{ v: number }>`(select generate_series(1, ${2500}::int) as v)`.as('n')).select('v').where('v', '>', 10);
    const seen: number[] = [];
    // Kysely hands streamQuery the chunk size; the dialect fetches that many rows at a time.
    for await (const row of query().stream(1000)) {
      seen.push(row.v);
    }
    expect(seen.length).toBe(2490);
    expect(seen[0]).toBe(11);
    expect(seen.at(-1)).toBe(2500);
    const inTransaction = await db.transaction().execute(async (trx) => {
      let count = 0;
      for await (const _row of query(trx).stream(100)) if (++count === 150) break; // stopped early
      const after = await sql<{ one: number }>`select 1 as one`.execute(trx);
      return { count, after: after.rows[0].one };
    });
    expect(inTransaction).toEqual({ count: 150, after: 1 });
    // Outside a transaction, stopping early leaves no transaction open behind.
    for await (const _row of query().stream(10)) break;
    const after = await sql<{ v: number }>`select count(*)::int as v from (select generate_series(1, 5)) s`.execute(db);
    expect(after.rows[0].v).toBe(5);
  });
});
