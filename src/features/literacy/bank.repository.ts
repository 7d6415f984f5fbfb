import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import type { ItemDefinition } from './items.js';

type Executor = Kysely<DB> | Transaction<DB>;

export const itemId = (key: string, version: number) => `${key}@${version}`;

export interface ItemRow {
  id: string;
  version: number;
  key: string;
  area: string;
  type: string;
  difficulty: number;
  content: unknown;
  solution: unknown;
  review_status: 'pending' | 'approved' | 'rejected';
  review_note: string | null;
  retired_at: Date | null;
}

/** The SQL of the question bank: versions, items, reviews, and item statistics from results. */
export class BankRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Loads the seed as version 1, published, once: a second start (or a second instance) finds it there. */
  async seedIfEmpty(items: ItemDefinition[]): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('literacy_bank_versions')
        .values({ version: 1, status: 'published', created_by: 'seed', note: 'seed bank shipped with Qorgau', published_at: new Date() })
        .onConflict((oc) => oc.column('version').doNothing())
        .returning('version')
        .executeTakeFirst();
      if (!inserted) return false;
      await trx
        .insertInto('literacy_items')
        .values(items.map((item) => ({ ...itemValues(item, 1), review_status: 'approved' as const, reviewed_by: 'seed' })))
        .execute();
      return true;
    });
  }

  listVersions() {
    return this.db
      .selectFrom('literacy_bank_versions as v')
      .leftJoin('literacy_items as i', 'i.version', 'v.version')
      .select(['v.version', 'v.status', 'v.based_on', 'v.note', 'v.created_by', 'v.created_at', 'v.published_at'])
      .select((eb) => [
        eb.fn.count<string>('i.id').as('items'),
        eb.fn.count<string>('i.id').filterWhere('i.review_status', '=', 'pending').as('pending'),
        eb.fn.count<string>('i.id').filterWhere('i.retired_at', 'is not', null).as('retired'),
      ])
      .groupBy('v.version')
      .orderBy('v.version')
      .execute();
  }

  findVersion(version: number, db: Executor = this.db) {
    return db.selectFrom('literacy_bank_versions').selectAll().where('version', '=', version).executeTakeFirst();
  }

  latestPublished() {
    return this.db.selectFrom('literacy_bank_versions').select('version').where('status', '=', 'published').orderBy('version', 'desc').limit(1).executeTakeFirst();
  }

  /** A new draft holding a copy of the base version's live items, made in one statement. */
  async createDraft(base: number, note: string, createdBy: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // Serializes drafts: two operators never get the same version number.
      await sql`lock table literacy_bank_versions in share row exclusive mode`.execute(trx);
      const { next } = await trx.selectFrom('literacy_bank_versions').select(sql<number>`coalesce(max(version), 0) + 1`.as('next')).executeTakeFirstOrThrow();
      await trx.insertInto('literacy_bank_versions').values({ version: next, status: 'draft', based_on: base, note, created_by: createdBy }).execute();
      await trx
        .insertInto('literacy_items')
        .columns(['id', 'version', 'key', 'area', 'type', 'difficulty', 'content', 'solution', 'review_status', 'review_note', 'reviewed_by'])
        .expression(
          trx
            .selectFrom('literacy_items')
            .select([
              sql<string>`key || '@' || ${next}::text`.as('id'),
              sql<number>`${next}::int`.as('version'),
              'key',
              'area',
              'type',
              'difficulty',
              'content',
              'solution',
              'review_status',
              'review_note',
              'reviewed_by',
            ])
            .where('version', '=', base)
            .where('retired_at', 'is', null),
        )
        .execute();
      return next;
    });
  }

  /** Adds or replaces an item of a draft; a changed item needs a new review. */
  async putItem(version: number, item: ItemDefinition, trx: Executor = this.db): Promise<void> {
    const values = itemValues(item, version);
    await trx
      .insertInto('literacy_items')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['version', 'key']).doUpdateSet({
          area: values.area,
          type: values.type,
          difficulty: values.difficulty,
          content: values.content,
          solution: values.solution,
          review_status: 'pending',
          review_note: null,
          reviewed_by: null,
        }),
      )
      .execute();
  }

  async review(version: number, key: string, decision: 'approved' | 'rejected', note: string | null, reviewer: string): Promise<boolean> {
    const r = await this.db
      .updateTable('literacy_items')
      .set({ review_status: decision, review_note: note, reviewed_by: reviewer })
      .where('version', '=', version)
      .where('key', '=', key)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async retire(version: number, key: string): Promise<boolean> {
    const r = await this.db
      .updateTable('literacy_items')
      .set({ retired_at: new Date() })
      .where('version', '=', version)
      .where('key', '=', key)
      .where('retired_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Publishes a draft; false when it was not a draft any more (a concurrent publish). */
  async publish(version: number, trx: Executor): Promise<boolean> {
    const r = await trx
      .updateTable('literacy_bank_versions')
      .set({ status: 'published', published_at: new Date() })
      .where('version', '=', version)
      .where('status', '=', 'draft')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  items(version: number, db: Executor = this.db): Promise<ItemRow[]> {
    return db.selectFrom('literacy_items').selectAll().where('version', '=', version).orderBy('key').execute() as Promise<ItemRow[]>;
  }

  /** The items an assessment may serve: approved and not retired. */
  servable(version: number): Promise<ItemRow[]> {
    return this.db
      .selectFrom('literacy_items')
      .selectAll()
      .where('version', '=', version)
      .where('review_status', '=', 'approved')
      .where('retired_at', 'is', null)
      .execute() as Promise<ItemRow[]>;
  }

  byIds(ids: string[], db: Executor = this.db): Promise<ItemRow[]> {
    if (!ids.length) return Promise.resolve([]);
    return db.selectFrom('literacy_items').selectAll().where('id', 'in', ids).execute() as Promise<ItemRow[]>;
  }

  /**
   * Classical item statistics from every answer given to the version's items: difficulty as the
   * p-value (mean credit), and discrimination as the corrected item-total correlation (the
   * point-biserial of the item against the share of credit on the assessment's other items).
   */
  statistics(version: number) {
    return this.db
      .with('totals', (db) =>
        db
          .selectFrom('literacy_answers')
          .select(['assessment_id', sql<number>`sum(credit)`.as('total'), sql<number>`count(*)`.as('answered')])
          .groupBy('assessment_id'),
      )
      .selectFrom('literacy_items as i')
      .leftJoin('literacy_answers as a', 'a.item_id', 'i.id')
      .leftJoin('totals as t', 't.assessment_id', 'a.assessment_id')
      .select(['i.id', 'i.key', 'i.area', 'i.type', 'i.difficulty', 'i.retired_at'])
      .select([
        sql<string>`count(a.item_id)`.as('responses'),
        sql<number | null>`avg(a.credit)::float8`.as('p_value'),
        sql<number | null>`corr(a.credit, (t.total - a.credit) / nullif(t.answered - 1, 0))::float8`.as('point_biserial'),
      ])
      .where('i.version', '=', version)
      .groupBy('i.id')
      .orderBy('i.key')
      .execute();
  }
}

function itemValues(item: ItemDefinition, version: number) {
  return {
    id: itemId(item.key, version),
    version,
    key: item.key,
    area: item.area,
    type: item.type,
    difficulty: item.difficulty,
    content: JSON.stringify(item.content),
    solution: JSON.stringify(item.solution),
  };
}
