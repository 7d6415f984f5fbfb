import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import { unrevokedEmployeeCertificatesAt } from '../ca/index.js';
import { EmploymentsRepository } from './employments.repository.js';
import { UsageRepository } from './usage.repository.js';
import type { AlertRule } from './usage.tables.js';

type Executor = Kysely<DB> | Transaction<DB>;

/** One batch of usage events, already inserted, as parallel columns (ids are the events' ids). */
export interface EventBatch {
  ids: string[];
  occurredAt: Date[];
  serials: string[];
  issuers: string[];
  /** Pseudonyms as hex, or null. */
  persons: (string | null)[];
  bins: (string | null)[];
  /** The holder's IIN in the clear, only in memory, to match the organization's employment records. */
  iins: (string | null)[];
  devices: (string | null)[];
  networks: (string | null)[];
  signedAt: (Date | null)[];
  revokedAt: (Date | null)[];
  purposes: string[];
}

/** What a rule found: the alert it raises (or adds evidence to, by its dedupe key). */
export interface AlertCandidate {
  rule: AlertRule;
  dedupeKey: string;
  organizationBin: string | null;
  personHash: string | null;
  serial: string | null;
  issuer: string | null;
  eventIds: string[];
  score: number | null;
  details: Record<string, unknown>;
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * Rules 1 and 4: the organization's employment records at the time of use and at the
 * signing time (from the time stamp when the signature has one). One set-based query for
 * the batch; the IINs travel as a query parameter and are never stored here.
 */
export async function departureRules(db: Executor, batch: EventBatch): Promise<AlertCandidate[]> {
  const index: number[] = [];
  batch.ids.forEach((_, i) => {
    if ((batch.bins[i] && batch.iins[i]) || batch.revokedAt[i]) index.push(i);
  });
  if (index.length === 0) return [];
  const withHolder = index.filter((i) => batch.bins[i] && batch.iins[i]);
  const departures = await new EmploymentsRepository(db).departuresAt(
    withHolder.map((i) => ({ id: batch.ids[i], bin: batch.bins[i]!, iin: batch.iins[i]!, at: batch.occurredAt[i], signedAt: batch.signedAt[i] })),
  );
  const ended = new Map(departures.map((d) => [d.id, d]));
  const found: AlertCandidate[] = [];
  for (const i of index) {
    const id = batch.ids[i];
    const e = ended.get(id);
    const revokedAt = batch.revokedAt[i] && batch.revokedAt[i]! <= batch.occurredAt[i] ? batch.revokedAt[i] : null;
    const base = { organizationBin: batch.bins[i], personHash: batch.persons[i], serial: batch.serials[i], issuer: batch.issuers[i], eventIds: [id], score: null };
    if (e?.endedAtUse || revokedAt) {
      found.push({
        ...base,
        rule: 'used-after-departure',
        dedupeKey: `used-after-departure:${batch.issuers[i]}:${batch.serials[i]}`,
        details: { employmentEndedAt: iso(e?.endedAtUse ?? null), revokedAt: iso(revokedAt), firstUseAt: batch.occurredAt[i].toISOString(), purpose: batch.purposes[i] },
      });
    }
    if (e?.endedAtSigning && batch.signedAt[i]) {
      found.push({
        ...base,
        rule: 'signed-after-departure',
        dedupeKey: `signed-after-departure:${batch.issuers[i]}:${batch.serials[i]}`,
        details: { employmentEndedAt: iso(e.endedAtSigning), signedAt: iso(batch.signedAt[i]) },
      });
    }
  }
  return found;
}

/**
 * Rule 2: the same certificate used from two devices, or from two networks, within the
 * window. The batch is already stored, so pairs inside one batch are found too.
 */
export async function twoDevicesRule(db: Executor, batch: EventBatch, windowMinutes: number): Promise<AlertCandidate[]> {
  if (batch.ids.length === 0 || windowMinutes <= 0) return [];
  const rows = await new UsageRepository(db).otherDevicesWithin(
    batch.ids.map((id, i) => ({ id, serial: batch.serials[i], issuer: batch.issuers[i], at: batch.occurredAt[i], device: batch.devices[i], network: batch.networks[i] })),
    windowMinutes,
  );
  const position = new Map(batch.ids.map((id, i) => [id, i]));
  return rows.map((r) => {
    const i = position.get(r.id)!;
    return {
      rule: 'two-devices' as const,
      dedupeKey: `two-devices:${batch.issuers[i]}:${batch.serials[i]}:${day(batch.occurredAt[i])}`,
      organizationBin: batch.bins[i],
      personHash: batch.persons[i],
      serial: batch.serials[i],
      issuer: batch.issuers[i],
      eventIds: [r.id, ...r.others],
      score: null,
      details: { windowMinutes },
    };
  });
}

/** Kazakhstan keeps one time zone, UTC+5, since 1 March 2024. */
const LOCAL_OFFSET_HOURS = 5;
export const localHour = (at: Date) => (at.getUTCHours() + LOCAL_OFFSET_HOURS) % 24;
/** Below this many earlier uses a holder has no habits to depart from. */
export const UNUSUAL_HOURS_MIN_HISTORY = 20;
/** Scores at or above this raise an alert (the score is kept; nothing is blocked). */
export const UNUSUAL_HOURS_ALERT_SCORE = 0.9;

/**
 * Rule 5: how unusual the hour of a use is for its holder, from their earlier uses per local
 * hour: 1 - (share of uses within an hour of it) / (that share if uses were spread evenly),
 * floored at 0. The batch's own uses join the profile afterwards (addToHourProfiles).
 */
export async function unusualHoursRule(db: Executor, batch: EventBatch): Promise<{ found: AlertCandidate[]; uses: HourUses }> {
  if (batch.ids.length === 0) return { found: [], uses: { keys: [], hours: [] } };
  const keys = batch.ids.map((_, i) => batch.persons[i] ?? `${batch.issuers[i]}/${batch.serials[i]}`);
  const hours = batch.occurredAt.map(localHour);
  const pairs = new Map<string, { key: string; hour: number }>();
  keys.forEach((key, i) => pairs.set(`${key}|${hours[i]}`, { key, hour: hours[i] }));
  const list = [...pairs.values()];
  const profile = await new UsageRepository(db).hourProfiles(list);
  const scores = new Map(profile.map((r) => [`${r.key}|${r.hour}`, r.total >= UNUSUAL_HOURS_MIN_HISTORY ? Math.max(0, 1 - (r.near / r.total) / (3 / 24)) : 0]));
  const found: AlertCandidate[] = [];
  batch.ids.forEach((id, i) => {
    const score = scores.get(`${keys[i]}|${hours[i]}`) ?? 0;
    if (score < UNUSUAL_HOURS_ALERT_SCORE) return;
    found.push({
      rule: 'unusual-hours',
      dedupeKey: `unusual-hours:${keys[i]}:${day(batch.occurredAt[i])}`,
      organizationBin: batch.bins[i],
      personHash: batch.persons[i],
      serial: batch.serials[i],
      issuer: batch.issuers[i],
      eventIds: [id],
      score: Math.round(score * 1000) / 1000,
      details: { localHour: hours[i] },
    });
  });
  return { found, uses: { keys, hours } };
}

/** Uses per holder and local hour, to be added to the profiles. */
export interface HourUses {
  keys: string[];
  hours: number[];
}

/**
 * Adds a batch's uses to the hour profiles. Run after the batch commits, on its own: the
 * profile rows of busy holders are shared by concurrent batches, and holding their locks for
 * a whole batch transaction would serialize ingest. A profile is a statistic; an increment
 * lost to a crash between the two statements changes a score by one use in thousands.
 */
export async function addToHourProfiles(usage: UsageRepository, uses: HourUses): Promise<void> {
  if (uses.keys.length === 0) return;
  const perHolder = new Map<string, number[]>();
  uses.keys.forEach((key, i) => {
    let counts = perHolder.get(key);
    if (!counts) perHolder.set(key, (counts = new Array<number>(24).fill(0)));
    counts[uses.hours[i]]++;
  });
  const keys = [...perHolder.keys()].sort();
  const counts = keys.flatMap((k) => perHolder.get(k)!);
  const totals = keys.map((k) => perHolder.get(k)!.reduce((a, b) => a + b, 0));
  await usage.addToHourProfiles(keys, counts, totals);
}

/** Alerts found in one batch, merged by dedupe key (one row may be written once per statement). */
export function mergeCandidates(candidates: AlertCandidate[]): AlertCandidate[] {
  const merged = new Map<string, AlertCandidate>();
  for (const c of candidates) {
    const seen = merged.get(c.dedupeKey);
    if (!seen) merged.set(c.dedupeKey, { ...c, eventIds: [...c.eventIds] });
    else {
      for (const id of c.eventIds) if (!seen.eventIds.includes(id)) seen.eventIds.push(id);
      if (c.score !== null && (seen.score === null || c.score > seen.score)) seen.score = c.score;
    }
  }
  return [...merged.values()];
}

/**
 * Rule 3, the periodic compliance check: certificates of an organization's ended employees
 * (not employed there again) still unrevoked `graceHours` after the end. One query finds them
 * all; the IINs leave it only to be pseudonymized. pki's certificates come through pki's
 * exported subquery, never its table.
 */
export async function unrevokedAfterDepartureRule(db: Executor, now: Date, graceHours: number): Promise<{ bin: string; iin: string; endedAt: Date; serials: string[]; issuers: string[] }[]> {
  return new EmploymentsRepository(db).departedWithUnrevoked(now, graceHours, unrevokedEmployeeCertificatesAt(now));
}
