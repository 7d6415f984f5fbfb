import { appendBatchToLog } from '../log/index.js';
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
   *
   * The publication is ONE transparency-log entry (`restrictions.placed`) that commits to a
   * Merkle root over the sorted records `pseudonym || rule tag` of the persons it restricted
   * (docs/log.md): a person proves their restriction with two inclusion proofs, and the audit
   * recomputes the records from these rows (`publicationRecordsFromRows`).
   */
  async applyToBreach(
    trx: Kysely<DB>,
    persons: RawBuilder<{ person_hash: Buffer; categories: string[] }>,
    breach: { id: string; since: Date },
    policy: { version: number; rules: PolicyRule[] },
  ): Promise<number> {
    if (policy.rules.length === 0) return 0;
    if (policy.rules.length > 250) throw new Error('A policy of more than 250 rules does not fit the one-byte rule tag of the log records');
    const terms = publicationTerms(policy.rules, breach.since);
    const rules = sql.join(
      policy.rules.map(
        (r, i) => sql`(${r.all}::text[], ${r.any}::text[], ${r.products}::text[], ${r.channels}::text[], ${r.days}::int, ${terms.tagOfRule[i]}::int)`,
      ),
    );
    const matching = (select: RawBuilder<unknown>) => sql`
      select ${select}
      from ${persons} as p
      cross join (values ${rules}) as rule(all_of, any_of, products, channels, days, tag)
      where p.categories @> rule.all_of and (cardinality(rule.any_of) = 0 or p.categories && rule.any_of)`;
    // The pseudonym sort of ten million rows fits in memory with this, instead of spilling to disk.
    await sql`set local work_mem = '256MB'`.execute(trx);
    const placed = await sql`
      insert into restrictions (person_hash, kind, products, channels, since, until, reason, breach_id, policy_version)
      ${matching(sql`p.person_hash, 'protective', rule.products, rule.channels, ${breach.since}::timestamptz,
             ${breach.since}::timestamptz + make_interval(days => rule.days), 'breach', ${breach.id}::text, ${policy.version}::int`)}
      order by p.person_hash`.execute(trx);
    await appendBatchToLog(trx, {
      kind: 'restrictions.placed',
      key: publicationKey(breach.id),
      details: { breachId: breach.id, policyVersion: policy.version, since: breach.since.toISOString(), kind: 'protective', rules: terms.rules },
      recordLength: 33,
      records: matching(sql`p.person_hash || set_byte('\\x00'::bytea, 0, rule.tag) as record`) as RawBuilder<{ record: Buffer }>,
    });
    return Number(placed.numAffectedRows ?? 0n);
  }
}

/** The log batch of a breach's publication. */
export const publicationKey = (breachId: string) => `breach:${breachId}`;

export interface PublicationRuleTerms {
  tag: number;
  products: string[];
  channels: string[];
  until: string;
}

/**
 * What a restriction placed by a rule looks like (products, channels, until), and the tag of
 * each rule in the records: rules with the same terms share the smallest tag among them,
 * because their restriction rows cannot be told apart.
 */
export function publicationTerms(rules: PolicyRule[], since: Date): { rules: PublicationRuleTerms[]; tagOfRule: number[] } {
  const out: PublicationRuleTerms[] = [];
  const tagOfRule = rules.map((r, i) => {
    const until = new Date(since.getTime() + r.days * 86_400_000).toISOString();
    const same = out.find((t) => t.until === until && t.products.join() === r.products.join() && t.channels.join() === r.channels.join());
    if (same) return same.tag;
    out.push({ tag: i, products: [...r.products], channels: [...r.channels], until });
    return i;
  });
  return { rules: out, tagOfRule };
}

/**
 * The records a publication committed to, recomputed from the restriction rows it left: a
 * row whose terms (products, channels, until) match no rule of the entry gets tag 255, one whose
 * since, policy version or kind changed tag 254: tags the publication never writes. For `qorgau audit verify`.
 */
export interface PublicationDetails {
  breachId: string;
  policyVersion: number;
  since: string;
  rules: PublicationRuleTerms[];
}

/** The window of an expiry sweep: restrictions whose until is after `after` (exclusive) and at most `upTo`. */
export interface ExpiryWindow {
  after: string;
  upTo: string;
}

/**
 * Restrictions that ran out in the window: `until` in it, and not ended in full before (a full
 * lift is logged as the end). The sweep and the audit select with the same words.
 */
export const expiredIn = (window: ExpiryWindow) =>
  sql`r.until > ${window.after}::timestamptz and r.until <= ${window.upTo}::timestamptz and (r.ended_at is null or r.ended_at > r.until)`;

export function publicationRecordsFromRows(details: PublicationDetails, expired?: ExpiryWindow): RawBuilder<{ record: Buffer }> {
  const terms = details.rules.length
    ? sql.join(details.rules.map((t) => sql`(${t.tag}::int, ${t.products}::text[], ${t.channels}::text[], ${t.until}::timestamptz)`))
    : sql`(255, '{}'::text[], '{}'::text[], null::timestamptz)`;
  return sql`
    select r.person_hash || set_byte('\\x00'::bytea, 0, case
             when r.since = ${details.since}::timestamptz and r.policy_version is not distinct from ${details.policyVersion}::int and r.kind = 'protective'
             then coalesce((select min(t.tag) from (values ${terms}) as t(tag, products, channels, until)
                            where t.products = r.products and t.channels = r.channels and t.until = r.until), 255)
             else 254 end) as record
    from restrictions r where r.breach_id = ${details.breachId}::text${expired ? sql` and ${expiredIn(expired)}` : sql``}`;
}

/**
 * The port `qorgau audit verify` takes (BatchRecordsSource): a publication's records from its
 * restriction rows, and an expiry sweep's (`restrictions.expired`: the same records, of the
 * publication's restrictions that ran out in the sweep's window).
 */
export function publicationRecordsOf(kind: string, details: Record<string, unknown>): RawBuilder<{ record: Buffer }> | null {
  if (typeof details.breachId !== 'string') return null;
  if (kind === 'restrictions.placed') return publicationRecordsFromRows(details as unknown as PublicationDetails);
  const expired = details.expired as ExpiryWindow | undefined;
  if (kind === 'restrictions.expired' && typeof expired?.after === 'string' && typeof expired.upTo === 'string') {
    return publicationRecordsFromRows(details as unknown as PublicationDetails, expired);
  }
  return null;
}
