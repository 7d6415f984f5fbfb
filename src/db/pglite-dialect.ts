import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * Kysely over PGlite. PGlite is one connection, so connections are handed out one
 * at a time: a transaction holds the connection until it ends, and no other
 * query can slip into it.
 */
class PGliteConnection implements DatabaseConnection {
  /** Whether a transaction is open on the connection (a cursor needs one). */
  private inTransaction = false;
  private cursors = 0;

  constructor(private readonly pg: PGlite) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pg.query<R>(compiled.sql, compiled.parameters as unknown[], { rowMode: 'object' });
    const verb = /^\s*(begin|start|commit|end|rollback|abort)\b/i.exec(compiled.sql)?.[1].toLowerCase();
    if (verb === 'begin' || verb === 'start') this.inTransaction = true;
    else if (verb && !/^\s*rollback\s+to\b/i.test(compiled.sql)) this.inTransaction = false;
    const affected = result.affectedRows;
    return {
      rows: result.rows,
      ...(affected !== undefined && compiled.query.kind !== 'SelectQueryNode' ? { numAffectedRows: BigInt(affected) } : {}),
    };
  }

  /**
   * Streams through a server-side cursor, `chunkSize` rows at a time, so a large result is never
   * held whole in memory. Outside a transaction the cursor gets one of its own.
   */
  async *streamQuery<R>(compiled: CompiledQuery, chunkSize = 1000): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new Error('chunkSize must be a positive integer');
    const cursor = `kysely_stream_${++this.cursors}`;
    const ownTransaction = !this.inTransaction;
    if (ownTransaction) await this.pg.query('begin');
    let done = false;
    try {
      await this.pg.query(`declare ${cursor} no scroll cursor for ${compiled.sql}`, compiled.parameters as unknown[]);
      for (;;) {
        const chunk = await this.pg.query<R>(`fetch forward ${chunkSize} from ${cursor}`, [], { rowMode: 'object' });
        if (chunk.rows.length > 0) yield { rows: chunk.rows };
        if (chunk.rows.length < chunkSize) break;
      }
      await this.pg.query(`close ${cursor}`);
      done = true;
    } finally {
      // A consumer that stops early (or an error) leaves the cursor open: end it with the transaction.
      if (ownTransaction) await this.pg.query(done ? 'commit' : 'rollback');
      else if (!done) await this.pg.query(`close ${cursor}`).catch(() => undefined);
    }
  }
}

class PGliteDriver implements Driver {
  private readonly connection: PGliteConnection;
  private queue: Promise<void> = Promise.resolve();
  private release: (() => void) | null = null;

  constructor(private readonly pg: PGlite) {
    this.connection = new PGliteConnection(pg);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.release = release;
    return this.connection;
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await conn.executeQuery(CompiledQuery.raw(`begin${level}`));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.release;
    this.release = null;
    release?.();
  }

  async destroy(): Promise<void> {
    await this.pg.close();
  }
}

export class PGliteDialect implements Dialect {
  constructor(private readonly pg: PGlite) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver() {
    return new PGliteDriver(this.pg);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
