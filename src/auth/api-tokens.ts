import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/types.js';

/** Roles an operator API token can carry. Other roles arrive with later systems. */
export const TOKEN_ROLES = ['registry-operator', 'ca-operator', 'admin', 'inspector', 'relying-party', 'literacy-operator', 'investigator'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export interface Principal {
  kind: 'token';
  tokenId: string;
  name: string;
  role: TokenRole;
}

const PREFIX = 'qor';

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/**
 * Issues a token `qor_<id>_<secret>`. Only SHA-256(secret) is kept, so the token is
 * shown once; the id lets a lookup find the row without scanning hashes.
 */
export async function createApiToken(db: Kysely<DB>, name: string, role: TokenRole): Promise<{ id: string; token: string }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await db.insertInto('api_tokens').values({ id, name, role, secret_hash: digest(secret) }).execute();
  return { id, token: `${PREFIX}_${id}_${secret}` };
}

export async function revokeApiToken(db: Kysely<DB>, id: string): Promise<boolean> {
  const r = await db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function listApiTokens(db: Kysely<DB>) {
  return db.selectFrom('api_tokens').select(['id', 'name', 'role', 'created_at', 'revoked_at', 'last_used_at']).orderBy('created_at').execute();
}

/** The principal behind a presented token, or null when it is unknown, malformed or revoked. */
export async function authenticateApiToken(db: Kysely<DB>, token: string): Promise<Principal | null> {
  const match = /^qor_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'role', 'secret_hash', 'revoked_at'])
    .where('id', '=', match[1])
    .executeTakeFirst();
  if (!row || row.revoked_at) return null;
  if (!timingSafeEqual(row.secret_hash, digest(match[2]))) return null;
  return { kind: 'token', tokenId: row.id, name: row.name, role: row.role as TokenRole };
}
