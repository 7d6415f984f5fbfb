import type { Kysely } from 'kysely';
import { appendToLog } from '../log/index.js';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/types.js';
import type { CreditChannel, CreditProduct, RestrictionKind } from './credit.tables.js';
import { publicationKey } from './policy.repository.js';
import { RestrictionRepository, type RestrictionRow, type RestrictionScope } from './restrictions.repository.js';

export const PRODUCTS: readonly CreditProduct[] = ['bank_loan', 'microcredit'];
export const CHANNELS: readonly CreditChannel[] = ['online', 'in_person'];

/** The one output shape of a restriction (lender checks and the person's own view). */
export interface RestrictionView {
  id: string;
  kind: RestrictionKind;
  products: CreditProduct[];
  channels: CreditChannel[];
  since: string;
  until: string | null;
  reason: string;
  breachId: string | null;
  policyVersion: number | null;
  createdAt: string;
  endedAt: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function presentRestriction(row: RestrictionRow): RestrictionView {
  return {
    id: String(row.id),
    kind: row.kind,
    products: row.products,
    channels: row.channels,
    since: iso(row.since)!,
    until: iso(row.until),
    reason: row.reason,
    breachId: row.breach_id,
    policyVersion: row.policy_version,
    createdAt: iso(row.created_at)!,
    endedAt: iso(row.ended_at),
  };
}

/**
 * Restrictions of a person (by pseudonym): which apply at a moment, for a product, a
 * channel and a lender. Lifts are honoured through `liftApplies` in the repository.
 */
export class RestrictionService {
  readonly repository: RestrictionRepository;

  constructor(private readonly database: Database) {
    this.repository = new RestrictionRepository(database.db, database.readDb);
  }

  /** The restrictions that apply to the person at `at` (expired, ended and lifted ones excluded). */
  async activeFor(personHash: Buffer, at: Date = new Date(), scope: RestrictionScope = {}): Promise<RestrictionView[]> {
    return (await this.repository.activeFor(personHash, at, scope, { primary: true })).map(presentRestriction);
  }

  /** Is the person protected against this product through this channel (for this lender) at `at`? */
  async isRestricted(personHash: Buffer, at: Date, scope: RestrictionScope): Promise<boolean> {
    return (await this.repository.activeFor(personHash, at, scope, { primary: true })).length > 0;
  }

  /** Every restriction the person has or had, newest first, with whether it is in force now. */
  async allOf(personHash: Buffer, at: Date = new Date()): Promise<(RestrictionView & { inForce: boolean })[]> {
    const rows = await this.repository.allOf(personHash);
    const active = new Set((await this.repository.activeFor(personHash, at, {}, { primary: true })).map((r) => String(r.id)));
    return rows.map((r) => ({ ...presentRestriction(r), inForce: active.has(String(r.id)) }));
  }

  /** The log batches of the publications that restricted the person (see publicationKey). */
  async publicationKeysOf(personHash: Buffer): Promise<string[]> {
    return (await this.repository.breachesOf(personHash)).map(publicationKey);
  }

  async findOf(personHash: Buffer, id: string): Promise<RestrictionView | undefined> {
    const row = await this.repository.findOf(personHash, id);
    return row ? presentRestriction(row) : undefined;
  }

  /**
   * Places a voluntary restriction, in force at once (placing never waits). Pass a
   * transaction as `db` to place it together with the signed request kept as evidence.
   */
  async placeVoluntary(
    personHash: Buffer,
    input: { products: CreditProduct[]; channels: CreditChannel[]; reason?: string; since?: Date },
    db: Kysely<DB> = this.database.db,
  ): Promise<RestrictionView> {
    const products = [...new Set(input.products)].filter((p) => PRODUCTS.includes(p));
    const channels = [...new Set(input.channels)].filter((c) => CHANNELS.includes(c));
    if (!products.length || !channels.length) throw new Error('A restriction needs at least one product and one channel');
    return inTransaction(db, async (trx) => {
      const row = await this.repository.insertVoluntary(trx, { personHash, products, channels, since: input.since ?? new Date(), reason: input.reason ?? 'placed by the person' });
      const view = presentRestriction(row);
      await appendToLog(trx, { kind: 'restriction.placed', subject: personHash, details: { restrictionId: view.id, kind: view.kind, products: view.products, channels: view.channels, since: view.since } });
      return view;
    });
  }

  /** Ends a restriction entirely from `at` (a full lift once its cooling-off is over). */
  async end(personHash: Buffer, id: string, at: Date = new Date(), db: Kysely<DB> = this.database.db): Promise<boolean> {
    return inTransaction(db, async (trx) => {
      const ended = await this.repository.end(trx, personHash, id, at);
      if (ended) await appendToLog(trx, { kind: 'restriction.ended', subject: personHash, details: { restrictionId: id, endedAt: at.toISOString() } });
      return ended;
    });
  }
}

function inTransaction<T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
