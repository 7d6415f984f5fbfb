import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import type { UsagePurpose } from './usage.tables.js';

type Executor = Kysely<DB> | Transaction<DB>;

/** One event row of a batch, as parallel columns are built from it. */
export interface UsageEventRow {
  id: string;
  occurredAt: Date;
  serial: string;
  issuer: string;
  /** The holder's pseudonym as hex, or null. */
  person: string | null;
  bin: string | null;
  purpose: UsagePurpose;
  outcome: 'accepted' | 'refused';
  refusal: string | null;
  clientIp: string | null;
  network: string | null;
  device: string | null;
  signedAt: Date | null;
  signedAtSource: string | null;
  revokedAt: Date | null;
  source: string;
  clientEventId: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * The SQL of usage events, the devices each certificate was used from, and each holder's uses
 * per local hour. Batches travel as arrays (unnest), so a batch is a few statements whatever
 * its size. Made over the ingest's transaction where the rules run in it.
 */
export class UsageRepository {
  constructor(private readonly db: Executor) {}

  /** Ids for a batch, taken before the insert so the rules can name events the batch stores. */
  async allocateIds(count: number): Promise<string[]> {
    const rows = await sql<{ id: string }>`select nextval(pg_get_serial_sequence('usage_events', 'id'))::text as id from generate_series(1, ${count}::int)`.execute(this.db);
    return rows.rows.map((r) => String(r.id));
  }

  /** Stores the events; one whose (source, clientEventId) is already stored is skipped. Returns the ids stored. */
  async insert(events: UsageEventRow[], receivedAt: Date): Promise<Set<string>> {
    const col = <T>(pick: (e: UsageEventRow) => T) => events.map(pick);
    const rows = await sql<{ id: string }>`
      insert into usage_events (id, occurred_at, received_at, certificate_serial, certificate_issuer, person_hash, organization_bin, purpose, outcome, refusal,
                                client_ip, network, device_id, signed_at, signed_at_source, certificate_revoked_at, source, client_event_id)
      select q.id, q.occurred_at, ${receivedAt}::timestamptz, q.serial, q.issuer, decode(q.person, 'hex'), q.bin, q.purpose, q.outcome, q.refusal,
             q.ip, q.network, q.device, q.signed_at, q.signed_at_source, q.revoked_at, q.source, q.client_event_id
      from unnest(${col((e) => e.id)}::bigint[], ${col((e) => e.occurredAt.toISOString())}::timestamptz[], ${col((e) => e.serial)}::text[], ${col((e) => e.issuer)}::text[],
                  ${col((e) => e.person)}::text[], ${col((e) => e.bin)}::text[], ${col((e) => e.purpose)}::text[], ${col((e) => e.outcome)}::text[], ${col((e) => e.refusal)}::text[],
                  ${col((e) => e.clientIp)}::text[], ${col((e) => e.network)}::text[], ${col((e) => e.device)}::text[],
                  ${col((e) => iso(e.signedAt))}::timestamptz[], ${col((e) => e.signedAtSource)}::text[],
                  ${col((e) => iso(e.revokedAt))}::timestamptz[], ${col((e) => e.source)}::text[],
                  ${col((e) => e.clientEventId)}::text[])
        as q(id, occurred_at, serial, issuer, person, bin, purpose, outcome, refusal, ip, network, device, signed_at, signed_at_source, revoked_at, source, client_event_id)
      on conflict (source, client_event_id) where client_event_id is not null do nothing
      returning id::text as id`.execute(this.db);
    return new Set(rows.rows.map((r) => String(r.id)));
  }

  /** The stored ids of events already reported under (source, clientEventId), keyed "source\0clientEventId". */
  async storedIds(reported: { source: string; clientEventId: string | null }[]): Promise<Map<string, string>> {
    const rows = await sql<{ source: string; client_event_id: string; id: string }>`
      select u.source, u.client_event_id, u.id::text as id from usage_events u
      join unnest(${reported.map((r) => r.source)}::text[], ${reported.map((r) => r.clientEventId)}::text[]) as q(source, client_event_id)
        on u.source = q.source and u.client_event_id = q.client_event_id`.execute(this.db);
    return new Map(rows.rows.map((r) => [`${r.source}\u0000${r.client_event_id}`, String(r.id)]));
  }

