import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { buildApp } from '../../src/http/app.js';
import { LenderService } from '../../src/features/credit/index.js';
import { getTestDatabase, getTestHierarchy, testDbKind } from '../helpers/test-database.js';
import { buildBin, buildBreach, buildIin, buildOperatorToken } from '../helpers/factories.js';

/**
 * A read-only database and a full disk answer 503 with a clear code and a Retry-After, never a
 * 500 or a hang, and leave nothing half-written.
 *
 * Read-only is real: PostgreSQL's own default_transaction_read_only, which refuses every write
 * with SQLSTATE 25006 as a hot standby does. Here on PGlite (its one session); on PostgreSQL the
 * whole cluster is made read-only with ALTER SYSTEM, which only a throw-away cluster may suffer:
 * test/resilience/postgres-restart.test.ts.
 * A full disk is simulated: a trigger raises PostgreSQL's own disk_full (SQLSTATE 53100) on the
 * tables written, because filling a real disk would need a small file system of its own to mount,
 * which a test machine does not always allow. The trigger fires only while this test's flag row
 * is set, so other tests sharing the database never meet it.
 */
describe('the database refusing writes', () => {
  let shared: Database;
  let lenderKey: string;
  let operator: string;

  beforeAll(async () => {
    shared = (await getTestDatabase()).database;
    const bin = buildBin();
    const lenders = new LenderService(shared);
    await lenders.create({ bin, name: 'Fault Test Bank', licence: 'bank' });
    lenderKey = (await lenders.createKey(bin)).key;
    operator = await buildOperatorToken(shared.db, 'registry-operator');
    await sql`create table if not exists qorgau_test_disk_full (full_now boolean not null)`.execute(shared.db);
    await sql`delete from qorgau_test_disk_full`.execute(shared.db);
    await sql`
      create or replace function qorgau_test_disk_full() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from qorgau_test_disk_full where full_now) then
          raise exception 'could not extend file: No space left on device' using errcode = 'disk_full';
        end if;
        return new;
      end $$`.execute(shared.db);
    for (const table of ['credit_inquiries', 'breaches']) {
      await sql`drop trigger if exists qorgau_test_disk_full on ${sql.table(table)}`.execute(shared.db);
      await sql`create trigger qorgau_test_disk_full before insert on ${sql.table(table)} for each row execute function qorgau_test_disk_full()`.execute(shared.db);
    }
  });

  afterAll(async () => {
    for (const table of ['credit_inquiries', 'breaches']) await sql`drop trigger if exists qorgau_test_disk_full on ${sql.table(table)}`.execute(shared.db);
    await sql`drop function if exists qorgau_test_disk_full()`.execute(shared.db);
    await sql`drop table if exists qorgau_test_disk_full`.execute(shared.db);
  });

  /** The fault on while `during` runs, on an app built (and writing its start-up rows) before it. */
  async function appWith(fault: 'read-only' | 'disk-full', during: (app: FastifyInstance) => Promise<void>) {
    const { config } = await getTestDatabase();
    const app = await buildApp({ config, database: shared, logger: false, pki: await getTestHierarchy() });
    await app.ready();
    try {
      if (fault === 'read-only') await sql`select set_config('default_transaction_read_only', 'on', false)`.execute(shared.db);
      else await sql`insert into qorgau_test_disk_full values (true)`.execute(shared.db);
      await during(app);
    } finally {
      if (fault === 'read-only') await sql`select set_config('default_transaction_read_only', 'off', false)`.execute(shared.db);
      else await sql`delete from qorgau_test_disk_full`.execute(shared.db);
      await app.close();
    }
  }

  const check = (app: FastifyInstance, iin: string) =>
    app.inject({ method: 'POST', url: '/v1/credit/checks', headers: { authorization: `Bearer ${lenderKey}` }, payload: { iin, product: 'bank_loan', channel: 'online' } });
  const createBreach = (app: FastifyInstance, name: string) =>
    app.inject({ method: 'POST', url: '/v1/breaches', headers: { authorization: `Bearer ${operator}` }, payload: buildBreach({ title: name }) });
  const breachesNamed = async (name: string) => (await shared.db.selectFrom('breaches').select('id').where('title', '=', name).execute()).length;

  it.each([
    ['read-only', 'DATABASE_READ_ONLY'],
    ['disk-full', 'DATABASE_DISK_FULL'],
  ] as const)('%s: answers writes 503 %s with Retry-After, still answers reads, and writes nothing', async (setting, code) => {
    // PGlite is one session, so a session setting makes it read-only; PostgreSQL's pool is many (see above).
    if (setting === 'read-only' && testDbKind === 'postgres') return;
    const name = `fault ${code} ${buildIin()}`;
    await appWith(setting, async (app) => {
      const refused = await createBreach(app, name);
      expect(refused.statusCode, refused.body).toBe(503);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json()).toMatchObject({ status: 503, code });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body).not.toMatch(/No space left|read-only transaction/);

      // A lender check that cannot be recorded is not answered (no decision without its inquiry).
      const checked = await check(app, buildIin());
      expect(checked.statusCode, checked.body).toBe(503);
      expect(checked.json()).toMatchObject({ code: 'CHECK_NOT_RECORDED', reason: code });
      expect(checked.json().decision).toBeUndefined();
      expect(Number(checked.headers['retry-after'])).toBeGreaterThan(0);

      // Reads do not write, so they still answer.
      expect((await app.inject({ url: '/v1/breaches' })).statusCode).toBe(200);
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    });
    expect(await breachesNamed(name)).toBe(0);
    // And once the database takes writes again, so does the same request.
    expect((await createBreach(await freshApp(), name)).statusCode).toBe(201);
    expect(await breachesNamed(name)).toBe(1);
  });

  let healthy: FastifyInstance | undefined;
  async function freshApp() {
    if (!healthy) {
      const { config } = await getTestDatabase();
      healthy = await buildApp({ config, database: shared, logger: false, pki: await getTestHierarchy() });
      await healthy.ready();
    }
    return healthy;
  }
  afterAll(async () => {
    await healthy?.close();
  });
});
