import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { AppError } from '../../errors/app-error.js';
import type { Pseudonymizer } from '../../privacy/pseudonym.js';
import { normalizeIdentifier, type IdentifierInputType, type IndicatorKind } from './identifiers.js';
import { cardHasher } from './reports.service.js';

/** The most look-ups of one key answered by one statement. */
const MAX_BATCH = 256;

export type RiskLevel = 'none' | 'low' | 'medium' | 'high';

export function lossBand(kzt: number) {
  if (kzt <= 0) return 'none' as const;
  if (kzt < 100_000) return 'under_100k_kzt' as const;
  if (kzt < 1_000_000) return '100k_1m_kzt' as const;
  if (kzt < 10_000_000) return '1m_10m_kzt' as const;
  return 'over_10m_kzt' as const;
}

/**
 * The risk of an identifier from its reports: a legitimate (warning-listed) or cleared one is
 * none, as is an unreported one; an over-correlating one (everybody names it) is at most medium.
 */
export function riskLevel(f: { reports: number; lossKzt: number; warningListed: boolean; cleared: boolean; overCorrelating: boolean; lastSeen: Date | null }, now: Date): RiskLevel {
  if (f.warningListed || f.cleared || f.reports === 0) return 'none';
  const recent = f.lastSeen !== null && now.getTime() - f.lastSeen.getTime() < 180 * 86_400_000;
  let level: RiskLevel = f.reports >= 3 || (f.reports >= 2 && f.lossKzt >= 1_000_000) ? 'high' : f.reports >= 2 || f.lossKzt >= 500_000 ? 'medium' : 'low';
  if (level === 'high' && !recent) level = 'medium';
  if (f.overCorrelating && level === 'high') level = 'medium';
  return level;
}

interface IndicatorRow {
  id: string | null;
  kind: string;
  value: string;
  display: string | null;
  report_count: number | null;
  total_loss_kzt: string | null;
  first_seen: Date | null;
  last_seen: Date | null;
  over_correlating: boolean | null;
  cleared: boolean | null;
  owner: string | null;
  cluster_count: number | null;
  allowed: boolean;
}

type Normalized = ReturnType<Indicators['normalize']>;

interface Pending {
  identifier: Normalized;
  resolve: (answer: { row: IndicatorRow; now: Date }) => void;
  reject: (err: unknown) => void;
}

/**
 * Indicator look-up for banks and telecoms: what is known of a phone, card, account, site,
 * handle or wallet, never who reported it. Rate-limited per key and logged.
 */
