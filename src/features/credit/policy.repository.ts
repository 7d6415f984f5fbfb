import { appendManyToLog } from '../log/index.js';
import { isoUtc } from './restriction-expiry.js';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../db/types.js';
import type { PolicyRule } from './credit.tables.js';

export interface PolicyRow {
  version: number;
  rules: PolicyRule[];
  note: string;
  created_by: string;
  created_at: Date;
}

/** All SQL of the restriction policy and of applying it to a breach. */
export class PolicyRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async current(db: Kysely<DB> = this.db): Promise<PolicyRow> {
    return db.selectFrom('credit_policies').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirstOrThrow() as Promise<PolicyRow>;
  }

  async find(version: number): Promise<PolicyRow | undefined> {
    return this.db.selectFrom('credit_policies').selectAll().where('version', '=', version).executeTakeFirst() as Promise<PolicyRow | undefined>;
  }

  async list(): Promise<PolicyRow[]> {
    return this.db.selectFrom('credit_policies').selectAll().orderBy('version', 'desc').execute() as Promise<PolicyRow[]>;
  }

  /** Adds the next version; undefined when another writer took that number first. */
  async insertNext(rules: PolicyRule[], note: string, createdBy: string, trx: Kysely<DB> = this.db): Promise<PolicyRow | undefined> {
    const result = await sql<PolicyRow>`
      insert into credit_policies (version, rules, note, created_by)
      select coalesce(max(version), 0) + 1, ${JSON.stringify(rules)}::jsonb, ${note}, ${createdBy} from credit_policies
      on conflict (version) do nothing
      returning *`.execute(trx);
    return result.rows[0];
  }

  /**
   * Applies a policy to the persons of a breach in ONE statement: every person whose
   * categories satisfy a rule gets a protective restriction from `since` for the rule's
   * days. The rules travel as a VALUES list, so the work is a single pass over the persons.
   * Rows go in pseudonym order, so the index on person_hash is filled leaf after leaf.
   */
  async applyToBreach(
    trx: Kysely<DB>,
    persons: RawBuilder<{ person_hash: Buffer; categories: string[] }>,
    breach: { id: string; since: Date },
    policy: { version: number; rules: PolicyRule[] },
  ): Promise<number> {
    if (policy.rules.length === 0) return 0;
    const rules = sql.join(
      policy.rules.map(
        (r) => sql`(${r.all}::text[], ${r.any}::text[], ${r.products}::text[], ${r.channels}::text[], ${r.days}::int)`,
      ),
    );
    // The pseudonym sort of ten million rows fits in memory with this, instead of spilling to disk.
    await sql`set local work_mem = '256MB'`.execute(trx);
    const placed = sql`
      insert into restrictions (person_hash, kind, products, channels, since, until, reason, breach_id, policy_version)
      select p.person_hash, 'protective', rule.products, rule.channels, ${breach.since}::timestamptz,
             ${breach.since}::timestamptz + make_interval(days => rule.days), 'breach', ${breach.id}::text, ${policy.version}::int
      from ${persons} as p
      cross join (values ${rules}) as rule(all_of, any_of, products, channels, days)
      where p.categories @> rule.all_of and (cardinality(rule.any_of) = 0 or p.categories && rule.any_of)
      order by p.person_hash
      returning id, person_hash, products, channels, since, until, breach_id, policy_version`;
    // Each person's restriction is a transparency-log entry about them, written by the same
    // statement that places it (a CTE), in the publishing transaction: no row is read twice.
    const { count } = await appendManyToLog(
      trx,
      'restriction.placed',
      sql`
        select person_hash as subject,
               jsonb_build_object('restrictionId', id::text, 'kind', 'protective', 'products', to_jsonb(products), 'channels', to_jsonb(channels),
                                  'since', ${isoUtc('since')}, 'until', ${isoUtc('until')}, 'breachId', breach_id, 'policyVersion', policy_version) as details,
               id::text as sort_key
        from placed`,
      { with: sql`placed as (${placed})` },
    );
    return count;
  }
}
