import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { LenderLicence } from './credit.tables.js';

/** What a lender API key may do. */
export const LENDER_SCOPES = ['credit:check', 'fraud:lookup'] as const;
export type LenderScope = (typeof LENDER_SCOPES)[number];

export interface LenderPrincipal {
  kind: 'lender';
  keyId: string;
  bin: string;
  name: string;
  licence: LenderLicence;
  scopes: string[];
}

const PREFIX = 'qlk';
const FORMAT = /^qlk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function looksLikeLenderKey(token: string): boolean {
  return token.startsWith(`${PREFIX}_`);
}

/** Issues a key `qlk_<id>_<secret>` for a lender. Only SHA-256(secret) is kept: the key is shown once. */
export async function createLenderKey(db: Kysely<DB>, lenderBin: string, scopes: LenderScope[] = ['credit:check']): Promise<{ id: string; key: string }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  await db.insertInto('lender_api_keys').values({ id, lender_bin: lenderBin, scopes, secret_hash: digest(secret) }).execute();
  return { id, key: `${PREFIX}_${id}_${secret}` };
}

export async function revokeLenderKey(db: Kysely<DB>, lenderBin: string, id: string): Promise<boolean> {
  const r = await db
    .updateTable('lender_api_keys')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('lender_bin', '=', lenderBin)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Every key of a lender, newest first: never a secret (only its hash is kept). */
export async function listLenderKeys(db: Kysely<DB>, lenderBin: string) {
  return db
    .selectFrom('lender_api_keys')
    .select(['id', 'scopes', 'created_at', 'revoked_at'])
    .where('lender_bin', '=', lenderBin)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

async function lookup(db: Kysely<DB>, key: string): Promise<LenderPrincipal | null> {
  const match = FORMAT.exec(key);
  if (!match) return null;
  const row = await db
    .selectFrom('lender_api_keys as k')
    .innerJoin('lenders as l', 'l.bin', 'k.lender_bin')
    .select(['k.id', 'k.scopes', 'k.secret_hash', 'k.revoked_at', 'l.bin', 'l.name', 'l.licence', 'l.disabled_at'])
    .where('k.id', '=', match[1])
    .executeTakeFirst();
  if (!row || row.revoked_at || row.disabled_at) return null;
  if (!timingSafeEqual(row.secret_hash, digest(match[2]))) return null;
  return { kind: 'lender', keyId: row.id, bin: row.bin, name: row.name, licence: row.licence, scopes: row.scopes };
}

/**
 * Authenticates lender keys. Lenders check before every loan, so a verified key is
 * remembered for `ttlMs` (default one second: a revoked key or a disabled lender is
 * refused by every instance within that second, as DESIGN.md asks). Only a digest of
 * the presented key is held in memory, never the key.
 */
export class LenderKeyAuthenticator {
  private readonly cache = new Map<string, { principal: LenderPrincipal | null; expires: number }>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly ttlMs = 1000,
  ) {}

  async authenticate(key: string): Promise<LenderPrincipal | null> {
    const id = createHash('sha256').update(key).digest('base64');
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && hit.expires > now) return hit.principal;
    const principal = await lookup(this.db, key);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { principal, expires: now + this.ttlMs });
    return principal;
  }
}
