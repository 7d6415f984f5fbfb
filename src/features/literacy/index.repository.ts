import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';

/** One row of the index computation: a cell, or a group of cells, with its weighted estimates. */
export interface IndexRow {
  level: 'cell' | 'region-age' | 'region' | 'age-group' | 'sex' | 'national';
  region: string | null;
  age_group: string | null;
  sex: string | null;
  /** Results in the group. */
  n: number;
  /** Strata (cells) with results, and those with at least two (the ones weighted). */
  strata: number;
  /** Population of the weighted strata, and of the whole group (every stratum of the population table). */
  covered_population: number;
  population: number;
  basic: number | null;
  basic_var: number | null;
  score: number | null;
  score_var: number | null;
  scam: number | null;
  scam_var: number | null;
}

/**
 * The index over one period in a single statement: results are reduced to strata (region × age
 * group × sex) in one pass, then each grouping is post-stratified: a group's estimate is
 * Σ W_h·ȳ_h with W_h the stratum's share of the group's population, and its variance
 * Σ W_h²·s_h²/n_h (s_h² the stratum's sample variance; for a 0/1 outcome p(1−p)·n/(n−1)).
 * Strata with fewer than two results carry no variance estimate and are left out of the
 * weighting; the share of the group's population they leave uncovered is reported as coverage.
 * Every cell of the population table appears, with n = 0 where there are no results.
 */
export async function computeIndexRows(db: Kysely<DB>, period: string): Promise<IndexRow[]> {
  const result = await sql<IndexRow>`
    with strata as (
      select region, age_group, sex,
             count(*)::float8 as n,
             avg(all_basic::int)::float8 as p_basic,
             avg(score)::float8 as m_score,
             coalesce(var_samp(score), 0)::float8 as v_score,
             avg(scam_resistance)::float8 as m_scam,
             coalesce(var_samp(scam_resistance), 0)::float8 as v_scam
      from literacy_results
      where period = ${period}
      group by region, age_group, sex
    ),
    weighted as (
      select p.region, p.age_group, p.sex, s.n, s.p_basic, s.m_score, s.v_score, s.m_scam, s.v_scam,
             p.population::float8 as pop, coalesce(s.n >= 2, false) as usable
      from literacy_population p
      left join strata s using (region, age_group, sex)
    )
    select
      case
        when grouping(region, age_group, sex) = 0 then 'cell'
        when grouping(region, age_group) = 0 then 'region-age'
        when grouping(region) = 0 then 'region'
        when grouping(age_group) = 0 then 'age-group'
        when grouping(sex) = 0 then 'sex'
        else 'national'
      end as level,
      region, age_group, sex,
      coalesce(sum(n), 0)::int as n,
      count(n)::int as strata,
      coalesce(sum(pop) filter (where usable), 0)::float8 as covered_population,
      sum(pop)::float8 as population,
      (sum(pop * p_basic) filter (where usable) / nullif(sum(pop) filter (where usable), 0))::float8 as basic,
      (sum(pop * pop * p_basic * (1 - p_basic) / (n - 1)) filter (where usable) / nullif(sum(pop) filter (where usable), 0) ^ 2)::float8 as basic_var,
      (sum(pop * m_score) filter (where usable) / nullif(sum(pop) filter (where usable), 0))::float8 as score,
      (sum(pop * pop * v_score / n) filter (where usable) / nullif(sum(pop) filter (where usable), 0) ^ 2)::float8 as score_var,
      (sum(pop * m_scam) filter (where usable) / nullif(sum(pop) filter (where usable), 0))::float8 as scam,
      (sum(pop * pop * v_scam / n) filter (where usable) / nullif(sum(pop) filter (where usable), 0) ^ 2)::float8 as scam_var
    from weighted
    group by grouping sets ((region, age_group, sex), (region, age_group), (region), (age_group), (sex), ())
  `.execute(db);
  return result.rows;
}

/** Periods that have results, newest first. */
export async function periodsWithResults(db: Kysely<DB>): Promise<{ period: string; n: number }[]> {
  return db
    .selectFrom('literacy_results')
    .select(['period', sql<number>`count(*)::int`.as('n')])
    .groupBy('period')
    .orderBy('period', 'desc')
    .execute();
}

export function populationTable(db: Kysely<DB>) {
  return db.selectFrom('literacy_population').select(['region', 'age_group', 'sex', 'population', 'source']).orderBy('region').orderBy('age_group').orderBy('sex').execute();
}

/** Replaces the whole population table in one transaction: the index never sees half of an old and half of a new table. */
export async function replacePopulation(db: Kysely<DB>, rows: { region: string; age_group: string; sex: string; population: number }[], source: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('literacy_population').execute();
    await trx
      .insertInto('literacy_population')
      .values(rows.map((r) => ({ ...r, source })))
      .execute();
  });
}
