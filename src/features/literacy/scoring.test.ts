import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/app-error.js';
import { HTTP_STATUS_OF_KIND } from '../../errors/http-errors.js';
import { AREAS, itemProblems, LANGUAGES, type Answer, type ItemDefinition, type Text } from './items.js';
import { creditFor, levelOf, scoreAssessment, wilsonInterval, type ScoredItem } from './scoring.js';
import { SEED_BANK } from './seed-bank.js';
import { ASSESSMENT_PLAN, pickItems } from './assessment.service.js';
import type { ItemRow } from './bank.repository.js';

const t = (s: string): Text => ({ kk: s, ru: s, en: s });
const opts = (n: number) => Array.from({ length: n }, (_, i) => t(`option ${i}`));

function buildItem(overrides: Partial<ScoredItem> & Pick<ScoredItem, 'solution'>): ScoredItem {
  return { id: `item-${Math.random().toString(36).slice(2)}@1`, area: 'information', type: overrides.solution.type, content: { prompt: t('?'), options: opts(4) }, ...overrides };
}
const single = (area: ScoredItem['area'], correct = 0) => buildItem({ area, solution: { type: 'single', correct, explanation: t('') } });
const scam = (verdict: 'scam' | 'genuine') =>
  buildItem({ area: 'safety', content: { prompt: t('?'), exhibit: { channel: 'sms', from: 'x', body: t('x') } }, solution: { type: 'spot-the-scam', verdict, explanation: t('') } });
const multiple = (area: ScoredItem['area']) => buildItem({ area, content: { prompt: t('?'), options: opts(5) }, solution: { type: 'multiple', correct: [0, 2, 4], explanation: t('') } });
const ordering = (area: ScoredItem['area']) => buildItem({ area, solution: { type: 'ordering', order: [1, 3, 0, 2], explanation: t('') } });

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? `${HTTP_STATUS_OF_KIND[err.kind]} ${err.code}` : String(err);
  }
  return 'no error';
};

describe('the seed question bank', () => {
  it('has at least 40 items, every one complete in Kazakh, Russian and English and internally consistent', () => {
    expect(SEED_BANK.length).toBeGreaterThanOrEqual(40);
    for (const item of SEED_BANK) expect(itemProblems(item), item.key).toEqual([]);
    expect(new Set(SEED_BANK.map((i) => i.key)).size).toBe(SEED_BANK.length);
  });

  it('covers the five areas enough to fill an assessment, weighs safety most, and has every item type', () => {
    for (const area of AREAS) expect(SEED_BANK.filter((i) => i.area === area).length, area).toBeGreaterThanOrEqual(ASSESSMENT_PLAN[area]);
    const safety = SEED_BANK.filter((i) => i.area === 'safety');
    expect(safety.length).toBeGreaterThan(SEED_BANK.length / 3);
    expect(new Set(SEED_BANK.map((i) => i.type))).toEqual(new Set(['single', 'multiple', 'ordering', 'spot-the-scam']));
    // Some messages are genuine, so answering "scam" to everything does not pass.
    expect(safety.filter((i) => i.solution.type === 'spot-the-scam' && i.solution.verdict === 'genuine').length).toBeGreaterThanOrEqual(2);
  });

  it('refuses an item missing any one language, naming where', () => {
    for (const language of LANGUAGES) {
      const item = structuredClone(SEED_BANK.find((i) => i.type === 'single')!) as ItemDefinition;
      delete (item.content.options![1] as Partial<Text>)[language];
      expect(itemProblems(item)).toEqual([`option 1 has no ${language} text`]);
      const scamItem = structuredClone(SEED_BANK.find((i) => i.type === 'spot-the-scam')!) as ItemDefinition;
      scamItem.content.exhibit!.body[language] = ' ';
      expect(itemProblems(scamItem)).toEqual([`exhibit has no ${language} text`]);
    }
  });

  it('serves an assessment by the plan, half of safety spot-the-scam', () => {
    const rows = SEED_BANK.map((i) => ({ ...i, id: `${i.key}@1`, version: 1, review_status: 'approved', review_note: null, retired_at: null }) as ItemRow);
    const picked = pickItems(rows);
    for (const area of AREAS) expect(picked.filter((i) => i.area === area).length).toBe(ASSESSMENT_PLAN[area]);
    expect(picked.filter((i) => i.type === 'spot-the-scam').length).toBe(ASSESSMENT_PLAN.safety / 2);
    expect(new Set(picked.map((i) => i.id)).size).toBe(picked.length);
  });
});

