import type { Kysely } from 'kysely';
import { appendToLog } from '../log/index.js';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import type { PublishHook } from '../registry/index.js';
import type { RegistryService } from '../registry/index.js';
import type { PolicyRule } from './credit.tables.js';
import { PolicyRepository, type PolicyRow } from './policy.repository.js';
import type { PolicyCreateInput, PolicyViewType } from './policy.schema.js';

export function presentPolicy(row: PolicyRow): PolicyViewType {
  return { version: row.version, rules: row.rules, note: row.note, createdBy: row.created_by, createdAt: new Date(row.created_at).toISOString() };
}

/**
 * The restriction policy, kept as versioned config in the database: which data categories
 * of a breach trigger a protective restriction, on what, and for how long. Publishing a
 * breach applies the version current at that moment and records it on every restriction.
 */
export class PolicyService {
  readonly repository: PolicyRepository;

  constructor(
    private readonly database: Database,
    private readonly registry: RegistryService,
  ) {
    this.repository = new PolicyRepository(database.db);
  }

  async current(): Promise<PolicyViewType> {
    return presentPolicy(await this.repository.current());
  }

  async versions(): Promise<PolicyViewType[]> {
    return (await this.repository.list()).map(presentPolicy);
  }

  async version(version: number): Promise<PolicyViewType> {
    const row = await this.repository.find(version);
    if (!row) throw AppError.notFound('POLICY_VERSION_NOT_FOUND', `No restriction policy version ${version}`);
    return presentPolicy(row);
  }

  async addVersion(input: PolicyCreateInput, createdBy: string): Promise<PolicyViewType> {
    const known = new Set((await this.registry.listCategories()).map((c) => c.code));
    const unknown = [...new Set(input.rules.flatMap((r) => [...r.all, ...r.any]))].filter((c) => !known.has(c));
    if (unknown.length) throw AppError.badRequest('CATEGORY_UNKNOWN', `Unknown data categories: ${unknown.join(', ')}`);
    const names = input.rules.map((r) => r.name);
    if (new Set(names).size !== names.length) throw AppError.badRequest('POLICY_RULE_DUPLICATE', 'Each rule needs a name of its own');
    const rules: PolicyRule[] = input.rules.map((r) => ({ ...r, products: [...new Set(r.products)], channels: [...new Set(r.channels)] }));
    for (let attempt = 0; attempt < 5; attempt++) {
      const row = await this.database.db.transaction().execute(async (trx) => {
        const inserted = await this.repository.insertNext(rules, input.note ?? '', createdBy, trx);
        if (inserted) await appendToLog(trx, { kind: 'policy.changed', details: { version: inserted.version, rules, note: inserted.note, createdBy } });
        return inserted;
      });
      if (row) return presentPolicy(row);
    }
    throw AppError.conflict('POLICY_VERSION_RACE', 'Another policy version was added at the same moment; retry');
  }

  /** Applies the current policy to a breach being published, in the publishing transaction. */
  readonly onPublish: PublishHook = async (trx: Kysely<DB>, breach) => {
    const policy = await this.repository.current(trx);
    await this.repository.applyToBreach(trx, breach.affectedPersons, { id: breach.id, since: breach.publishedAt }, policy);
  };

  /** Makes every publication of a breach apply this policy. */
  install(): void {
    this.registry.onPublish(this.onPublish);
  }
}
