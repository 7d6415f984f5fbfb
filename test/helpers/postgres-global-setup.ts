import pg from 'pg';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Drops the per-worker databases (qorgau_test_<pid>_<random>) that earlier runs left
 * behind, but only those whose worker process is gone: another run may be going on.
 */
export default async function setup() {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("select datname from pg_database where datname like 'qorgau\\_test\\_%'");
    for (const { datname } of rows) {
      const pid = Number(datname.split('_')[2]);
      if (!Number.isInteger(pid) || !alive(pid)) await client.query(`drop database if exists "${datname}" with (force)`);
    }
  } finally {
    await client.end();
  }
}
