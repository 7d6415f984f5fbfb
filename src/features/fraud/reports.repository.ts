import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import type { NormalizedIdentifier } from './identifiers.js';
import type { LinkState, ReportStatus } from './fraud.tables.js';

/** A report ready to be written: everything validated and normalized. */
export interface NewReport {
  id: string;
  trackingHash: Buffer;
  reporterKind: 'victim' | 'anonymous' | 'volunteer';
  victimHash: Buffer | null;
  volunteerHash: Buffer | null;
  contact: string | null;
  occurredAt: Date;
  region: string;
  ageGroup: string | null;
  channel: string;
  scheme: string;
  amount: number;
  currency: string;
  lossKzt: number;
  paymentMethod: string;
  narrative: string;
  signedDocumentId: string | null;
  identifiers: NormalizedIdentifier[];
  attachments: { id: string; fileName: string; mediaType: string; sha256: string; content: Buffer }[];
}

/**
 * Writes a report with its identifiers (counted, first and last seen), the state of each link
 * (warning-listed and cleared identifiers never link, over-correlating ones no longer do) and its
 * attachments, in the caller's transaction. Returns the report's sequence number.
 */
export async function insertReport(db: Kysely<DB>, report: NewReport): Promise<{ seq: string; identifiers: { id: string; kind: string; display: string; state: LinkState }[] }> {
  // One round trip writes the report and counts it (the count is the base of the over-correlation share).
  const row = (
    await sql<{ seq: string }>`
      with counted as (update fraud_totals set report_count = report_count + 1 where id = 1)
      insert into fraud_reports (id, tracking_hash, reporter_kind, victim_hash, volunteer_hash, contact, occurred_at, region, channel, scheme,
                                 amount, currency, loss_kzt, payment_method, narrative, signed_document_id, victim_age_group)
      values (${report.id}::uuid, ${report.trackingHash}, ${report.reporterKind}, ${report.victimHash}, ${report.volunteerHash}, ${report.contact},
              ${report.occurredAt}::timestamptz, ${report.region}, ${report.channel}, ${report.scheme}, ${report.amount}::numeric, ${report.currency},
              ${report.lossKzt}::numeric, ${report.paymentMethod}, ${report.narrative}, ${report.signedDocumentId}::uuid, ${report.ageGroup})
      returning seq::text as seq`.execute(db)
  ).rows[0];
  let identifiers: { id: string; kind: string; display: string; state: LinkState }[] = [];
  if (report.identifiers.length > 0) {
    const kinds = report.identifiers.map((i) => i.kind);
    const values = report.identifiers.map((i) => i.value);
    const displays = report.identifiers.map((i) => i.display);
    const countries = report.identifiers.map((i) => i.country ?? null);
    const asReported = report.identifiers.map((i) => i.asReported);
    // Rows are locked in (kind, value) order, so two reports naming the same identifiers cannot deadlock.
    await sql`
      insert into fraud_identifiers as i (kind, value, display, country, report_count, total_loss_kzt, first_seen, last_seen)
      select k, v, d, c, 1, ${report.lossKzt}::numeric, ${report.occurredAt}::timestamptz, ${report.occurredAt}::timestamptz
        from unnest(${kinds}::text[], ${values}::text[], ${displays}::text[], ${countries}::text[]) as t(k, v, d, c)
       order by k, v
      on conflict (kind, value) do update set
        report_count = i.report_count + 1,
        total_loss_kzt = i.total_loss_kzt + excluded.total_loss_kzt,
        first_seen = least(i.first_seen, excluded.first_seen),
        last_seen = greatest(i.last_seen, excluded.last_seen)`.execute(db);
    const links = await sql<{ id: string; kind: string; display: string; state: LinkState }>`
      with written as (
        insert into fraud_report_identifiers (report_seq, identifier_id, as_reported, state, state_reason)
        select ${row.seq}::bigint, i.id, t.a,
               case when w.kind is not null then 'warning' when i.cleared_at is not null then 'cleared'
                    when i.over_correlating_at is not null then 'over_correlating' else 'linked' end,
               case when w.kind is not null then 'a legitimate identifier of ' || w.owner || ' (warning list): likely spoofed, not linked'
                    when i.cleared_at is not null then 'cleared on appeal: listed wrongly, not linked'
                    when i.over_correlating_at is not null then 'named in too many reports to link on (over-correlating)' end
          from unnest(${kinds}::text[], ${values}::text[], ${asReported}::text[]) as t(k, v, a)
          join fraud_identifiers i on i.kind = t.k and i.value = t.v
          left join fraud_warning_list w on w.kind = t.k and w.value = t.v
        returning identifier_id, state)
      select i.id::text as id, i.kind, i.display, w.state from written w join fraud_identifiers i on i.id = w.identifier_id order by i.kind, i.display`.execute(db);
    identifiers = links.rows;
  }
  for (const a of report.attachments) {
    await db
      .insertInto('fraud_attachments')
      .values({ id: a.id, report_seq: row.seq, media_type: a.mediaType, file_name: a.fileName, size: a.content.length, sha256: a.sha256, content: a.content })
      .execute();
  }
  return { seq: row.seq, identifiers };
}