describe('credit for one answer (hand-worked)', () => {
  it('multiple choice: (right picks − wrong picks) / right options, never below zero', () => {
    const item = multiple('safety');
    const credit = (choices: number[]) => creditFor(item, { itemId: item.id, choices });
    expect(credit([0, 2, 4])).toBe(1);
    expect(credit([0, 2])).toBeCloseTo(2 / 3, 12);
    expect(credit([0, 1, 2, 4])).toBeCloseTo(2 / 3, 12);
    expect(credit([0, 1, 2, 3, 4])).toBeCloseTo(1 / 3, 12);
    expect(credit([1, 3])).toBe(0);
    expect(credit([])).toBe(0);
  });

  it("ordering: Kendall's tau against the right order, never below zero", () => {
    const item = ordering('safety');
    const credit = (order: number[]) => creditFor(item, { itemId: item.id, order });
    expect(credit([1, 3, 0, 2])).toBe(1);
    // [3,1,0,2]: one of six pairs swapped -> (5 - 1) / 6.
    expect(credit([3, 1, 0, 2])).toBeCloseTo(4 / 6, 12);
    // [1,0,3,2]: pairs (1,0) ok, (1,3) ok, (1,2) ok, (0,3) swapped, (0,2) ok, (3,2) ok... 3 before 0 in the solution -> swapped; (3,2) ok.
    expect(credit([1, 0, 3, 2])).toBeCloseTo(4 / 6, 12);
    expect(credit([2, 0, 3, 1])).toBe(0);
  });

  it('refuses answers that do not fit the item with stable codes', () => {
    const s = single('information');
    expect(codeOf(() => creditFor(s, { itemId: s.id, choice: 4 }))).toBe('422 LITERACY_CHOICE_OUT_OF_RANGE');
    expect(codeOf(() => creditFor(s, { itemId: s.id, choice: -1 }))).toBe('422 LITERACY_CHOICE_OUT_OF_RANGE');
    expect(codeOf(() => creditFor(s, { itemId: s.id, choices: [0] }))).toBe('422 LITERACY_ANSWER_TYPE');
    expect(codeOf(() => creditFor(s, { itemId: s.id, choice: 0, verdict: 'scam' }))).toBe('422 LITERACY_ANSWER_TYPE');
    const m = multiple('safety');
    expect(codeOf(() => creditFor(m, { itemId: m.id, choices: [0, 0] }))).toBe('422 LITERACY_CHOICE_REPEATED');
    expect(codeOf(() => creditFor(m, { itemId: m.id, choices: [5] }))).toBe('422 LITERACY_CHOICE_OUT_OF_RANGE');
    const o = ordering('safety');
    expect(codeOf(() => creditFor(o, { itemId: o.id, order: [0, 1, 2] }))).toBe('422 LITERACY_ORDER_INVALID');
    expect(codeOf(() => creditFor(o, { itemId: o.id, order: [0, 1, 2, 2] }))).toBe('422 LITERACY_ORDER_INVALID');
    const sc = scam('scam');
    expect(codeOf(() => creditFor(sc, { itemId: sc.id, verdict: 'maybe' as 'scam' }))).toBe('422 LITERACY_ANSWER_TYPE');
  });

  it('gives credit in [0, 1] or a 4xx for generated answers (seeded generator)', () => {
    const items = [single('information'), multiple('safety'), ordering('safety'), scam('genuine')];
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const maybe = <T>(make: () => T): T | undefined => (rand(2) ? make() : undefined);
    const ints = (max: number) => Array.from({ length: rand(6) }, () => rand(max + 2) - 1);
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const item = items[rand(items.length)];
      const answer = { itemId: item.id, choice: maybe(() => rand(12) - 3), choices: maybe(() => ints(6)), order: maybe(() => ints(4)), verdict: maybe(() => ['scam', 'genuine', 'x'][rand(3)]) } as Answer;
      try {
        const c = creditFor(item, answer);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(c).toBeLessThanOrEqual(1);
      } catch (err) {
        expect(err instanceof AppError && HTTP_STATUS_OF_KIND[err.kind] === 422, String(err)).toBe(true);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(2000);
  });
});

describe('scoring a whole assessment (hand-worked)', () => {
  it('per area shares and levels, the weighted score, the EU all-basic rule and scam resistance', () => {
    const info1 = single('information', 0);
    const info2 = single('information', 1);
    const comm = single('communication', 2);
    const content = multiple('content_creation');
    const scam1 = scam('scam');
    const scam2 = scam('genuine');
    const order = ordering('safety');
    const problem = single('problem_solving', 3);
    const answers: Answer[] = [
      { itemId: info1.id, choice: 0 }, // right
      { itemId: info2.id, choice: 0 }, // wrong
      { itemId: comm.id, choice: 2 }, // right
      { itemId: content.id, choices: [0, 2] }, // 2/3
      { itemId: scam1.id, verdict: 'scam' }, // right
      { itemId: scam2.id, verdict: 'scam' }, // wrong
      { itemId: order.id, order: [3, 1, 0, 2] }, // 2/3
      // the problem-solving item is left unanswered: 0
    ];
    const result = scoreAssessment([info1, info2, comm, content, scam1, scam2, order, problem], new Map(answers.map((a) => [a.itemId, a])));
    const area = (name: string) => result.areas.find((a) => a.area === name)!;
    expect(area('information')).toMatchObject({ items: 2, credit: 1, share: 0.5, level: 'foundation' });
    expect(area('communication')).toMatchObject({ items: 1, share: 1, level: 'advanced' });
    expect(area('content_creation').share).toBeCloseTo(2 / 3, 12);
    expect(area('content_creation').level).toBe('intermediate');
    expect(area('safety').share).toBeCloseTo((1 + 0 + 2 / 3) / 3, 12);
    expect(area('safety').level).toBe('foundation');
    expect(area('problem_solving')).toMatchObject({ items: 1, share: 0, level: 'below-foundation' });
    // 100 × (0.175·0.5 + 0.175·1 + 0.15·2/3 + 0.3·5/9 + 0.2·0) = 52.91666…
    expect(result.score).toBeCloseTo(52.916667, 5);
    expect(result.allBasic).toBe(false);
    expect(result.scamResistance).toBe(0.5);
    expect(result.scamItems).toBe(2);
    // Wilson 95% for 1 of 2: (0.0945, 0.9055), the published value.
    expect(area('information').interval.low).toBeCloseTo(0.0945, 4);
    expect(area('information').interval.high).toBeCloseTo(0.9055, 4);
    expect(area('information').interval.levelLow).toBe('below-foundation');
    expect(area('information').interval.levelHigh).toBe('advanced');
  });

  it('all basic when every area reaches the foundation share', () => {
    const items = AREAS.map((a) => single(a, 0));
    const all = scoreAssessment(items, new Map(items.map((i) => [i.id, { itemId: i.id, choice: 0 }])));
    expect(all.allBasic).toBe(true);
    expect(all.score).toBeCloseTo(100, 10);
  });
});

describe('levels and intervals', () => {
  it('maps shares to levels at 0.4, 0.6 and 0.85', () => {
    expect([0, 0.39, 0.4, 0.59, 0.6, 0.84, 0.85, 1].map(levelOf)).toEqual([
      'below-foundation',
      'below-foundation',
      'foundation',
      'foundation',
      'intermediate',
      'intermediate',
      'advanced',
      'advanced',
    ]);
  });

  it('Wilson interval matches published values', () => {
    const [lo, hi] = wilsonInterval(8, 10);
    expect(lo).toBeCloseTo(0.4902, 4);
    expect(hi).toBeCloseTo(0.9433, 4);
    const [lo0, hi0] = wilsonInterval(0, 10);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(0.2775, 4);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });
});
