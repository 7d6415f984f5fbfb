import type { ItemRow } from './bank.repository.js';
import type { ItemContent, Language } from './items.js';
import type { AssessmentService } from './assessment.service.js';
import type { VolunteersService } from './volunteers.service.js';

/** The only output shapes of the literacy routes; a solution never leaves through a served item. */

export function presentServedItem(row: ItemRow, language: Language) {
  const content = row.content as ItemContent;
  return {
    id: row.id,
    area: row.area,
    type: row.type,
    difficulty: row.difficulty,
    prompt: content.prompt[language],
    ...(content.options ? { options: content.options.map((o) => o[language]) } : {}),
    ...(content.exhibit ? { exhibit: { channel: content.exhibit.channel, from: content.exhibit.from, body: content.exhibit.body[language] } } : {}),
  };
}

export function presentItemForOperator(row: ItemRow) {
  return {
    id: row.id,
    key: row.key,
    version: row.version,
    area: row.area,
    type: row.type,
    difficulty: row.difficulty,
    content: row.content,
    solution: row.solution,
    reviewStatus: row.review_status,
    reviewNote: row.review_note,
    retiredAt: row.retired_at ? new Date(row.retired_at).toISOString() : null,
  };
}

type CenterRow = {
  id: string;
  name: string;
  region: string;
  address: string;
  latitude: number;
  longitude: number;
  schedule: string;
  capacity: number;
  accessibility: string[];
  languages: string[];
  distance_km?: number | null;
};

export function presentCenter(row: CenterRow) {
  return {
    id: row.id,
    name: row.name,
    region: row.region,
    address: row.address,
    latitude: row.latitude,
    longitude: row.longitude,
    schedule: row.schedule,
    capacity: row.capacity,
    accessibility: row.accessibility,
    languages: row.languages,
    ...(row.distance_km !== undefined && row.distance_km !== null ? { distanceKm: Math.round(Number(row.distance_km) * 10) / 10 } : {}),
  };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function presentResult(report: Awaited<ReturnType<AssessmentService['result']>>) {
  const { scored } = report;
  return {
    assessmentId: report.assessment.id,
    bankVersion: report.assessment.version,
    language: report.language,
    score: Math.round(scored.score * 10) / 10,
    allBasic: scored.allBasic,
    scamResistance: Math.round(scored.scamResistance * 1000) / 10,
    areas: scored.areas.map((a) => ({
      area: a.area,
      items: a.items,
      share: r3(a.share),
      level: a.level,
      interval: { low: r3(a.interval.low), high: r3(a.interval.high), levelLow: a.interval.levelLow, levelHigh: a.interval.levelHigh },
    })),
    nextSteps: report.nextSteps,
    nearestCenter: report.nearestCenter ? presentCenter(report.nearestCenter) : null,
    explanations: report.explanations,
  };
}

export function presentVolunteer(state: Awaited<ReturnType<VolunteersService['status']>>) {
  const v = state.volunteer;
  return {
    id: v.id,
    name: v.display_name,
    region: v.region,
    languages: v.languages,
    appliedAt: new Date(v.applied_at).toISOString(),
    modules: state.modules.map((m) => ({ module: m.module, completedAt: m.completedAt ? new Date(m.completedAt).toISOString() : null })),
    remainingModules: state.remainingModules,
    passingAssessment: state.passingResult
      ? { assessmentId: state.passingResult.assessment_id, score: Math.round(state.passingResult.score * 10) / 10, safety: r3(state.passingResult.safety) }
      : null,
    trained: state.certificate !== null,
    certificateId: state.certificate?.id ?? null,
  };
}

export function presentStatistic(row: {
  id: string;
  key: string;
  area: string;
  type: string;
  difficulty: number;
  retired_at: Date | null;
  responses: string;
  p_value: number | null;
  point_biserial: number | null;
}) {
  const responses = Number(row.responses);
  const p = row.p_value === null ? null : r3(Number(row.p_value));
  const rpb = row.point_biserial === null ? null : r3(Number(row.point_biserial));
  // Thresholds after common classical test theory practice: p outside 0.1-0.95, r_pb below 0.2.
  const flag =
    responses < 30 ? 'too-few-responses' : p !== null && p > 0.95 ? 'too-easy' : p !== null && p < 0.1 ? 'too-hard' : rpb === null || rpb < 0.2 ? 'weak-discrimination' : 'ok';
  return {
    itemId: row.id,
    key: row.key,
    area: row.area,
    type: row.type,
    difficulty: row.difficulty,
    retired: row.retired_at !== null,
    responses,
    pValue: p,
    pointBiserial: rpb,
    flag: flag as 'ok' | 'too-easy' | 'too-hard' | 'weak-discrimination' | 'too-few-responses',
  };
}
