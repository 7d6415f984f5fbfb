import { sql, type Kysely } from 'kysely';

export interface Write {
  table: string;
  op: 'INSERT' | 'UPDATE' | 'DELETE';
  rows: number;
}

export interface WriteLog {
  /** The writes committed since the last call, by table and operation. */
  take(): Promise<Write[]>;
  /** Drops the triggers and the log (the worker's database is shared with other test files). */
  remove(): Promise<void>;
}

const LOG = 'test_write_log';
const TRIGGER = 'test_write_log_row';

/**
 * Records every committed row change in every table of the schema: a row-level trigger on
 * each table adds (table, operation) to a log table. The log is an ordinary table, so a
 * rolled-back transaction leaves no trace in it, as it leaves none in the data. One small
 * query tells whether a request wrote anything, where counting every table would take many.
 */
export async function installWriteLog(db: Kysely<any>): Promise<WriteLog> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
      and table_name not like 'kysely_migration%' and table_name <> ${LOG}
    order by table_name`.execute(db);
  await sql`create table if not exists ${sql.table(LOG)} (table_name text not null, op text not null)`.execute(db);
  await sql`create or replace function ${sql.raw(TRIGGER)}() returns trigger language plpgsql as $$
    begin insert into ${sql.raw(LOG)} values (TG_TABLE_NAME, TG_OP); return null; end $$`.execute(db);
  for (const { name } of rows) {
    await sql`drop trigger if exists ${sql.raw(TRIGGER)} on ${sql.table(name)}`.execute(db);
    await sql`create trigger ${sql.raw(TRIGGER)} after insert or update or delete on ${sql.table(name)} for each row execute function ${sql.raw(TRIGGER)}()`.execute(db);
  }
  return {
    async take() {
      const taken = await sql<{ table_name: string; op: Write['op']; rows: number }>`
        with taken as (delete from ${sql.table(LOG)} returning table_name, op)
        select table_name, op, count(*)::int as rows from taken group by table_name, op order by table_name, op`.execute(db);
      return taken.rows.map((r) => ({ table: r.table_name, op: r.op, rows: Number(r.rows) }));
    },
    async remove() {
      for (const { name } of rows) await sql`drop trigger if exists ${sql.raw(TRIGGER)} on ${sql.table(name)}`.execute(db);
      await sql`drop function if exists ${sql.raw(TRIGGER)}()`.execute(db);
      await sql`drop table if exists ${sql.table(LOG)}`.execute(db);
    },
  };
}
