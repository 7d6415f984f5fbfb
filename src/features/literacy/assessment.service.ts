import { randomInt, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import { AssessmentsRepository } from './assessments.repository.js';
import { BankRepository, type ItemRow } from './bank.repository.js';
import { CentersRepository } from './centers.repository.js';
import { checkAgeGroup, checkLanguage, checkRegion, checkSex, periodOf } from './demographics.js';
import { AREAS, type Answer, type Area, type ItemContent, type Language, type Solution } from './items.js';
import { scoreAssessment, type ScoredAssessment, type ScoredItem } from './scoring.js';
import { nextStepsFor } from './advice.js';

/** How many items of each area one assessment serves; at least half of safety is spot-the-scam. */
export const ASSESSMENT_PLAN: Record<Area, number> = { information: 4, communication: 4, content_creation: 3, safety: 10, problem_solving: 4 };

export interface StartAssessment {
  language: string;
  region: string;
  ageGroup: string;
  sex: string;
  latitude?: number;
  longitude?: number;
}

export interface ServedItem {
  row: ItemRow;
}

function shuffled<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Picks the items of one assessment from the servable ones, following the plan. */
export function pickItems(servable: ItemRow[], plan: Record<Area, number> = ASSESSMENT_PLAN): ItemRow[] {
  const picked: ItemRow[] = [];
  for (const area of AREAS) {
    const inArea = shuffled(servable.filter((i) => i.area === area));
    if (area === 'safety') {
      const scams = inArea.filter((i) => i.type === 'spot-the-scam');
      const others = inArea.filter((i) => i.type !== 'spot-the-scam');
      const scamCount = Math.min(scams.length, Math.ceil(plan.safety / 2));
      picked.push(...scams.slice(0, scamCount), ...others.slice(0, plan.safety - scamCount));
    } else {
      picked.push(...inArea.slice(0, plan[area]));
    }
  }
  return picked;
}

export const scoredItemOf = (row: ItemRow): ScoredItem => ({
  id: row.id,
  area: row.area as Area,
  type: row.type,
  content: row.content as ItemContent,
  solution: row.solution as Solution,
});

/** Starting, submitting and reading assessments: the commands a person runs. */
export class AssessmentService {
  private readonly bank: BankRepository;
  private readonly assessments: AssessmentsRepository;
  private readonly centers: CentersRepository;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.bank = new BankRepository(db);
    this.assessments = new AssessmentsRepository(db);
    this.centers = new CentersRepository(db);
  }

  /** Starts an assessment on the latest published bank version; the version is fixed for its life. */
  async start(input: StartAssessment, personHash: Buffer | null) {
    const language = checkLanguage(input.language);
    const region = checkRegion(input.region);
    const ageGroup = checkAgeGroup(input.ageGroup);
    const sex = checkSex(input.sex);
    if ((input.latitude === undefined) !== (input.longitude === undefined)) {
      throw AppError.badRequest('LITERACY_LOCATION_PARTIAL', 'Send both latitude and longitude, or neither');
    }
    const latest = await this.bank.latestPublished();
    if (!latest) throw new AppError('unavailable', 'LITERACY_BANK_EMPTY', 'No question bank is published yet; try again later');
    const items = pickItems(await this.bank.servable(latest.version));
    const id = randomUUID();
    await this.assessments.insert({
      id,
      version: latest.version,
      person_hash: personHash,
      region,
      age_group: ageGroup,
      sex,
      language,
      item_ids: items.map((i) => i.id),
      latitude: input.latitude ?? null,
      longitude: input.longitude ?? null,
      started_at: this.clock(),
    });
    return { id, version: latest.version, language, items };
  }

  /**
   * Scores the answers and records them with the result, all in one transaction: every answer
   * is checked first (it belongs to this assessment's version and fits its item), so a refused
   * submission leaves nothing behind and can be corrected and sent again.
   */
  async submit(id: string, answers: Answer[]) {
    const assessment = await this.assessments.find(id);
    if (!assessment) throw AppError.notFound('LITERACY_ASSESSMENT_NOT_FOUND', 'No assessment has this id; start one with POST /v1/literacy/assessments');
    if (assessment.submitted_at) throw AppError.conflict('LITERACY_ALREADY_SUBMITTED', 'This assessment was already submitted; read its result, or start a new one');
    const served = new Set(assessment.item_ids);
    const seen = new Set<string>();
    for (const answer of answers) {
      if (seen.has(answer.itemId)) throw AppError.unprocessable('LITERACY_ANSWER_REPEATED', `Item ${answer.itemId} is answered twice; send one answer per item`, { itemId: answer.itemId });
      seen.add(answer.itemId);
      if (!served.has(answer.itemId)) {
        const [other] = await this.bank.byIds([answer.itemId]);
        if (other && other.version !== assessment.version) {
          throw AppError.unprocessable(
            'LITERACY_ITEM_OTHER_VERSION',
            `Item ${answer.itemId} belongs to bank version ${other.version}, this assessment uses version ${assessment.version}; answer only the items it served`,
            { itemId: answer.itemId },
          );
        }
        throw AppError.unprocessable('LITERACY_ITEM_NOT_SERVED', `Item ${answer.itemId} is not one of this assessment's items`, { itemId: answer.itemId });
      }
    }
    const rows = await this.bank.byIds(assessment.item_ids);
    const items = assessment.item_ids.map((itemId) => scoredItemOf(rows.find((r) => r.id === itemId)!));
    const scored = scoreAssessment(items, new Map(answers.map((a) => [a.itemId, a])));
    const at = this.clock();
    const share = (area: Area) => scored.areas.find((a) => a.area === area)!.share;
    await this.db.transaction().execute(async (trx) => {
      if (!(await this.assessments.markSubmitted(id, at, trx))) {
        throw AppError.conflict('LITERACY_ALREADY_SUBMITTED', 'This assessment was already submitted; read its result, or start a new one');
      }
      const given = new Map(answers.map((a) => [a.itemId, a]));
      await this.assessments.insertAnswers(
        scored.credits.map((c) => {
          const { itemId: _id, ...answer } = given.get(c.itemId) ?? { itemId: c.itemId };
          return { assessment_id: id, item_id: c.itemId, answer: JSON.stringify(answer), credit: c.credit };
        }),
        trx,
      );
      await this.assessments.insertResult(
        {
          assessment_id: id,
          version: assessment.version,
          period: periodOf(at),
          region: assessment.region,
          age_group: assessment.age_group,
          sex: assessment.sex,
          person_hash: assessment.person_hash,
          information: share('information'),
          communication: share('communication'),
          content_creation: share('content_creation'),
          safety: share('safety'),
          problem_solving: share('problem_solving'),
          score: scored.score,
          all_basic: scored.allBasic,
          scam_resistance: scored.scamResistance,
          submitted_at: at,
        },
        trx,
      );
    });
    return this.report(assessment, scored, items);
  }

  /** A submitted assessment's result, scored again from its stored answers (the same items, the same version). */
  async result(id: string) {
    const assessment = await this.assessments.find(id);
    if (!assessment) throw AppError.notFound('LITERACY_ASSESSMENT_NOT_FOUND', 'No assessment has this id');
    if (!assessment.submitted_at) throw AppError.conflict('LITERACY_NOT_SUBMITTED', 'This assessment has not been submitted yet');
    const rows = await this.bank.byIds(assessment.item_ids);
    const items = assessment.item_ids.map((itemId) => scoredItemOf(rows.find((r) => r.id === itemId)!));
    const stored = await this.assessments.answers(id);
    const answers = new Map(stored.map((s) => [s.item_id, { itemId: s.item_id, ...(s.answer as object) } as Answer]));
    return this.report(assessment, scoreAssessment(items, answers), items);
  }

  private async report(
    assessment: { id: string; version: number; language: string; region: string; latitude: number | null; longitude: number | null },
    scored: ScoredAssessment,
    items: ScoredItem[],
  ) {
    const language = assessment.language as Language;
    const centers = await this.centers.nearest(
      assessment.latitude !== null && assessment.longitude !== null ? { latitude: assessment.latitude, longitude: assessment.longitude } : { region: assessment.region },
      1,
    );
    return {
      assessment,
      scored,
      language,
      nextSteps: nextStepsFor(scored.areas, language),
      nearestCenter: centers[0] ?? null,
      explanations: items.map((i) => ({ itemId: i.id, explanation: i.solution.explanation[language] })),
    };
  }
}
