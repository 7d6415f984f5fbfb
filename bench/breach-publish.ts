/**
 * Publishing a breach of 10,000,000 persons on PostgreSQL: the restriction policy turns
 * every affected person into a protective restriction in one `insert ... select`, in the
 * publishing transaction, and logs them as ONE transparency-log entry that commits to a Merkle
 * root over the sorted records (pseudonym, rule) of the persons restricted (stored in blocks of
 * 4096 for the persons' proofs). Goal (issue 4): at most 60 s.
 *
 *   npx tsx bench/breach-publish.ts
 *   BENCH_PUBLISH_ROWS=1000000 npx tsx bench/breach-publish.ts
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres);
 * a database "qorgau_bench_publish" is created and dropped afterwards. The persons are
 * generated in SQL (SHA-256 of a counter stands in for the HMAC pseudonym: same size and
 * the same random order), so the set-up does not time the import, which has its own benchmark.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { sql, type KyselyPlugin } from 'kysely';
import { machineLine } from './machine.js';
import { createBenchDatabase, dropBenchDatabase } from './revocation-setup.js';
import { Pseudonymizer } from '../src/privacy/pseudonym.js';
import { RegistryService } from '../src/features/registry/index.js';
import { PolicyService } from '../src/features/credit/index.js';

const ROWS = Number(process.env.BENCH_PUBLISH_ROWS ?? 10_000_000);
const DB_NAME = 'qorgau_bench_publish';

console.log(machineLine());
console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`persons in the breach: ${ROWS}`);

const { database } = await createBenchDatabase(DB_NAME);
try {
  // Where the publish's time goes: each statement's duration, from the moment Kysely hands it to the driver to its result.
  const statements: { sql: string; ms: number }[] = [];
  const started = new Map<unknown, { sql: string; at: number }>();
  const timing: KyselyPlugin = {
    transformQuery: (args) => {
      const node = args.node as { kind: string; sqlFragments?: readonly string[] };
      const label = node.kind === 'RawNode' ? (node.sqlFragments?.[0] ?? '').trim().split(/\s+/).slice(0, 3).join(' ') : node.kind;
      started.set(args.queryId, { sql: label, at: performance.now() });
      return args.node;
    },
    transformResult: async (args) => {
      const s = started.get(args.queryId);
      if (s) statements.push({ sql: s.sql, ms: performance.now() - s.at });
      return args.result;
    },
  };
  const timed = { ...database, db: database.db.withPlugin(timing) } as typeof database;
  const registry = new RegistryService(timed, new Pseudonymizer(randomBytes(32)));
  new PolicyService(timed, registry).install();

  // An earlier, smaller breach already published: the restrictions table is not empty.
  await registry.createBreach({ id: 'earlier', organizationBin: '940140000385', organizationName: 'Earlier', title: 'Earlier', source: 'hack', dataCategories: ['iin', 'bank_card'] });
  const earlier = (await database.db.selectFrom('breaches').select('seq').where('id', '=', 'earlier').executeTakeFirstOrThrow()).seq;
  await sql`insert into breach_affected (person_hash, breach_seq) select sha256(int8send(-g)), ${earlier}::int from generate_series(1, ${Math.max(1, Math.floor(ROWS / 10))}::int) g`.execute(database.db);
  await registry.publishBreach('earlier');

  await registry.createBreach({ id: 'bench', organizationBin: '940140000385', organizationName: 'Bench', title: 'Bench', source: 'hack', dataCategories: ['iin', 'full_name', 'phone'] });
  const seq = (await database.db.selectFrom('breaches').select('seq').where('id', '=', 'bench').executeTakeFirstOrThrow()).seq;
  let t = performance.now();
  await sql`insert into breach_affected (person_hash, breach_seq) select sha256(int8send(g)), ${seq}::int from generate_series(1, ${ROWS}::int) g order by 1`.execute(database.db);
  await database.db.updateTable('breaches').set({ affected_count: ROWS }).where('id', '=', 'bench').execute();
  await sql`vacuum analyze breach_affected`.execute(database.db);
  await sql`checkpoint`.execute(database.db);
  console.log(`set-up: ${ROWS} affected persons generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  console.log(`load average before publishing: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const logBefore = Number((await sql<{ n: string }>`select coalesce(max(leaf_index) + 1, 0) as n from log_entries`.execute(database.db)).rows[0].n);
  statements.length = 0;
  t = performance.now();
  await registry.publishBreach('bench');
  const seconds = (performance.now() - t) / 1000;
  const phases = statements.filter((x) => x.ms > 200).map((x) => `${x.sql}: ${(x.ms / 1000).toFixed(1)} s`);
  const rest = seconds - statements.filter((x) => x.ms > 200).reduce((sum, x) => sum + x.ms / 1000, 0);
  console.log(`statements over 0.2 s, in order: ${phases.join('; ')}; the rest (${statements.length} statements and the hashing between them): ${rest.toFixed(1)} s`);
  const made = (await sql<{ n: number }>`select count(*)::int as n from restrictions where breach_id = 'bench'`.execute(database.db)).rows[0].n;
  const size = (await sql<{ heap: string; idx: string }>`select pg_size_pretty(pg_table_size('restrictions')) as heap, pg_size_pretty(pg_indexes_size('restrictions')) as idx`.execute(database.db)).rows[0];
  console.log(`publish: ${seconds.toFixed(1)} s for ${made} restrictions (${Math.round(made / seconds)} rows/s); restrictions table ${size.heap}, its indexes ${size.idx}`);
  const batch = (await sql<{ entries: number; records: string | null }>`select count(*)::int as entries, max(b.size)::text as records from log_entries e left join log_batches b on b.leaf_index = e.leaf_index where e.leaf_index >= ${logBefore}`.execute(database.db)).rows[0];
  const logSize = (await sql<{ entries: string; nodes: string; blocks: string }>`select pg_size_pretty(pg_total_relation_size('log_entries')) as entries, pg_size_pretty(pg_total_relation_size('log_nodes')) as nodes, pg_size_pretty(pg_total_relation_size('log_batch_blocks')) as blocks`.execute(database.db)).rows[0];
  console.log(`transparency log: ${batch.entries} entries written by the publication, committing to ${batch.records} records; log_entries ${logSize.entries}, log_nodes ${logSize.nodes}, log_batch_blocks ${logSize.blocks}`);
  const logged = Number(batch.records);
  console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (logged !== made) {
    console.error(`FAIL: the log committed to ${logged} records for ${made} restrictions`);
    process.exitCode = 1;
  }
  if (made !== ROWS) {
    console.error(`FAIL: ${made} restrictions for ${ROWS} persons`);
    process.exitCode = 1;
  }
} finally {
  await database.close();
  if (!process.env.BENCH_KEEP_DATABASE) await dropBenchDatabase(DB_NAME);
}
