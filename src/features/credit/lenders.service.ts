import type { Database } from '../../db/database.js';
import { AppError } from '../../errors/app-error.js';
import { createLenderKey, LENDER_SCOPES, listLenderKeys, revokeLenderKey, type LenderPrincipal, type LenderScope } from './lender-keys.js';
import { requireValidBin } from '../registry/index.js';
import type { LenderLicence, LendersTable } from './credit.tables.js';
import type { LenderCreateInput, LenderViewType } from './lenders.schema.js';
import type { Selectable } from 'kysely';

export function presentLender(row: Selectable<LendersTable>): LenderViewType {
  return {
    bin: row.bin,
    name: row.name,
    licence: row.licence,
    createdAt: new Date(row.created_at).toISOString(),
    disabledAt: row.disabled_at ? new Date(row.disabled_at).toISOString() : null,
  };
}

/** The most keys a lender may hold unrevoked at once. */
export const MAX_ACTIVE_KEYS = 20;

/** Lenders (banks and microfinance organizations) and their API keys. Admin operators manage them; a lender lists, makes and revokes its own keys. */
export class LenderService {
  constructor(private readonly database: Database) {}

  async create(input: LenderCreateInput): Promise<LenderViewType> {
    requireValidBin(input.bin);
    const row = await this.database.db
      .insertInto('lenders')
      .values({ bin: input.bin, name: input.name, licence: input.licence as LenderLicence })
      .onConflict((oc) => oc.column('bin').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw AppError.conflict('LENDER_EXISTS', `A lender with BIN ${input.bin} exists already`);
    return presentLender(row);
  }

  async get(bin: string): Promise<LenderViewType> {
    const row = await this.database.db.selectFrom('lenders').selectAll().where('bin', '=', bin).executeTakeFirst();
    if (!row) throw AppError.notFound('LENDER_NOT_FOUND', `No lender with BIN ${bin}`);
    return presentLender(row);
  }

  async list(): Promise<LenderViewType[]> {
    return (await this.database.db.selectFrom('lenders').selectAll().orderBy('name').execute()).map(presentLender);
  }

  /** A new key for the lender (by default `credit:check`; `fraud:lookup` for the fraud indicator look-up), returned once. */
  async createKey(bin: string, scopes: LenderScope[] = ['credit:check']): Promise<{ id: string; lenderBin: string; scopes: string[]; key: string }> {
    const lender = await this.get(bin);
    if (lender.disabledAt) throw AppError.conflict('LENDER_DISABLED', `The lender ${bin} is disabled`);
    const { id, key } = await createLenderKey(this.database.db, bin, scopes);
    return { id, lenderBin: bin, scopes, key };
  }

  /** The lender's own keys, as a key of theirs sees them (`current`: the key asking). */
  async keysOf(lender: LenderPrincipal) {
    const rows = await listLenderKeys(this.database.db, lender.bin);
    return {
      items: rows.map((r) => ({
        id: r.id,
        scopes: r.scopes,
        createdAt: new Date(r.created_at).toISOString(),
        revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
        current: r.id === lender.keyId,
      })),
    };
  }

  /**
   * A lender makes a key of its own (to rotate keys without an operator): it may do no more than
   * the key asking (no escalation from credit:check to fraud:lookup), and a lender holds at most
   * MAX_ACTIVE_KEYS active keys, so that one leaked key cannot mint keys without end.
   */
  async createOwnKey(lender: LenderPrincipal, scopes: LenderScope[] | undefined) {
    const wanted = scopes ?? (lender.scopes.filter((s) => (LENDER_SCOPES as readonly string[]).includes(s)) as LenderScope[]);
    const beyond = wanted.filter((s) => !lender.scopes.includes(s));
    if (beyond.length) throw AppError.forbidden('LENDER_KEY_SCOPE_EXCEEDED', `The key you call with may not ${beyond.join(', ')}: a new key may do no more than it`);
    const active = (await listLenderKeys(this.database.db, lender.bin)).filter((k) => !k.revoked_at).length;
    if (active >= MAX_ACTIVE_KEYS) throw AppError.conflict('LENDER_KEYS_LIMIT', `A lender holds at most ${MAX_ACTIVE_KEYS} active keys: revoke one you no longer use first`);
    return this.createKey(lender.bin, wanted);
  }

  async revokeKey(bin: string, id: string): Promise<void> {
    if (!(await revokeLenderKey(this.database.db, bin, id))) throw AppError.notFound('LENDER_KEY_NOT_FOUND', `No active key ${id.slice(0, 40)} of lender ${bin}`);
  }
}