export interface ReportRow {
  seq: string;
  id: string;
  status: ReportStatus;
  signed: boolean;
  receivedAt: Date;
  statusChangedAt: Date;
  clusterId: string | null;
  clusterReports: number;
}

const reportColumns = sql`r.seq::text as seq, r.id, r.status, r.signed_document_id is not null as signed, r.received_at, r.status_changed_at, r.cluster_id::text as cluster_id, coalesce(c.report_count, 1) as cluster_reports`;
type RawReport = { seq: string; id: string; status: ReportStatus; signed: boolean; received_at: Date; status_changed_at: Date; cluster_id: string | null; cluster_reports: number };
const toReport = (r: RawReport): ReportRow => ({
  seq: r.seq,
  id: r.id,
  status: r.status,
  signed: r.signed,
  receivedAt: new Date(r.received_at),
  statusChangedAt: new Date(r.status_changed_at),
  clusterId: r.cluster_id,
  clusterReports: Number(r.cluster_reports),
});

export async function findReport(db: Kysely<DB>, id: string): Promise<(ReportRow & { trackingHash: Buffer; victimHash: Buffer | null; volunteerHash: Buffer | null }) | undefined> {
  const rows = await sql<RawReport & { tracking_hash: Buffer; victim_hash: Buffer | null; volunteer_hash: Buffer | null }>`
    select ${reportColumns}, r.tracking_hash, r.victim_hash, r.volunteer_hash
      from fraud_reports r left join fraud_clusters c on c.id = r.cluster_id where r.id = ${id}::uuid`.execute(db);
  const r = rows.rows[0];
  return r ? { ...toReport(r), trackingHash: r.tracking_hash, victimHash: r.victim_hash, volunteerHash: r.volunteer_hash } : undefined;
}

/** Reports a person made or that were made for them by a volunteer, newest first. */
export async function reportsOfPerson(db: Kysely<DB>, personHash: Buffer): Promise<ReportRow[]> {
  const rows = await sql<RawReport>`
    select ${reportColumns} from fraud_reports r left join fraud_clusters c on c.id = r.cluster_id
     where r.victim_hash = ${personHash} or r.volunteer_hash = ${personHash}
     order by r.received_at desc limit 200`.execute(db);
  return rows.rows.map(toReport);
}

/** The report's own identifiers with their link states, and on which kinds it is linked with how many others. */
export async function linksOfReport(db: Kysely<DB>, seq: string) {
  const own = await sql<{ kind: string; display: string; as_reported: string; state: LinkState; state_reason: string | null }>`
    select i.kind, i.display, m.as_reported, m.state, m.state_reason
      from fraud_report_identifiers m join fraud_identifiers i on i.id = m.identifier_id
     where m.report_seq = ${seq}::bigint order by i.kind, i.display`.execute(db);
  const linkedOn = await sql<{ kind: string; reports: number }>`
    select i.kind, count(distinct o.report_seq)::int as reports
      from fraud_report_identifiers m
      join fraud_identifiers i on i.id = m.identifier_id
      join fraud_report_identifiers o on o.identifier_id = m.identifier_id and o.report_seq <> m.report_seq and o.state = 'linked'
     where m.report_seq = ${seq}::bigint and m.state = 'linked'
     group by i.kind order by i.kind`.execute(db);
  return { own: own.rows, linkedOn: linkedOn.rows };
}

export async function isListedVolunteer(db: Kysely<DB>, personHash: Buffer): Promise<boolean> {
  return !!(await db.selectFrom('fraud_volunteers').select('person_hash').where('person_hash', '=', personHash).executeTakeFirst());
}

export async function addVolunteer(db: Kysely<DB>, personHash: Buffer, addedBy: string): Promise<void> {
  await db.insertInto('fraud_volunteers').values({ person_hash: personHash, added_by: addedBy }).onConflict((oc) => oc.column('person_hash').doNothing()).execute();
}
