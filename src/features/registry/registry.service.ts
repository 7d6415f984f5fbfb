import { randomBytes } from 'node:crypto';
import { appendToLog } from '../log/index.js';
import type { Database } from '../../db/database.js';
import type { Pseudonymizer } from '../../privacy/pseudonym.js';
import { AppError } from '../../errors/app-error.js';
import { checkBin } from '../../identifiers/bin.js';
import { checkIin } from '../../identifiers/iin.js';
import { RegistryRepository, affectedPersonsOf, type BreachRow, type PublishHook } from './registry.repository.js';
import { BREACH_STATUSES, DAY_DATE_FIELDS, type BreachCreateInput, type BreachListFilter, type BreachPatchInput, type BreachView, type ImportReportView } from './registry.schema.js';
import { dropAbandonedStages, importAffected, type ImportOptions } from './affected-import.js';
import type { ImportFormat } from './affected-lines.js';

export function presentBreach(row: BreachRow): BreachView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  const dayOnly = new Set(row.day_only_dates ?? []);
  // A date given as a plain day is answered as that day, so nobody reads a made-up time into it.
  const given = (field: string, d: Date | null) => (d && dayOnly.has(field) ? new Date(d).toISOString().slice(0, 10) : iso(d));
  return {
    id: row.id,
    organization: { bin: row.organization_bin, name: row.organization_name },
    title: row.title,
    description: row.description,
    occurredAt: given('occurredAt', row.occurred_at),
    discoveredAt: given('discoveredAt', row.discovered_at),
    disclosedAt: given('disclosedAt', row.disclosed_at),
    source: row.source,
    dataCategories: row.data_categories,
    affectedCount: Number(row.affected_count),
    verified: row.verified,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    publishedAt: iso(row.published_at),
  };
}

export function requireValidBin(bin: string): string {
  const check = checkBin(bin);
  if (!check.ok) throw AppError.badRequest(check.problem === 'BIN_INVALID_CHECKSUM' ? 'BIN_INVALID_CHECKSUM' : 'BIN_INVALID', `Invalid BIN: ${check.message}`, { reason: check.problem });
  return bin;
}

export function requireValidIin(iin: string): string {
  const check = checkIin(iin);
  if (!check.ok) throw AppError.badRequest(check.problem === 'IIN_INVALID_CHECKSUM' ? 'IIN_INVALID_CHECKSUM' : 'IIN_INVALID', `Invalid IIN: ${check.message}`, { reason: check.problem });
  return iin;
}

