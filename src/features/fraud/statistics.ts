import { sql } from 'kysely';
import type { Database } from '../../db/database.js';

/** Public aggregates suppress cells of fewer reports than this (a small cell could point at a person). */
export const MINIMUM_CELL = 5;

const KEYS = {
  month: sql`to_char(date_trunc('month', occurred_at at time zone 'Asia/Almaty'), 'YYYY-MM')`,
  region: sql`region`,
  channel: sql`channel`,
  scheme: sql`scheme`,
} as const;

/** Reports and losses by month, region, channel or scheme, and the share solved; no personal data. */
export async function fraudStatistics(database: Database, by: keyof typeof KEYS, from?: string, to?: string) {
  const range = sql`${from ? sql`and occurred_at >= ${from}::date` : sql``} ${to ? sql`and occurred_at < (${to}::date + 1)` : sql``}`;
  const rows = await sql<{ key: string; reports: number; loss: string; solved: number }>`
    select ${KEYS[by]} as key, count(*)::int as reports, sum(loss_kzt) as loss, count(*) filter (where status = 'solved')::int as solved
      from fraud_reports where true ${range}
     group by 1 order by 1`.execute(database.db);
  const cells = rows.rows.map((r) => {
    const suppressed = r.reports < MINIMUM_CELL;
    return {
      key: r.key,
      reports: suppressed ? null : r.reports,
      lossKzt: suppressed ? null : Number(r.loss),
      solvedShare: suppressed ? null : Math.round((r.solved / r.reports) * 1000) / 1000,
      suppressed,
    };
  });
  const reports = rows.rows.reduce((s, r) => s + r.reports, 0);
  const solved = rows.rows.reduce((s, r) => s + r.solved, 0);
  const loss = rows.rows.reduce((s, r) => s + Number(r.loss), 0);
  const small = reports < MINIMUM_CELL;
  return {
    by,
    minimumCell: MINIMUM_CELL,
    rows: cells,
    total: { reports: small ? null : reports, lossKzt: small ? null : loss, solvedShare: small || reports === 0 ? null : Math.round((solved / reports) * 1000) / 1000 },
  };
}

/**
 * Reports and losses of a calendar quarter ("2026-Q4", by when the fraud happened, in UTC as the
 * literacy index counts its quarters) by the victim's region and age group, for the join with
 * the digital literacy index. Only reports that say the age group count; cells of fewer than
 * MINIMUM_CELL reports are left out, as in the public statistics (the join then shows no figure).
 */
export async function fraudByRegionAgeGroup(database: Database, period: string) {
  const match = /^(\d{4})-Q([1-4])$/.exec(period);
  if (!match) return [];
  const start = new Date(Date.UTC(Number(match[1]), (Number(match[2]) - 1) * 3, 1));
  const end = new Date(Date.UTC(Number(match[1]), Number(match[2]) * 3, 1));
  const rows = await sql<{ region: string; age_group: string; reports: number; loss: string }>`
    select region, victim_age_group as age_group, count(*)::int as reports, sum(loss_kzt) as loss
      from fraud_reports
     where victim_age_group is not null and occurred_at >= ${start.toISOString()}::timestamptz and occurred_at < ${end.toISOString()}::timestamptz
     group by 1, 2
    having count(*) >= ${MINIMUM_CELL}`.execute(database.db);
  return rows.rows.map((r) => ({ region: r.region, ageGroup: r.age_group, reports: r.reports, lossesKzt: Number(r.loss) }));
}