  /**
   * Records each (certificate, device) pair the first time it is seen; returns the events that
   * brought a device new to a certificate that was used before from another one.
   */
  async newDevicesOfUsedCertificates(uses: { serial: string; issuer: string; device: string; event: string; at: Date }[]): Promise<string[]> {
    const added = await sql<{ serial: string; issuer: string; device: string; event: string }>`
      insert into usage_devices (certificate_serial, certificate_issuer, device_id, first_event_id, first_seen_at)
      select distinct on (q.serial, q.issuer, q.device) q.serial, q.issuer, q.device, q.event, q.at
      from unnest(${uses.map((u) => u.serial)}::text[], ${uses.map((u) => u.issuer)}::text[], ${uses.map((u) => u.device)}::text[],
                  ${uses.map((u) => u.event)}::bigint[], ${uses.map((u) => u.at.toISOString())}::timestamptz[]) as q(serial, issuer, device, event, at)
      order by q.serial, q.issuer, q.device, q.event
      on conflict do nothing
      returning certificate_serial as serial, certificate_issuer as issuer, device_id as device, first_event_id::text as event`.execute(this.db);
    if (added.rows.length === 0) return [];
    const seenBefore = await sql<{ event: string }>`
      select q.event from unnest(${added.rows.map((r) => r.serial)}::text[], ${added.rows.map((r) => r.issuer)}::text[], ${added.rows.map((r) => String(r.event))}::bigint[]) as q(serial, issuer, event)
      where exists (select 1 from usage_devices d where d.certificate_serial = q.serial and d.certificate_issuer = q.issuer and d.first_event_id < q.event)`.execute(this.db);
    return seenBefore.rows.map((r) => String(r.event));
  }

  /** A holder's uses (by pseudonym), newest first. */
  async ofPerson(personHash: Buffer, limit: number) {
    return this.db
      .selectFrom('usage_events')
      .select(['id', 'occurred_at', 'certificate_serial', 'purpose', 'outcome', 'device_id', 'client_ip', 'organization_bin'])
      .where('person_hash', '=', personHash)
      .orderBy('occurred_at', 'desc')
      .limit(limit)
      .execute();
  }

  /**
   * Misuse rule 2: for each use, the other uses of the same certificate within `windowMinutes`
   * from another device or network (up to 100), driven from the batch: one index range per use.
   */
  async otherDevicesWithin(uses: { id: string; serial: string; issuer: string; at: Date; device: string | null; network: string | null }[], windowMinutes: number): Promise<{ id: string; others: string[] }[]> {
    const rows = await sql<{ id: string; others: string[] }>`
      select q.id, w.others
      from unnest(${uses.map((u) => u.id)}::bigint[], ${uses.map((u) => u.serial)}::text[], ${uses.map((u) => u.issuer)}::text[], ${uses.map((u) => u.at.toISOString())}::timestamptz[],
                  ${uses.map((u) => u.device)}::text[], ${uses.map((u) => u.network)}::text[]) as q(id, serial, issuer, at, device, network)
      cross join lateral (
        select array_agg(e.id::text order by e.id) as others from (
          select e.id from usage_events e
          where e.certificate_serial = q.serial and e.certificate_issuer = q.issuer
            and e.occurred_at between q.at - make_interval(mins => ${windowMinutes}::int) and q.at + make_interval(mins => ${windowMinutes}::int)
            and e.id <> q.id and (e.device_id <> q.device or e.network <> q.network)
          order by e.id limit 100) e) w
      where w.others is not null`.execute(this.db);
    return rows.rows.map((r) => ({ id: String(r.id), others: r.others.map(String) }));
  }

  /** Misuse rule 5's profile: for each (holder, local hour), the holder's uses in all and within an hour of it. */
  async hourProfiles(pairs: { key: string; hour: number }[]): Promise<{ key: string; hour: number; total: number; near: number }[]> {
    const rows = await sql<{ key: string; hour: number; total: number; near: number }>`
      select q.key, q.hour, coalesce(p.total, 0) as total,
        coalesce(p.uses[q.hour + 1] + p.uses[(q.hour + 1) % 24 + 1] + p.uses[(q.hour + 23) % 24 + 1], 0) as near
      from unnest(${pairs.map((p) => p.key)}::text[], ${pairs.map((p) => p.hour)}::int[]) as q(key, hour)
      left join lateral (select h.total, h.uses from usage_hour_profiles h where h.holder_key = q.key) p on true`.execute(this.db);
    return rows.rows;
  }

  /**
   * Adds uses per holder (24 counts each, in `keys` order) to the hour profiles. In key order, so
   * that concurrent batches lock shared holders' rows in the same order.
   */
  async addToHourProfiles(keys: string[], counts: number[], totals: number[]): Promise<void> {
    await sql`
      insert into usage_hour_profiles (holder_key, uses, total)
      select q.key, (${counts}::int[])[(q.n - 1) * 24 + 1 : q.n * 24], q.total
      from unnest(${keys}::text[], ${totals}::int[]) with ordinality as q(key, total, n)
      order by q.key
      on conflict (holder_key) do update set
        uses = array(select a + b from unnest(usage_hour_profiles.uses, excluded.uses) with ordinality as x(a, b, i) order by i),
        total = usage_hour_profiles.total + excluded.total`.execute(this.db);
  }
}
