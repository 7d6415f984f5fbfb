import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import { BankRepository } from './bank.repository.js';
import { AREAS, itemProblems, type ItemDefinition } from './items.js';
import { ASSESSMENT_PLAN } from './assessment.service.js';
import { SEED_BANK } from './seed-bank.js';

/** Operators' commands on the question bank: drafts, items, reviews, publication, retirement. */
export class BankService {
  readonly repository: BankRepository;

  constructor(private readonly db: Kysely<DB>) {
    this.repository = new BankRepository(db);
  }

  /** Loads the shipped bank as version 1 when there is none yet. */
  seed(): Promise<boolean> {
    return this.repository.seedIfEmpty(SEED_BANK);
  }

  private async draft(version: number) {
    const found = await this.repository.findVersion(version);
    if (!found) throw AppError.notFound('LITERACY_VERSION_NOT_FOUND', `There is no bank version ${version}`);
    if (found.status !== 'draft') throw AppError.conflict('LITERACY_VERSION_PUBLISHED', `Version ${version} is published and frozen; create a new draft to change items`);
    return found;
  }

  async createDraft(note: string, createdBy: string): Promise<number> {
    const base = await this.repository.latestPublished();
    if (!base) throw AppError.conflict('LITERACY_NO_PUBLISHED_VERSION', 'No published version to start a draft from');
    return this.repository.createDraft(base.version, note, createdBy);
  }

  async putItem(version: number, item: ItemDefinition): Promise<void> {
    const problems = itemProblems(item);
    if (problems.length) throw AppError.unprocessable('LITERACY_ITEM_INVALID', `The item is not usable: ${problems.join('; ')}`, { problems });
    await this.draft(version);
    await this.repository.putItem(version, item);
  }

  async review(version: number, key: string, decision: 'approved' | 'rejected', note: string | null, reviewer: string): Promise<void> {
    await this.draft(version);
    if (!(await this.repository.review(version, key, decision, note, reviewer))) throw AppError.notFound('LITERACY_ITEM_NOT_FOUND', `Version ${version} has no item ${key}`);
  }

  /** Retiring works on published versions too: the item stops being served; results that used it keep it. */
  async retire(version: number, key: string): Promise<void> {
    if (!(await this.repository.findVersion(version))) throw AppError.notFound('LITERACY_VERSION_NOT_FOUND', `There is no bank version ${version}`);
    if (!(await this.repository.retire(version, key))) throw AppError.notFound('LITERACY_ITEM_NOT_FOUND', `Version ${version} has no live item ${key}`);
  }

  /** Publishes a draft whose live items are all approved and fill an assessment in every area. */
  async publish(version: number): Promise<void> {
    await this.draft(version);
    await this.db.transaction().execute(async (trx) => {
      const items = (await this.repository.items(version, trx)).filter((i) => !i.retired_at);
      const unreviewed = items.filter((i) => i.review_status !== 'approved');
      if (unreviewed.length) {
        throw AppError.conflict('LITERACY_REVIEW_PENDING', `Approve, change or retire these items first: ${unreviewed.map((i) => i.key).join(', ')}`);
      }
      const short = AREAS.filter((area) => items.filter((i) => i.area === area).length < ASSESSMENT_PLAN[area]);
      if (short.length) throw AppError.conflict('LITERACY_AREA_SHORT', `Too few items to fill an assessment in: ${short.join(', ')}`);
      if (!(await this.repository.publish(version, trx))) throw AppError.conflict('LITERACY_VERSION_PUBLISHED', `Version ${version} was published meanwhile`);
    });
  }
}
