import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * Throw-away PostgreSQL clusters for fault tests: a test may stop, restart, pause or promote
 * them without touching the shared server on 127.0.0.1:5432 that other tests and CI use.
 * They are made with the server binaries (initdb, pg_ctl, pg_basebackup) from
 * QORGAU_PG_BIN or the newest /usr/lib/postgresql/<version>/bin; `.ci/run` installs them.
 */
export function pgBinDir(): string | null {
  if (process.env.QORGAU_PG_BIN) return existsSync(path.join(process.env.QORGAU_PG_BIN, 'initdb')) ? process.env.QORGAU_PG_BIN : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : null;
}

/** Why cluster tests are skipped, or null when they can run. */
export const pgClusterMissing: string | null = pgBinDir()
  ? null
  : 'PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are not installed: `apt-get install -y postgresql` (.ci/run does), or set QORGAU_PG_BIN';

/** The ports this project's fault tests may use (5441-5449), one lock file per port across test workers. */
const PORTS = [5441, 5442, 5443, 5444, 5445, 5446, 5447, 5448, 5449];

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function reservePort(): Promise<{ port: number; release(): void }> {
  for (const port of PORTS) {
    const lock = path.join(tmpdir(), `qorgau-pg-port-${port}.lock`);
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
    } catch {
      const owner = Number(readFileSync(lock, 'utf8'));
      if (alive(owner)) continue;
      rmSync(lock, { force: true });
      try {
        writeFileSync(lock, String(process.pid), { flag: 'wx' });
      } catch {
        continue;
      }
    }
    if (await portFree(port)) return { port, release: () => rmSync(lock, { force: true }) };
    rmSync(lock, { force: true });
  }
  throw new Error(`no free port in ${PORTS[0]}-${PORTS[PORTS.length - 1]} for a test PostgreSQL cluster`);
}

/** PostgreSQL refuses to run as root; as root, the binaries run as the postgres user. */
const asRoot = process.getuid?.() === 0;

async function pgTool(tool: string, args: string[]): Promise<string> {
  const bin = path.join(pgBinDir()!, tool);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    const { stdout } = await run(cmd, argv, { timeout: 120_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${tool} ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

function ownedDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  return dir;
}

function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, but there is no postgres user to run PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export class PgCluster {
  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly releasePort: () => void,
    private readonly base: string,
  ) {}

  /** A connection URL for a database of this cluster (trust authentication, user postgres). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /**
   * fsync off: these clusters live for one test on a machine that does not lose power, and a
   * server killed with SIGKILL or `pg_ctl stop -m immediate` still finds its WAL in the page cache.
   */
  private get serverOptions(): string {
    return [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.dataDir}`,
      '-c fsync=off',
      '-c max_connections=60',
      '-c shared_buffers=32MB',
      '-c wal_level=replica',
      '-c max_wal_senders=5',
      '-c hot_standby=on',
      '-c wal_receiver_status_interval=1s',
    ].join(' ');
  }

  static async create(): Promise<PgCluster> {
    const base = ownedDir('qorgau-pg-');
    const dataDir = path.join(base, 'data');
    const { port, release } = await reservePort();
    try {
      await pgTool('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
      const cluster = new PgCluster(dataDir, port, release, base);
      await cluster.start();
      return cluster;
    } catch (err) {
      release();
      rmSync(base, { recursive: true, force: true });
      throw err;
    }
  }

  /** A streaming replica of this cluster made with pg_basebackup -R, started on a port of its own. */
  async createReplica(): Promise<PgCluster> {
    const base = ownedDir('qorgau-pg-replica-');
    const dataDir = path.join(base, 'data');
    const { port, release } = await reservePort();
    try {
      await pgTool('pg_basebackup', ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '--no-sync']);
      const replica = new PgCluster(dataDir, port, release, base);
      await replica.start();
      return replica;
    } catch (err) {
      release();
      rmSync(base, { recursive: true, force: true });
      throw err;
    }
  }

  async start(): Promise<void> {
    await pgTool('pg_ctl', ['-D', this.dataDir, '-l', path.join(this.dataDir, 'server.log'), '-w', '-t', '60', '-o', this.serverOptions, 'start']);
  }

  /** `fast` ends sessions and shuts down cleanly; `immediate` is a crash (recovery from WAL at the next start). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await pgTool('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  async restart(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.stop(mode);
    await this.start();
  }

  async createDatabase(name: string): Promise<string> {
    await this.query(`create database "${name}"`);
    return this.url(name);
  }

  /** One statement on a short-lived connection. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, database = 'postgres', params: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url(database) });
    await client.connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end();
    }
  }

  log(): string {
    try {
      return readFileSync(path.join(this.dataDir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Stops the server (immediately: its data is thrown away) and removes its folder and port lock. */
  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => {});
    this.releasePort();
    rmSync(this.base, { recursive: true, force: true });
  }
}
