import type { Database } from '../../db/database.js';
import { AppError } from '../../errors/app-error.js';
import { createLenderKey, revokeLenderKey, type LenderScope } from '../../auth/lender-keys.js';
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

/** Lenders (banks and microfinance organizations) and their API keys. Admin operators manage them. */
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

  async revokeKey(bin: string, id: string): Promise<void> {
    if (!(await revokeLenderKey(this.database.db, bin, id))) throw AppError.notFound('LENDER_KEY_NOT_FOUND', `No active key ${id.slice(0, 40)} of lender ${bin}`);
  }
}
