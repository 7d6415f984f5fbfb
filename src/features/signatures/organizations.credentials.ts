import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';

/** The principal behind an organization's HR-system API credential. */
export interface HrSystemPrincipal {
  kind: 'hr-system';
  bin: string;
  credentialId: string;
  name: string;
}

const PREFIX = 'qhr';
const CREDENTIAL = /^qhr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

const digest = (secret: string) => createHash('sha256').update(secret).digest();

export const looksLikeHrCredential = (token: string) => token.startsWith(`${PREFIX}_`);

/**
 * An organization's HR system authenticates with `qhr_<id>_<secret>`. Only SHA-256(secret)
 * is kept, so the credential is shown once; the id finds the row without scanning hashes.
 */
export async function createHrCredential(db: Kysely<DB>, bin: string, name: string): Promise<{ id: string; credential: string }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await db.insertInto('org_api_credentials').values({ id, bin, name, secret_hash: digest(secret) }).execute();
  return { id, credential: `${PREFIX}_${id}_${secret}` };
}

export async function revokeHrCredential(db: Kysely<DB>, bin: string, id: string): Promise<boolean> {
  const r = await db.updateTable('org_api_credentials').set({ revoked_at: new Date() }).where('id', '=', id).where('bin', '=', bin).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function listHrCredentials(db: Kysely<DB>, bin: string) {
  return db.selectFrom('org_api_credentials').select(['id', 'name', 'created_at', 'revoked_at', 'last_used_at']).where('bin', '=', bin).orderBy('created_at').execute();
}

/** The HR system behind a presented credential, or null when it is unknown, malformed or revoked. */
export async function authenticateHrCredential(db: Kysely<DB>, token: string): Promise<HrSystemPrincipal | null> {
  const match = CREDENTIAL.exec(token);
  if (!match) return null;
  const row = await db.selectFrom('org_api_credentials').select(['id', 'bin', 'name', 'secret_hash', 'revoked_at']).where('id', '=', match[1]).executeTakeFirst();
  if (!row || row.revoked_at) return null;
  if (!timingSafeEqual(Buffer.from(row.secret_hash), digest(match[2]))) return null;
  // At most one write a minute per credential: a busy HR system should not pay a commit per request.
  await db
    .updateTable('org_api_credentials')
    .set({ last_used_at: new Date() })
    .where('id', '=', row.id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', new Date(Date.now() - 60_000))]))
    .execute();
  return { kind: 'hr-system', bin: row.bin, credentialId: row.id, name: row.name };
}