function encodeCursor(row: BreachRow): string {
  return Buffer.from(JSON.stringify([new Date(row.published_at ?? row.created_at).toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { publishedAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const publishedAt = new Date(at);
    if (typeof id !== 'string' || Number.isNaN(publishedAt.getTime())) throw new Error('shape');
    return { publishedAt, id };
  } catch {
    throw AppError.badRequest('CURSOR_INVALID', 'The cursor is not one this API returned; start again without it');
  }
}

function slugFor(title: string): string {
  const base = title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return `${base.length >= 3 ? base : 'breach'}-${randomBytes(3).toString('hex')}`;
}

function dateOrNull(value: string | null | undefined): Date | null | undefined {
  return value === undefined ? undefined : value === null ? null : new Date(isPlainDay(value) ? `${value}T00:00:00Z` : value);
}

function isPlainDay(value: string | null | undefined): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value);
}

/** The date fields given as a plain day after applying `input` to `current` (the fields it leaves out keep their form). */
function dayOnlyDates(input: Partial<Record<(typeof DAY_DATE_FIELDS)[number], string | null>>, current: readonly string[] = []): string[] {
  const result = new Set(current);
  for (const field of DAY_DATE_FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    if (isPlainDay(value)) result.add(field);
    else result.delete(field);
  }
  return [...result].sort();
}

/**
 * The registry: breaches, the organizations responsible, and the persons affected
 * (by pseudonym only). Other features use it through this service, never its tables.
 */
export class RegistryService {
  readonly repository: RegistryRepository;

  constructor(
    private readonly database: Database,
    private readonly pseudonymizer: Pseudonymizer,
  ) {
    this.repository = new RegistryRepository(database.db, database.readDb);
  }

  private async requireCategories(codes: string[]): Promise<void> {
    const known = await this.repository.knownCategories();
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length) {
      throw AppError.badRequest('CATEGORY_UNKNOWN', `Unknown data categories: ${unknown.join(', ')}. GET /v1/data-categories lists them; operators can add one.`);
    }
  }

  async createBreach(input: BreachCreateInput): Promise<BreachView> {
    requireValidBin(input.organizationBin);
    await this.requireCategories(input.dataCategories);
    await this.repository.upsertOrganization(input.organizationBin, input.organizationName);
    const id = input.id ?? slugFor(input.title);
    const created = await this.repository.insertBreach({
      id,
      organization_bin: input.organizationBin,
      title: input.title,
      description: input.description ?? '',
      occurred_at: dateOrNull(input.occurredAt) ?? null,
      discovered_at: dateOrNull(input.discoveredAt) ?? null,
      disclosed_at: dateOrNull(input.disclosedAt) ?? null,
      day_only_dates: dayOnlyDates(input),
      source: input.source,
      data_categories: input.dataCategories,
      verified: input.verified ?? false,
    });
    if (!created) throw AppError.conflict('BREACH_EXISTS', `A breach with id "${id}" exists already`);
    return this.getBreach(id, { publicOnly: false });
  }

  async getBreach(id: string, options: { publicOnly: boolean }): Promise<BreachView> {
    const row = await this.repository.findBreach(id, options);
    if (!row) throw AppError.notFound('BREACH_NOT_FOUND', `No breach "${id.slice(0, 100)}"`);
    return presentBreach(row);
  }

  /** Descriptive fields can be corrected after publication; what the breach contains only while it is a draft. */
  async updateBreach(id: string, patch: BreachPatchInput): Promise<BreachView> {
    const current = await this.getBreach(id, { publicOnly: false });
    if (patch.dataCategories) {
      if (current.status !== 'draft') throw AppError.conflict('BREACH_NOT_DRAFT', 'Data categories can change only while the breach is a draft');
      await this.requireCategories(patch.dataCategories);
    }
    if (current.status === 'retracted') throw AppError.conflict('BREACH_RETRACTED', 'A retracted breach cannot be edited');
    const values: Record<string, unknown> = {};
    if (patch.title !== undefined) values.title = patch.title;
    if (patch.description !== undefined) values.description = patch.description;
    if (patch.occurredAt !== undefined) values.occurred_at = dateOrNull(patch.occurredAt);
    if (patch.discoveredAt !== undefined) values.discovered_at = dateOrNull(patch.discoveredAt);
    if (patch.disclosedAt !== undefined) values.disclosed_at = dateOrNull(patch.disclosedAt);
    if (DAY_DATE_FIELDS.some((f) => patch[f] !== undefined)) {
      const currentDayOnly = DAY_DATE_FIELDS.filter((f) => current[f] !== null && isPlainDay(current[f]));
      values.day_only_dates = dayOnlyDates(patch, currentDayOnly);
    }
    if (patch.source !== undefined) values.source = patch.source;
    if (patch.dataCategories !== undefined) values.data_categories = patch.dataCategories;
    if (patch.verified !== undefined) values.verified = patch.verified;
    const allowed = patch.dataCategories ? ['draft'] : ['draft', 'published', 'closed'];
    if (!(await this.repository.updateBreach(id, values, allowed))) {
      throw AppError.conflict('BREACH_STATE_CHANGED', 'The breach changed state meanwhile; read it again and retry');
    }
    return this.getBreach(id, { publicOnly: false });
  }

  private readonly publishHooks: PublishHook[] = [];

  /**
   * Runs `hook` inside the transaction that publishes a breach (credit protection applies
   * its restriction policy there), so publication and its consequences commit together.
   */
  onPublish(hook: PublishHook): void {
    this.publishHooks.push(hook);
  }

  async publishBreach(id: string): Promise<BreachView> {
    const current = await this.getBreach(id, { publicOnly: false });
    if (current.status !== 'draft') throw AppError.conflict('BREACH_STATUS_TRANSITION', `Only a draft breach can be published; this one is ${current.status}`);
    const publishedAt = new Date();
    await this.database.db.transaction().execute(async (trx) => {
      const row = await new RegistryRepository(trx, trx).publishDraft(id, publishedAt);
      if (!row) throw AppError.conflict('BREACH_STATE_CHANGED', 'The breach changed state meanwhile; read it again and retry');
      for (const hook of this.publishHooks) await hook(trx, { id, seq: row.seq, publishedAt, affectedPersons: affectedPersonsOf(row.seq) });
      // Last: the log's append lock is held until commit, and every revocation, restriction and lift on
      // every instance waits for it; taken first, it was held through the hooks' millions of rows.
      await appendToLog(trx, { kind: 'breach.published', details: { breachId: id, organizationBin: current.organization.bin } });
    });
    return this.getBreach(id, { publicOnly: false });
  }

  async closeBreach(id: string): Promise<BreachView> {
    return this.transition(id, ['published'], 'closed', 'Only a published breach can be closed');
  }

  async retractBreach(id: string): Promise<BreachView> {
    return this.transition(id, ['draft', 'published'], 'retracted', 'Only a draft or published breach can be retracted');
  }

  private async transition(id: string, from: string[], to: 'closed' | 'retracted', refusal: string): Promise<BreachView> {
    const current = await this.getBreach(id, { publicOnly: false });
    if (!from.includes(current.status)) throw AppError.conflict('BREACH_STATUS_TRANSITION', `${refusal}; this one is ${current.status}`);
    await this.database.db.transaction().execute(async (trx) => {
      if (!(await new RegistryRepository(trx, trx).updateBreach(id, { status: to }, from))) {
        throw AppError.conflict('BREACH_STATE_CHANGED', 'The breach changed state meanwhile; read it again and retry');
      }
      await appendToLog(trx, { kind: `breach.${to}`, details: { breachId: id, organizationBin: current.organization.bin, from: current.status } });
    });
    return this.getBreach(id, { publicOnly: false });
  }

  /** The public sees published breaches only; an operator (`operator: true`) any status, drafts included. */
  async listBreaches(filter: BreachListFilter, options: { operator: boolean } = { operator: false }): Promise<{ items: BreachView[]; nextCursor: string | null }> {
    if (filter.organization) requireValidBin(filter.organization);
    if (filter.status && filter.status !== 'published' && !options.operator) {
      throw AppError.forbidden('BREACH_STATUS_OPERATORS_ONLY', `Only registry operators can list ${filter.status} breaches: send an operator token, or leave out "status"`);
    }
    const statuses = filter.status ? [filter.status] : options.operator ? BREACH_STATUSES : (['published'] as const);
    const limit = filter.limit ?? 20;
    const after = filter.cursor ? decodeCursor(filter.cursor) : undefined;
    const rows = await this.repository.listBreaches({ ...filter, limit: limit + 1, statuses, operator: options.operator }, after);
    const page = rows.slice(0, limit);
    return { items: page.map(presentBreach), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null };
  }

  async organization(bin: string) {
    requireValidBin(bin);
    const org = await this.repository.organization(bin);
    if (!org) throw AppError.notFound('ORGANIZATION_NOT_FOUND', `No organization with BIN ${bin} is in the registry`);
    const breaches = (await this.repository.publishedOfOrganization(bin)).map(presentBreach);
    return {
      bin: org.bin,
      name: org.name,
      totals: { publishedBreaches: breaches.length, affectedPersons: breaches.reduce((sum, b) => sum + b.affectedCount, 0) },
      breaches,
    };
  }

  async upsertOrganization(bin: string, name: string) {
    requireValidBin(bin);
    await this.repository.upsertOrganization(bin, name);
    return this.organizationRecord(bin);
  }

  private async organizationRecord(bin: string) {
    const org = await this.repository.organization(bin);
    return { bin, name: org!.name };
  }

  async listCategories() {
    return this.repository.listCategories();
  }

  async addCategory(code: string, label: string) {
    if (!(await this.repository.addCategory(code, label))) throw AppError.conflict('CATEGORY_EXISTS', `The category "${code}" exists already`);
    return { code, label };
  }

  /** Checks that a breach can take an import now, before any of the upload is read. */
  async requireImportable(id: string): Promise<BreachRow> {
    const row = await this.repository.findBreach(id, { publicOnly: false });
    if (!row) throw AppError.notFound('BREACH_NOT_FOUND', `No breach "${id.slice(0, 100)}"`);
    if (row.status !== 'draft') {
      throw AppError.conflict('BREACH_NOT_DRAFT', `Only a draft breach accepts affected persons; this one is ${row.status}`);
    }
    return row;
  }

  /** Streams affected persons into a draft breach. Idempotent: the same file twice adds nothing the second time. */
  async importAffected(
    id: string,
    format: ImportFormat,
    source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
    options: ImportOptions & { sourceName?: string } = {},
  ): Promise<ImportReportView> {
    const breach = await this.requireImportable(id);
    const known = await this.repository.knownCategories();
    await dropAbandonedStages(this.database);
    const importId = await this.repository.startImport(id, options.sourceName ?? 'upload', format);
    try {
      const counts = await importAffected(this.database, this.pseudonymizer, importId, breach.seq, known, format, source, options);
      const { lines, accepted, duplicate, invalid } = counts;
      await this.repository.finishImport(importId, { status: 'completed', lines, accepted, duplicate, invalid });
      const after = await this.getBreach(id, { publicOnly: false });
      return { breachId: id, format, ...counts, affectedCount: after.affectedCount };
    } catch (err) {
      await this.repository
        .finishImport(importId, { status: 'failed', lines: 0, accepted: 0, duplicate: 0, invalid: 0, error: (err as Error).message.slice(0, 1000) })
        .catch(() => {});
      throw err;
    }
  }

  /** For credit protection and the person's own view: the published breaches that include this IIN. */
  async publishedBreachesOf(iin: string): Promise<BreachView[]> {
    requireValidIin(iin);
    return (await this.repository.publishedBreachesOfPerson(this.pseudonymizer.of(iin))).map(presentBreach);
  }

  /** The same by pseudonym, for a signed-in person (whose session holds no IIN). */
  async publishedBreachesOfPseudonym(personHash: Buffer): Promise<BreachView[]> {
    return (await this.repository.publishedBreachesOfPerson(personHash)).map(presentBreach);
  }
}
