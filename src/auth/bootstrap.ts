import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';
import { createApiToken } from './api-tokens.js';

/**
 * The embedded database belongs to one process, so the CLI cannot create a token
 * while the server runs. On an embedded instance with no token at all, the server
 * writes one admin token to a 0600 file in the data folder, once.
 */
export async function ensureBootstrapToken(db: Kysely<DB>, dataDir: string): Promise<string> {
  const file = path.resolve(dataDir, 'operator.token');
  const any = await db.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst();
  if (!any || !existsSync(file)) {
    if (any && !existsSync(file)) return file + ' (not written: tokens exist already; use `qorgau token create` with the server stopped)';
    const { token } = await createApiToken(db, 'bootstrap', 'admin');
    writeFileSync(file, token + '\n', { mode: 0o600 });
  }
  return file;
}