export class Indicators {
  constructor(
    private readonly database: Database,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly perMinute: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  normalize(type: IdentifierInputType, raw: string) {
    const result = normalizeIdentifier(type, raw, { cardHash: cardHasher(this.pseudonymizer) });
    if (!result.ok) throw AppError.unprocessable(result.code, result.message);
    return result.identifier;
  }

  /** Look-ups of one key waiting for the statement in flight to finish, by key. */
  private readonly waiting = new Map<string, Pending[]>();

  /**
   * Look-ups of one key are answered in batches: while one statement of the key is in flight,
   * the look-ups arriving meanwhile wait and go together in the next. One statement per batch
   * counts the batch against the key's minute (one counter row, updated once per batch instead
   * of once per look-up: concurrent look-ups of one key no longer queue on its lock), logs every
   * answered look-up and reads the indicators; a 200 leaves only after that statement committed.
   * An idle key's look-up goes at once, as a batch of one.
   */
  async lookup(keyId: string, type: IdentifierInputType, raw: string) {
    const identifier = this.normalize(type, raw);
    const { row, now } = await new Promise<{ row: IndicatorRow; now: Date }>((resolve, reject) => {
      const queue = this.waiting.get(keyId);
      if (queue) queue.push({ identifier, resolve, reject });
      else {
        this.waiting.set(keyId, [{ identifier, resolve, reject }]);
        void this.drain(keyId);
      }
    });
    if (!row.allowed) {
      throw new AppError('rate_limited', 'FRAUD_LOOKUP_RATE_LIMITED', `This key made more than ${this.perMinute} look-ups this minute: wait for the next minute, or use the bulk export`, { retryAfterSeconds: 60 - now.getUTCSeconds() });
    }
    return this.answer(identifier, row, now);
  }

  /** Answers the key's waiting look-ups, batch after batch, until none wait. */
  private async drain(keyId: string): Promise<void> {
    const queue = this.waiting.get(keyId)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      const now = this.clock();
      try {
        const rows = await this.lookupBatch(keyId, batch.map((p) => p.identifier), now);
        batch.forEach((p, i) => p.resolve({ row: rows[i], now }));
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.waiting.delete(keyId);
  }

  /**
   * One statement for a batch of one key's look-ups: adds the batch to the key's counter for the
   * minute; the first (limit - count before) look-ups are answered, logged and read, the rest refused.
   * The counter counts every look-up asked, the log every one answered: with nothing refused they agree.
   */
  private async lookupBatch(keyId: string, identifiers: Normalized[], now: Date): Promise<IndicatorRow[]> {
    const window = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    const n = identifiers.length;
    const ords = identifiers.map((_, i) => i + 1);
    const result = await sql<IndicatorRow & { ord: number }>`
      with q as (select * from unnest(${ords}::int[], ${identifiers.map((i) => i.kind)}::text[], ${identifiers.map((i) => i.value)}::text[], ${identifiers.map((i) => i.display)}::text[]) as q(ord, kind, value, shown)),
      mine as (
        insert into fraud_lookup_counters as c (key_id, window_start, shard, count) values (${keyId}, ${window}, 0, ${n}::int)
        on conflict (key_id, window_start, shard) do update set count = c.count + excluded.count
        returning count),
      -- Rows of other shards exist only from before batching (one counter row per key and minute since).
      before as (
        select (select count from mine) - ${n}::int + coalesce((select sum(count) from fraud_lookup_counters where key_id = ${keyId} and window_start = ${window} and shard <> 0), 0) as count),
      allowed as (select q.* from q where q.ord <= ${this.perMinute}::int - (select count from before)),
      found as (select a.ord, i.* from allowed a left join fraud_identifiers i on i.kind = a.kind and i.value = a.value),
      logged as (
        insert into fraud_lookups (key_id, at, kind, value, found)
        select ${keyId}, ${now}, a.kind, a.shown, f.id is not null from allowed a join found f on f.ord = a.ord order by a.ord)
      select q.ord, f.ord is not null as allowed, f.id::text as id, q.kind, q.value, f.display, f.report_count, f.total_loss_kzt, f.first_seen, f.last_seen,
             f.over_correlating_at is not null as over_correlating, f.cleared_at is not null as cleared, w.owner,
             case when f.id is not null then
               (select count(distinct r.cluster_id)::int from fraud_report_identifiers m join fraud_reports r on r.seq = m.report_seq where m.identifier_id = f.id) end as cluster_count
        from q
        left join found f on f.ord = q.ord
        left join fraud_warning_list w on w.kind = q.kind and w.value = q.value
       order by q.ord`.execute(this.database.db);
    return result.rows;
  }

  private answer(identifier: Normalized, row: IndicatorRow, now: Date) {
    const reports = row.report_count ?? 0;
    const lossKzt = Number(row.total_loss_kzt ?? 0);
    const lastSeen = row.last_seen ? new Date(row.last_seen) : null;
    return {
      type: identifier.kind,
      value: identifier.display,
      reportedCount: reports,
      firstSeen: row.first_seen ? new Date(row.first_seen).toISOString() : null,
      lastSeen: lastSeen?.toISOString() ?? null,
      clusterCount: row.cluster_count ?? 0,
      totalLossBand: lossBand(lossKzt),
      riskLevel: riskLevel({ reports, lossKzt, warningListed: !!row.owner, cleared: !!row.cleared, overCorrelating: !!row.over_correlating, lastSeen }, now),
      warningListed: row.owner,
      overCorrelating: !!row.over_correlating,
      cleared: !!row.cleared,
    };
  }

  /** High-risk identifiers for a bank's or telecom's own filters; cards appear as BIN and last 4 only. */
  async highRisk(keyId: string, limit: number) {
    const rows = await sql<{ id: string; kind: IndicatorKind; value: string; display: string; report_count: number; total_loss_kzt: string; first_seen: Date; last_seen: Date; over_correlating: boolean }>`
      select i.id::text as id, i.kind, i.value, i.display, i.report_count, i.total_loss_kzt, i.first_seen, i.last_seen, i.over_correlating_at is not null as over_correlating
        from fraud_identifiers i
       where i.report_count >= 2 and i.cleared_at is null
         and not exists (select 1 from fraud_warning_list w where w.kind = i.kind and w.value = i.value)
       order by i.report_count desc, i.total_loss_kzt desc, i.id
       limit ${limit * 2}`.execute(this.database.db);
    const now = this.clock();
    const list = rows.rows
      .map((r) => ({
        ...r,
        risk: riskLevel({ reports: r.report_count, lossKzt: Number(r.total_loss_kzt), warningListed: false, cleared: false, overCorrelating: r.over_correlating, lastSeen: new Date(r.last_seen) }, now),
      }))
      .filter((r) => r.risk === 'high')
      .slice(0, limit);
    await this.database.db.insertInto('fraud_lookups').values({ key_id: keyId, at: now, kind: 'export', value: `${list.length} indicators`, found: list.length > 0 }).execute();
    return list.map((r) => ({
      id: r.id,
      kind: r.kind,
      display: r.display,
      reports: r.report_count,
      lossBand: lossBand(Number(r.total_loss_kzt)),
      firstSeen: new Date(r.first_seen),
      lastSeen: new Date(r.last_seen),
    }));
  }
}

/** RFC 4180 CSV: fields with a comma, quote or line break are quoted; a leading = + - @ is neutralized for spreadsheets. */
export function toCsv(rows: Awaited<ReturnType<Indicators['highRisk']>>): string {
  const field = (v: string | number) => {
    let s = String(v);
    if (/^[=+\-@\t\r]/.test(s) && !/^[+-]\d/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = ['type,value,reports,loss_band,first_seen,last_seen,risk'];
  for (const r of rows) lines.push([r.kind, r.display, r.reports, r.lossBand, r.firstSeen.toISOString(), r.lastSeen.toISOString(), 'high'].map(field).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** A stable UUID (version 5 layout, SHA-256 based) so the same identifier keeps its STIX id across exports. */
function stableUuid(name: string): string {
  const h = createHash('sha256').update(`qorgau-fraud-indicator:${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A STIX string literal: backslash and quote escaped (STIX 2.1 patterning, 9.2). */
const stixString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function stixPattern(kind: IndicatorKind, display: string): string | null {
  switch (kind) {
    case 'domain':
      return `[domain-name:value = ${stixString(display)}]`;
    case 'phone':
      // No STIX cyber-observable holds a phone number; a custom one would not be read by others.
      return null;
    case 'iban':
      return `[bank-account:iban_number = ${stixString(display)}]`;
    case 'card':
      return null;
    case 'handle':
      return `[user-account:account_login = ${stixString(display.replace(/^@/, ''))}]`;
    case 'wallet':
      return `[cryptocurrency-wallet:address = ${stixString(display)}]`;
  }
}

/**
 * A STIX 2.1 bundle of indicators (OASIS STIX 2.1, 4.1 Bundle, 4.2 Indicator): one indicator per
 * identifier with a STIX pattern; phones and cards, for which STIX defines no observable, use
 * custom observable types (x-qorgau-phone, x-qorgau-card: STIX 2.1, 11.1 custom objects).
 */
export function toStixBundle(rows: Awaited<ReturnType<Indicators['highRisk']>>, now: Date) {
  const created = now.toISOString();
  const identity = { type: 'identity', spec_version: '2.1', id: `identity--${stableUuid('qorgau')}`, created: '2026-11-29T00:00:00.000Z', modified: '2026-11-29T00:00:00.000Z', name: 'Qorgau', identity_class: 'organization' };
  const indicators = rows.map((r) => {
    const pattern = stixPattern(r.kind, r.display);
    return {
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${stableUuid(`${r.kind}:${r.id}`)}`,
      created_by_ref: identity.id,
      created,
      modified: created,
      name: `${r.kind} ${r.display} named in ${r.reports} fraud reports`,
      indicator_types: ['malicious-activity'],
      pattern: pattern ?? `[x-qorgau-${r.kind}:value = ${stixString(r.display)}]`,
      pattern_type: 'stix',
      valid_from: r.firstSeen.toISOString(),
      labels: [r.kind, `loss:${r.lossBand}`],
      confidence: Math.min(100, 40 + r.reports * 10),
    };
  });
  return { type: 'bundle', id: `bundle--${stableUuid(`bundle:${created}:${rows.length}`)}`, objects: [identity, ...indicators] };
}
