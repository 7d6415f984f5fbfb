import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import { computeIndexRows, type IndexRow } from './index.repository.js';
import { wilsonInterval } from './scoring.js';

const Z95 = 1.959963984540054;

/** A published figure: an estimate with its 95% interval, on a 0-100 scale. */
export interface Figure {
  estimate: number;
  low: number;
  high: number;
}

export interface IndexEntry {
  level: IndexRow['level'];
  region: string | null;
  ageGroup: string | null;
  sex: string | null;
  n: number;
  /** Share of the group's population in strata that were weighted (0-1). */
  coverage: number;
  suppressed: boolean;
  /** Share at least basic in all five areas (EU DSI rule), percent. */
  allBasic: Figure | null;
  /** Graded score 0-100 with the published area weights. */
  score: Figure | null;
  /** Scam resistance, percent of spot-the-scam items judged right. */
  scamResistance: Figure | null;
}

export const INDEX_LEVELS = ['cell', 'region-age', 'region', 'age-group', 'sex', 'national'] as const;
export type IndexLevel = (typeof INDEX_LEVELS)[number];

export interface FraudStat {
  region: string;
  ageGroup: string;
  /** Fraud reports in the period. */
  reports: number;
  /** Reported losses in tenge, when the fraud feature knows them. */
  lossesKzt?: number;
}

/**
 * Fraud statistics by region and age group, for the join with the index. Injected: literacy
 * does not read the fraud feature's tables. The default knows nothing.
 */
export type FraudStatsByRegionAge = (period: string) => Promise<FraudStat[]>;
export const noFraudStats: FraudStatsByRegionAge = async () => [];

const round = (x: number) => Math.round(x * 10) / 10;

function normalFigure(estimate: number | null, variance: number | null, scale: number): Figure | null {
  if (estimate === null || variance === null) return null;
  const half = Z95 * Math.sqrt(Math.max(variance, 0));
  return { estimate: round(estimate * scale), low: round(Math.max(0, estimate - half) * scale), high: round(Math.min(1, estimate + half) * scale) };
}

/**
 * Turns the SQL rows into published figures. A group below the minimum size is suppressed:
 * its sample size is shown, its estimates are not, so a cell of five people is never read as a
 * precise figure. A single cell's share uses the Wilson interval; groups of cells use the
 * post-stratified variance.
 */
export function presentIndexRow(row: IndexRow, minCellSize: number): IndexEntry {
  const suppressed = row.n < minCellSize || row.basic === null;
  const base = {
    level: row.level,
    region: row.region,
    ageGroup: row.age_group,
    sex: row.sex,
    n: row.n,
    coverage: row.population > 0 ? Math.round((row.covered_population / row.population) * 1000) / 1000 : 0,
    suppressed,
  };
  if (suppressed) return { ...base, allBasic: null, score: null, scamResistance: null };
  let allBasic: Figure | null;
  if (row.level === 'cell') {
    const [low, high] = wilsonInterval(row.basic! * row.n, row.n);
    allBasic = { estimate: round(row.basic! * 100), low: round(low * 100), high: round(high * 100) };
  } else {
    allBasic = normalFigure(row.basic, row.basic_var, 100);
  }
  const score = row.score === null || row.score_var === null ? null : normalFigure(row.score / 100, row.score_var / 10_000, 100);
  return { ...base, allBasic, score, scamResistance: normalFigure(row.scam, row.scam_var, 100) };
}

/** The index, its comparison across periods, and its join with fraud statistics. */
export class IndexService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly minCellSize: number,
    private readonly fraudStats: FraudStatsByRegionAge = noFraudStats,
  ) {}

  /** Every level of the index for a period, from one SQL statement. */
  async compute(period: string): Promise<IndexEntry[]> {
    const rows = await computeIndexRows(this.db, period);
    return rows.map((r) => presentIndexRow(r, this.minCellSize));
  }

  async level(period: string, level: IndexLevel): Promise<IndexEntry[]> {
    return (await this.compute(period)).filter((e) => e.level === level).sort(byKey);
  }

  /** Change between two periods per group: the difference and its 95% interval (independent samples). */
  async compare(from: string, to: string, level: IndexLevel) {
    if (from === to) throw AppError.badRequest('LITERACY_SAME_PERIOD', 'Compare two different periods');
    const [a, b] = await Promise.all([this.level(from, level), this.level(to, level)]);
    const key = (e: IndexEntry) => `${e.region}|${e.ageGroup}|${e.sex}`;
    const before = new Map(a.map((e) => [key(e), e]));
    const diff = (x: Figure | null, y: Figure | null): Figure | null => {
      if (!x || !y) return null;
      const se = Math.hypot((x.high - x.low) / (2 * Z95), (y.high - y.low) / (2 * Z95));
      const d = y.estimate - x.estimate;
      return { estimate: round(d), low: round(d - Z95 * se), high: round(d + Z95 * se) };
    };
    return b.map((after) => {
      const prior = before.get(key(after));
      return {
        region: after.region,
        ageGroup: after.ageGroup,
        sex: after.sex,
        from: prior ?? null,
        to: after,
        change: {
          allBasic: diff(prior?.allBasic ?? null, after.allBasic),
          score: diff(prior?.score ?? null, after.score),
          scamResistance: diff(prior?.scamResistance ?? null, after.scamResistance),
        },
      };
    });
  }

  /** The index by region and age group beside the fraud reports there, per 100,000 residents. */
  async withFraud(period: string) {
    const [entries, stats, population] = await Promise.all([
      this.level(period, 'region-age'),
      this.fraudStats(period),
      this.db
        .selectFrom('literacy_population')
        .select(['region', 'age_group'])
        .select((eb) => eb.fn.sum<string>('population').as('population'))
        .groupBy(['region', 'age_group'])
        .execute(),
    ]);
    const fraud = new Map(stats.map((s) => [`${s.region}|${s.ageGroup}`, s]));
    const index = new Map(entries.map((e) => [`${e.region}|${e.ageGroup}`, e]));
    return population
      .map((p) => {
        const key = `${p.region}|${p.age_group}`;
        const f = fraud.get(key);
        const pop = Number(p.population);
        return {
          region: p.region,
          ageGroup: p.age_group,
          population: pop,
          index: index.get(key) ?? null,
          fraudReports: f?.reports ?? null,
          fraudLossesKzt: f?.lossesKzt ?? null,
          fraudReportsPer100k: f && pop > 0 ? round((f.reports / pop) * 100_000) : null,
        };
      })
      .sort((x, y) => x.region.localeCompare(y.region) || x.ageGroup.localeCompare(y.ageGroup));
  }
}

function byKey(a: IndexEntry, b: IndexEntry): number {
  return `${a.region}|${a.ageGroup}|${a.sex}`.localeCompare(`${b.region}|${b.ageGroup}|${b.sex}`);
}
