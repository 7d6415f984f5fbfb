import { AppError } from '../../errors/app-error.js';
import { AREAS, isPermutation, type Answer, type Area, type ItemContent, type Solution } from './items.js';

/**
 * Published weights of the graded 0-100 score. Safety weighs most: it is where a gap costs
 * people their savings (docs/literacy.md explains the choice).
 */
export const AREA_WEIGHTS: Record<Area, number> = {
  information: 0.175,
  communication: 0.175,
  content_creation: 0.15,
  safety: 0.3,
  problem_solving: 0.2,
};

export const LEVELS = ['below-foundation', 'foundation', 'intermediate', 'advanced'] as const;
export type Level = (typeof LEVELS)[number];

/** Lower bounds of the share of credit for each level; "at least basic" (EU DSI) means foundation or above. */
export const LEVEL_THRESHOLDS: { level: Level; from: number }[] = [
  { level: 'advanced', from: 0.85 },
  { level: 'intermediate', from: 0.6 },
  { level: 'foundation', from: 0.4 },
  { level: 'below-foundation', from: 0 },
];

export const BASIC_SHARE = 0.4;
const Z95 = 1.959963984540054;

export function levelOf(share: number): Level {
  return LEVEL_THRESHOLDS.find((t) => share >= t.from - 1e-9)!.level;
}

export interface ScoredItem {
  id: string;
  area: Area;
  type: string;
  content: ItemContent;
  solution: Solution;
}

/**
 * Credit for one answer, from 0 to 1. Multiple choice: (right picks − wrong picks) / right
 * options, never below 0, so ticking everything earns nothing. Ordering: Kendall's tau between
 * the given and the right order, never below 0, so a random order earns about nothing.
 * An answer that does not fit the item is refused (4xx), never scored as wrong.
 */
export function creditFor(item: ScoredItem, answer: Answer): number {
  const n = item.content.options?.length ?? 0;
  const solution = item.solution;
  const badChoice = (what: string) =>
    AppError.unprocessable('LITERACY_CHOICE_OUT_OF_RANGE', `Item ${item.id}: ${what}; choose among options 0 to ${n - 1}`, { itemId: item.id });
  const fields = (['choice', 'choices', 'order', 'verdict'] as const).filter((f) => answer[f] !== undefined);
  const expected = { single: 'choice', multiple: 'choices', ordering: 'order', 'spot-the-scam': 'verdict' }[solution.type];
  if (fields.length !== 1 || fields[0] !== expected) {
    throw AppError.unprocessable('LITERACY_ANSWER_TYPE', `Item ${item.id} is a ${solution.type} item: answer it with "${expected}" only`, { itemId: item.id });
  }
  switch (solution.type) {
    case 'single': {
      const choice = answer.choice!;
      if (!Number.isInteger(choice) || choice < 0 || choice >= n) throw badChoice(`option ${choice} does not exist`);
      return choice === solution.correct ? 1 : 0;
    }
    case 'multiple': {
      const choices = answer.choices!;
      if (new Set(choices).size !== choices.length) throw AppError.unprocessable('LITERACY_CHOICE_REPEATED', `Item ${item.id}: each option may be chosen once`, { itemId: item.id });
      if (!choices.every((c) => Number.isInteger(c) && c >= 0 && c < n)) throw badChoice(`options ${choices.join(', ')} include one that does not exist`);
      const right = new Set(solution.correct);
      const hits = choices.filter((c) => right.has(c)).length;
      const misses = choices.length - hits;
      return Math.max(0, (hits - misses) / right.size);
    }
    case 'ordering': {
      const order = answer.order!;
      if (!isPermutation(order, n)) {
        throw AppError.unprocessable('LITERACY_ORDER_INVALID', `Item ${item.id}: give every step 0 to ${n - 1} exactly once, in the order you would take them`, { itemId: item.id });
      }
      const position = new Map(solution.order.map((step, i) => [step, i]));
      let concordant = 0;
      let discordant = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          if (position.get(order[i])! < position.get(order[j])!) concordant++;
          else discordant++;
        }
      }
      return Math.max(0, (concordant - discordant) / ((n * (n - 1)) / 2));
    }
    case 'spot-the-scam': {
      if (answer.verdict !== 'scam' && answer.verdict !== 'genuine') {
        throw AppError.unprocessable('LITERACY_ANSWER_TYPE', `Item ${item.id}: the verdict is "scam" or "genuine"`, { itemId: item.id });
      }
      return answer.verdict === solution.verdict ? 1 : 0;
    }
  }
}

/** Wilson score interval (95%) for `successes` out of `n`; with n = 0 it is the whole range. */
export function wilsonInterval(successes: number, n: number, z = Z95): [number, number] {
  if (n === 0) return [0, 1];
  const p = successes / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export interface AreaScore {
  area: Area;
  items: number;
  credit: number;
  share: number;
  level: Level;
  /** The person's own 95% band: Wilson interval on the share, with the levels at its ends. */
  interval: { low: number; high: number; levelLow: Level; levelHigh: Level };
}

export interface ScoredAssessment {
  areas: AreaScore[];
  /** 0-100, the published weights over the area shares. */
  score: number;
  allBasic: boolean;
  /** Share of spot-the-scam items judged right (0-1). */
  scamResistance: number;
  scamItems: number;
  credits: { itemId: string; credit: number }[];
}

/** Scores a whole assessment: per area, the graded score, the EU "at least basic in all five" rule, scam resistance. */
export function scoreAssessment(items: ScoredItem[], answers: Map<string, Answer>): ScoredAssessment {
  const credits = items.map((item) => {
    const answer = answers.get(item.id);
    return { item, credit: answer ? creditFor(item, answer) : 0 };
  });
  const areas = AREAS.map((area): AreaScore => {
    const inArea = credits.filter((c) => c.item.area === area);
    const credit = inArea.reduce((s, c) => s + c.credit, 0);
    const share = inArea.length ? credit / inArea.length : 0;
    const [low, high] = wilsonInterval(credit, inArea.length);
    return { area, items: inArea.length, credit, share, level: levelOf(share), interval: { low, high, levelLow: levelOf(low), levelHigh: levelOf(high) } };
  });
  const score = 100 * areas.reduce((s, a) => s + AREA_WEIGHTS[a.area] * a.share, 0);
  const scams = credits.filter((c) => c.item.type === 'spot-the-scam');
  return {
    areas,
    score,
    allBasic: areas.every((a) => a.share >= BASIC_SHARE - 1e-9),
    scamResistance: scams.length ? scams.reduce((s, c) => s + c.credit, 0) / scams.length : 0,
    scamItems: scams.length,
    credits: credits.map((c) => ({ itemId: c.item.id, credit: c.credit })),
  };
}
