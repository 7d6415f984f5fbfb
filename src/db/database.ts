import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGliteDialect } from './pglite-dialect.js';
import type { DB } from './types.js';
import { ReplicaLag } from './replica-lag.js';

/** A session for bulk work: plain SQL and COPY on one connection held for its duration. */
export interface BulkSession {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number }>;
  /** Runs `COPY ... FROM STDIN` with the given text-format data. */
  copyFrom(copySql: string, data: Buffer): Promise<void>;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  /** The primary: every write and every read that must see its own writes. */
  db: Kysely<DB>;
  /**
   * A replica for read-heavy paths (lender checks, public pages, OCSP); the primary when none is
   * configured, or while the replica is further behind than the configured bound or cannot be asked.
   */
  readDb: Kysely<DB>;
  /** The replica's measured lag, when DATABASE_READ_URL is set. */
  replica?: ReplicaLag;
  withBulkSession<T>(fn: (session: BulkSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// bigint (int8) columns come back as strings by default; counts here fit in a JS number.
pg.types.setTypeParser(20, (v) => Number(v));

export interface DatabaseOptions {
  databaseUrl?: string;
  databaseReadUrl?: string;
  dataDir?: string;
  poolSize?: number;
  /** Seconds a replica may lag before reads that decide go to the primary (default 1). */
  readMaxLagSeconds?: number;
  /** An in-memory PGlite (tests); ignored with databaseUrl. */
  inMemory?: boolean;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.databaseReadUrl, options.poolSize ?? 10, options.readMaxLagSeconds ?? 1);
  return openPGlite(options.inMemory ? undefined : path.join(options.dataDir ?? './data', 'pglite'));
}

/**
 * A request waits this long for a connection, then fails as DATABASE_UNAVAILABLE (503) instead
 * of hanging while the server is away; node-postgres waits for ever by default.
 */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * A pool that survives its server going away. node-postgres emits a lost socket as an 'error'
 * event on the client, and a client checked out of the pool has no listener for it, so a
 * PostgreSQL restart under load would end the whole process with an unhandled 'error'. Each
 * client gets a listener of its own: the query in flight fails with the error (a 503 at the
 * edge), and the pool discards the broken client when it is released.
 */
export function resilientPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool({ connectionTimeoutMillis: CONNECT_TIMEOUT_MS, ...config });
  // An idle client lost its server; the pool replaces it.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

async function openPostgres(url: string, readUrl: string | undefined, poolSize: number, readMaxLagSeconds: number): Promise<Database> {
  const pool = resilientPool({ connectionString: url, max: poolSize });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let readPool: pg.Pool | undefined;
  let readDb = db;
  let replica: ReplicaLag | undefined;
  if (readUrl) {
    const replicaPool = resilientPool({ connectionString: readUrl, max: poolSize });
    readPool = replicaPool;
    const lag = new ReplicaLag({ primary: pool, replica: replicaPool, maxLagSeconds: readMaxLagSeconds });
    replica = lag;
    lag.start();
    // Each read takes its connection from the replica while it is current enough, else from the primary.
    const routed = { connect: () => (lag.current ? replicaPool : pool).connect(), end: async () => {} };
    readDb = new Kysely<DB>({ dialect: new PostgresDialect({ pool: routed as unknown as pg.Pool }) });
  }
  return {
    kind: 'postgres',
    db,
    readDb,
    replica,
    async withBulkSession(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          async query(sql, params) {
            const r = await client.query(sql, params as unknown[]);
            return { rows: r.rows, rowCount: r.rowCount ?? 0 };
          },
          async copyFrom(copySql, data) {
            await pipeline(Readable.from([data]), client.query(copyFrom(copySql)));
          },
        });
      } finally {
        client.release();
      }
    },
    async close() {
      await replica?.stop();
      if (readPool) await readDb.destroy();
      await readPool?.end();
      await db.destroy();
    },
  };
}

/**
 * PGlite is one process's database: a second process opening the same folder would
 * corrupt it. A lock file with the owner's pid refuses the second opener clearly.
 */
function lockDataDir(dir: string): () => void {
  const lock = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch {
      const owner = Number(readFileSync(lock, 'utf8').trim());
      let alive = false;
      try {
        process.kill(owner, 0);
        alive = owner !== process.pid || attempt > 0;
      } catch {
        alive = false;
      }
      if (alive) {
        throw new DatabaseInUseError(
          `The embedded database in ${dir} is in use by process ${owner} (the server?). Day-to-day commands can go through the running server instead: add --url http://localhost:8080 --token-file ${path.join(dir, '..', 'operator.token')} (or run "qorgau operator login" once). Otherwise stop the server first, or run it on PostgreSQL (DATABASE_URL).`,
        );
      }
      rmSync(lock, { force: true });
    }
  }
  throw new DatabaseInUseError(`Cannot lock the embedded database in ${dir}`);
}

export class DatabaseInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseInUseError';
  }
}

async function openPGlite(dir: string | undefined): Promise<Database> {
  let unlock = () => {};
  if (dir) {
    mkdirSync(dir, { recursive: true });
    unlock = lockDataDir(dir);
    process.once('exit', unlock);
  }
  const pglite = new PGlite(dir);
  await pglite.waitReady;
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    kind: 'pglite',
    db,
    readDb: db,
    async withBulkSession(fn) {
      // Held through Kysely so that no other query interleaves with the session.
      return db.connection().execute(() =>
        fn({
          async query(sql, params) {
            const r = await pglite.query<any>(sql, params);
            return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
          },
          async copyFrom(copySql, data) {
            const sql = copySql.replace(/from\s+stdin/i, "FROM '/dev/blob'");
            await pglite.query(sql, [], { blob: new Blob([new Uint8Array(data)]) });
          },
        }),
      );
    },
    async close() {
      await db.destroy();
      unlock();
    },
  };
}
