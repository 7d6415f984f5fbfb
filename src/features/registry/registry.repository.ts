import { sql, type Insertable, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { BreachesTable, BreachStatus, DB } from '../../db/types.js';
import type { BreachListFilter } from './registry.schema.js';

export type BreachRow = Selectable<BreachesTable> & { organization_name: string };

/** Called in the publishing transaction; `affectedPersons` is the breach's persons as an SQL subquery. */
export type PublishHook = (
  trx: Kysely<DB>,
  breach: { id: string; seq: number; publishedAt: Date; affectedPersons: RawBuilder<{ person_hash: Buffer; categories: string[] }> },
) => Promise<void>;

/**
 * The persons of a breach as an SQL subquery `(person_hash, categories)` for set-based work
 * in other features (one `insert ... select` over ten million persons, no loop in JS).
 * A person's categories are the breach's together with any recorded for that person alone.
 */
export function affectedPersonsOf(breachSeq: number): RawBuilder<{ person_hash: Buffer; categories: string[] }> {
  return sql`(select a.person_hash, b.data_categories || coalesce(a.categories, '{}'::text[]) as categories
    from breach_affected a join breaches b on b.seq = a.breach_seq
    where a.breach_seq = ${breachSeq}::int)`;
}

const PUBLIC_STATUSES = ['published', 'closed', 'retracted'] as const;

/** All SQL of the registry. Reads that the public pages need take the read side (a replica when configured). */
export class RegistryRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly readDb: Kysely<DB>,
  ) {}

  private breachQuery(db: Kysely<DB>) {
    return db
      .selectFrom('breaches as b')
      .innerJoin('organizations as o', 'o.bin', 'b.organization_bin')
      .selectAll('b')
      .select('o.name as organization_name');
  }

  async findBreach(id: string, options: { publicOnly: boolean }): Promise<BreachRow | undefined> {
    let q = this.breachQuery(options.publicOnly ? this.readDb : this.db).where('b.id', '=', id);
    if (options.publicOnly) q = q.where('b.status', 'in', PUBLIC_STATUSES);
    return q.executeTakeFirst();
  }

  /**
   * Published breaches for the public; any status for an operator. The order key is the
   * publication time, or the creation time for a breach not (yet) published.
   */
  async listBreaches(
    filter: BreachListFilter & { limit: number; statuses: readonly BreachStatus[]; operator: boolean },
    after?: { publishedAt: Date; id: string },
  ): Promise<BreachRow[]> {
    let q = this.breachQuery(filter.operator ? this.db : this.readDb).where('b.status', 'in', filter.statuses);
    if (filter.organization) q = q.where('b.organization_bin', '=', filter.organization);
    if (filter.category) q = q.where(sql<boolean>`${filter.category} = any(b.data_categories)`);
    const when = sql`coalesce(b.occurred_at, b.published_at)`;
    if (filter.from) q = q.where(sql<boolean>`${when} >= ${filter.from}::date`);
    if (filter.to) q = q.where(sql<boolean>`${when} < ${filter.to}::date + 1`);
    const order = sql`coalesce(b.published_at, b.created_at)`;
    if (after) q = q.where(sql<boolean>`(${order}, b.id) < (${after.publishedAt}, ${after.id})`);
    return q.orderBy(order, 'desc').orderBy('b.id', 'desc').limit(filter.limit).execute();
  }

  async organization(bin: string) {
    return this.readDb.selectFrom('organizations').select(['bin', 'name']).where('bin', '=', bin).executeTakeFirst();
  }

  async publishedOfOrganization(bin: string): Promise<BreachRow[]> {
    return this.breachQuery(this.readDb)
      .where('b.organization_bin', '=', bin)
      .where('b.status', '=', 'published')
      .orderBy('b.published_at', 'desc')
      .execute();
  }

  async upsertOrganization(bin: string, name: string | undefined): Promise<void> {
    const q = this.db.insertInto('organizations').values({ bin, name: name ?? `BIN ${bin}` });
    await (name
      ? q.onConflict((oc) => oc.column('bin').doUpdateSet({ name, updated_at: new Date() }))
      : q.onConflict((oc) => oc.column('bin').doNothing())
    ).execute();
  }

  async insertBreach(values: Insertable<BreachesTable>): Promise<boolean> {
    const r = await this.db.insertInto('breaches').values(values).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
    return r !== undefined;
  }

  async updateBreach(id: string, values: Record<string, unknown>, expectStatus: readonly string[]): Promise<boolean> {
    const r = await this.db
      .updateTable('breaches')
      .set({ ...values, updated_at: new Date() })
      .where('id', '=', id)
      .where('status', 'in', expectStatus as readonly BreachStatus[])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Publishes a draft (under its row lock, in the caller's transaction); undefined when it is no longer a draft. */
  async publishDraft(id: string, publishedAt: Date): Promise<{ seq: number } | undefined> {
    return this.db
      .updateTable('breaches')
      .set({ status: 'published', published_at: publishedAt, updated_at: new Date() })
      .where('id', '=', id)
      .where('status', '=', 'draft')
      .returning('seq')
      .executeTakeFirst();
  }

  async knownCategories(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('data_categories').select('code').execute();
    return new Set(rows.map((r) => r.code));
  }

  async listCategories() {
    return this.readDb.selectFrom('data_categories').select(['code', 'label']).orderBy('code').execute();
  }

  async addCategory(code: string, label: string): Promise<boolean> {
    const r = await this.db
      .insertInto('data_categories')
      .values({ code, label })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('code')
      .executeTakeFirst();
    return r !== undefined;
  }

  async startImport(breachId: string, source: string, format: string): Promise<number> {
    const row = await this.db
      .insertInto('breach_imports')
      .values({ breach_id: breachId, source, format, status: 'running' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async finishImport(id: number, outcome: { status: 'completed' | 'failed'; lines: number; accepted: number; duplicate: number; invalid: number; error?: string }) {
    await this.db
      .updateTable('breach_imports')
      .set({ ...outcome, error: outcome.error ?? null, finished_at: new Date() })
      .where('id', '=', id)
      .execute();
  }

  /** Published breaches that include the person with this pseudonym. */
  async publishedBreachesOfPerson(personHash: Buffer): Promise<BreachRow[]> {
    return this.breachQuery(this.readDb)
      .innerJoin('breach_affected as a', 'a.breach_seq', 'b.seq')
      .where('a.person_hash', '=', personHash)
      .where('b.status', '=', 'published')
      .orderBy('b.published_at', 'desc')
      .execute();
  }
}
