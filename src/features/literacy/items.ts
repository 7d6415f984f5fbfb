/**
 * The question bank's vocabulary: DigComp 2.2's five competence areas, the item types, and
 * what an item and an answer look like. Pure data and checks; no SQL, no HTTP.
 */
export const AREAS = ['information', 'communication', 'content_creation', 'safety', 'problem_solving'] as const;
export type Area = (typeof AREAS)[number];

export const LANGUAGES = ['kk', 'ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const ITEM_TYPES = ['single', 'multiple', 'ordering', 'spot-the-scam'] as const;
export type ItemType = (typeof ITEM_TYPES)[number];

// Shared with the fraud feature's reports (the index is joined with fraud statistics by age group).
export { AGE_GROUPS, type AgeGroup } from '../../identifiers/age-groups.js';

export const SEXES = ['female', 'male'] as const;
export type Sex = (typeof SEXES)[number];

/** The same words in Kazakh, Russian and English; an item missing one is refused. */
export interface Text {
  kk: string;
  ru: string;
  en: string;
}

/** What a spot-the-scam item shows: a message or a page as the person would meet it. */
export interface Exhibit {
  channel: 'sms' | 'call' | 'messenger' | 'page' | 'email';
  /** Sender number, caller, chat name, or the address bar of a page. */
  from: string;
  body: Text;
}

export interface ItemContent {
  prompt: Text;
  /** Choices (single, multiple) or steps shown shuffled (ordering). */
  options?: Text[];
  exhibit?: Exhibit;
}

export type Solution =
  | { type: 'single'; correct: number; explanation: Text }
  | { type: 'multiple'; correct: number[]; explanation: Text }
  | { type: 'ordering'; order: number[]; explanation: Text }
  | { type: 'spot-the-scam'; verdict: 'scam' | 'genuine'; explanation: Text };

export interface ItemDefinition {
  key: string;
  area: Area;
  type: ItemType;
  /** 1 easy, 2 medium, 3 hard: the author's judgement, checked later against the p-value. */
  difficulty: 1 | 2 | 3;
  content: ItemContent;
  solution: Solution;
}

/** One answer as a person sends it; which field is used depends on the item's type. */
export interface Answer {
  itemId: string;
  choice?: number;
  choices?: number[];
  order?: number[];
  verdict?: 'scam' | 'genuine';
}

/** A problem with an item definition, in words an operator can act on. */
export function itemProblems(item: ItemDefinition): string[] {
  const problems: string[] = [];
  const texts: [string, Text | undefined][] = [['prompt', item.content.prompt], ['explanation', item.solution.explanation]];
  (item.content.options ?? []).forEach((o, i) => texts.push([`option ${i}`, o]));
  if (item.content.exhibit) texts.push(['exhibit', item.content.exhibit.body]);
  for (const [where, text] of texts) {
    for (const language of LANGUAGES) {
      if (!text || typeof text[language] !== 'string' || text[language].trim() === '') problems.push(`${where} has no ${language} text`);
    }
  }
  if (!(AREAS as readonly string[]).includes(item.area)) problems.push(`area ${item.area} is not one of ${AREAS.join(', ')}`);
  if (!(ITEM_TYPES as readonly string[]).includes(item.type)) problems.push(`type ${item.type} is not one of ${ITEM_TYPES.join(', ')}`);
  if (item.solution.type !== item.type) problems.push(`the solution is for a ${item.solution.type} item, the item is ${item.type}`);
  const n = item.content.options?.length ?? 0;
  const inRange = (i: number) => Number.isInteger(i) && i >= 0 && i < n;
  switch (item.solution.type) {
    case 'single':
      if (n < 2) problems.push('a single-choice item needs at least two options');
      if (!inRange(item.solution.correct)) problems.push('the correct option is not one of the options');
      break;
    case 'multiple':
      if (n < 3) problems.push('a multiple-choice item needs at least three options');
      if (!Array.isArray(item.solution.correct) || item.solution.correct.length < 1 || !item.solution.correct.every(inRange) || new Set(item.solution.correct).size !== item.solution.correct.length) {
        problems.push('the correct options must be distinct options of the item');
      }
      break;
    case 'ordering':
      if (n < 3) problems.push('an ordering item needs at least three steps');
      if (!isPermutation(item.solution.order, n)) problems.push('the solution order must name every step once');
      break;
    case 'spot-the-scam':
      if (!item.content.exhibit) problems.push('a spot-the-scam item shows a message or a page (exhibit)');
      if (item.solution.verdict !== 'scam' && item.solution.verdict !== 'genuine') problems.push('the verdict is "scam" or "genuine"');
      break;
  }
  return problems;
}

export function isPermutation(order: unknown, n: number): order is number[] {
  return Array.isArray(order) && order.length === n && new Set(order).size === n && order.every((i) => Number.isInteger(i) && i >= 0 && i < n);
}
