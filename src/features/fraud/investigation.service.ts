import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import { linkWeight, mergeClusters, splitCluster, undoLink, type StatusChange } from './linking.repository.js';
import type { NotifyStatus } from './ports.js';
import type { ClusterStatus, LinkState, ReportStatus } from './fraud.tables.js';
import { statusChangesToNotices } from './reports.service.js';

/** Who is acting: an investigator's token, as it is written in the audit list. */
export interface Investigator {
  tokenId: string;
  name: string;
}
const actorOf = (who: Investigator) => `${who.name} (token ${who.tokenId})`;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Every look at or change of a case is written here first, in the same transaction. */
async function audit(db: Kysely<DB>, who: Investigator, action: string, subject: string, detail: Record<string, unknown> = {}) {
  await db.insertInto('fraud_access_log').values({ actor: actorOf(who), action, subject, detail: JSON.stringify(detail) }).execute();
}

/** Resolves a cluster id that may have been merged away to the cluster it lives on in. */
async function liveCluster(db: Kysely<DB>, id: string): Promise<{ id: string; status: ClusterStatus }> {
  const row = await db
    .selectFrom('fraud_clusters')
    .select([sql<string>`coalesce(merged_into, id)::text`.as('live')])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw AppError.notFound('FRAUD_CLUSTER_NOT_FOUND', `No cluster ${id}`);
  const live = await db.selectFrom('fraud_clusters').select(['status']).where('id', '=', row.live).executeTakeFirstOrThrow();
  return { id: row.live, status: live.status };
}

async function reportSeqs(db: Kysely<DB>, ids: string[]): Promise<{ seq: string; id: string; cluster: string | null }[]> {
  if (ids.length === 0) return [];
  const rows = await sql<{ seq: string; id: string; cluster: string | null }>`
    select seq::text as seq, id::text as id, cluster_id::text as cluster from fraud_reports where id = any(${ids}::uuid[])`.execute(db);
  return rows.rows;
}

const CLUSTER_TO_REPORT: Record<ClusterStatus, ReportStatus> = { open: 'linked', under_investigation: 'under_investigation', solved: 'solved', closed: 'closed' };

/**
 * What investigators do with clusters: list them by losses or growth, read one with the reasons
 * of its links, assign, annotate, set the status, merge, split and undo links. Each is a named
 * command that writes its audit entry in its own transaction.
 */
export class Investigation {
  constructor(
    private readonly database: Database,
    private readonly notify: NotifyStatus,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private get db() {
    return this.database.db;
  }

  async listClusters(who: Investigator, options: { sort: 'losses' | 'growth'; status?: ClusterStatus; limit: number; offset: number }) {
    const since = new Date(this.clock().getTime() - 30 * 86_400_000);
    const rows = await sql<{ id: string; report_count: number; total_loss_kzt: string; regions: string[]; first_at: Date | null; last_at: Date | null; status: ClusterStatus; assignee: string | null; growth: number }>`
      select c.id::text as id, c.report_count, c.total_loss_kzt, c.regions, c.first_at, c.last_at, c.status, c.assignee,
             (select count(*)::int from fraud_reports r where r.cluster_id = c.id and r.received_at >= ${since}) as growth
        from fraud_clusters c
       where c.merged_into is null and c.report_count > 1 ${options.status ? sql`and c.status = ${options.status}` : sql``}
       order by ${options.sort === 'growth' ? sql`growth desc, c.total_loss_kzt desc` : sql`c.total_loss_kzt desc, growth desc`}, c.id
       limit ${options.limit} offset ${options.offset}`.execute(this.db);
    await audit(this.db, who, 'clusters.list', 'clusters', { sort: options.sort, status: options.status ?? null, offset: options.offset });
    return rows.rows.map((r) => this.summary(r));
  }

  private summary(r: { id: string; report_count: number; total_loss_kzt: string; regions: string[]; first_at: Date | null; last_at: Date | null; status: ClusterStatus; assignee: string | null; growth: number }) {
    return {
      id: r.id,
      reportCount: r.report_count,
      totalLossKzt: Number(r.total_loss_kzt),
      regions: r.regions,
      firstAt: iso(r.first_at),
      lastAt: iso(r.last_at),
      growth30d: r.growth,
      status: r.status,
      assignee: r.assignee,
    };
  }

  /** A cluster with its reports, identifiers (weights, flags) and notes. */
  async cluster(who: Investigator, requested: string) {
    const { id } = await liveCluster(this.db, requested);
    const since = new Date(this.clock().getTime() - 30 * 86_400_000);
    const c = (
      await sql<Parameters<Investigation['summary']>[0]>`
        select c.id::text as id, c.report_count, c.total_loss_kzt, c.regions, c.first_at, c.last_at, c.status, c.assignee,
               (select count(*)::int from fraud_reports r where r.cluster_id = c.id and r.received_at >= ${since}) as growth
          from fraud_clusters c where c.id = ${id}::bigint`.execute(this.db)
    ).rows[0];
    const reports = await sql<{ seq: string; id: string; occurred_at: Date; received_at: Date; region: string; channel: string; scheme: string; amount: string; currency: string; loss_kzt: string; payment_method: string; narrative: string; reporter_kind: string; contact: string | null; signed: boolean; status: ReportStatus }>`
      select seq::text as seq, id::text as id, occurred_at, received_at, region, channel, scheme, amount, currency, loss_kzt, payment_method, narrative, reporter_kind, contact,
             signed_document_id is not null as signed, status
        from fraud_reports where cluster_id = ${id}::bigint order by occurred_at, seq limit 1000`.execute(this.db);
    const seqs = reports.rows.map((r) => r.seq);
    const links = await sql<{ seq: string; identifier_id: string; kind: string; display: string; as_reported: string; state: LinkState; state_reason: string | null }>`
      select m.report_seq::text as seq, m.identifier_id::text as identifier_id, i.kind, i.display, m.as_reported, m.state, m.state_reason
        from fraud_report_identifiers m join fraud_identifiers i on i.id = m.identifier_id
       where m.report_seq = any(${seqs}::bigint[]) order by i.kind, i.display`.execute(this.db);
    const identifiers = await sql<{ id: string; kind: string; display: string; report_count: number; over_correlating: boolean; cleared: boolean; owner: string | null; linking: boolean }>`
      select i.id::text as id, i.kind, i.display, i.report_count, i.over_correlating_at is not null as over_correlating, i.cleared_at is not null as cleared, w.owner,
             i.cluster_id is not null as linking
        from fraud_identifiers i left join fraud_warning_list w on w.kind = i.kind and w.value = i.value
       where i.id in (select identifier_id from fraud_report_identifiers where report_seq = any(${seqs}::bigint[]))
       order by i.report_count desc, i.id`.execute(this.db);
    const attachments = await this.db
      .selectFrom('fraud_attachments')
      .select([sql<string>`report_seq::text`.as('seq'), 'id', 'file_name', 'media_type', 'size'])
      .where(sql<boolean>`report_seq = any(${seqs}::bigint[])`)
      .execute();
    const notes = await this.db.selectFrom('fraud_cluster_notes').select(['author', 'text', 'created_at']).where('cluster_id', '=', id).orderBy('created_at').execute();
    await audit(this.db, who, 'cluster.read', `cluster:${id}`, { reports: seqs.length });
    return {
      cluster: this.summary(c),
      reports: reports.rows.map((r) => ({
        id: r.id,
        occurredAt: iso(r.occurred_at)!,
        receivedAt: iso(r.received_at)!,
        region: r.region,
        channel: r.channel,
        scheme: r.scheme,
        amount: Number(r.amount),
        currency: r.currency,
        lossKzt: Number(r.loss_kzt),
        paymentMethod: r.payment_method,
        narrative: r.narrative,
        reporterKind: r.reporter_kind,
        contact: r.contact,
        signed: r.signed,
        status: r.status,
        links: links.rows.filter((l) => l.seq === r.seq).map((l) => ({ identifierId: l.identifier_id, kind: l.kind as never, display: l.display, asReported: l.as_reported, state: l.state, reason: l.state_reason })),
        attachments: attachments.filter((a) => a.seq === r.seq).map((a) => ({ id: a.id, fileName: a.file_name, mediaType: a.media_type, size: a.size })),
      })),
      identifiers: identifiers.rows.map((i) => ({
        id: i.id,
        kind: i.kind as never,
        display: i.display,
        reportCount: i.report_count,
        weight: linkWeight(i.report_count, i.linking && !i.over_correlating && !i.owner && !i.cleared),
        overCorrelating: i.over_correlating,
        warningListed: i.owner,
      })),
      notes: notes.map((n) => ({ author: n.author, text: n.text, at: iso(n.created_at)! })),
    };
  }

  /**
   * Why two reports are in one cluster: the shortest chain of shared identifiers (and manual
   * links) from one to the other, each with its weight.
   */
  async why(who: Investigator, reportA: string, reportB: string) {
    const found = await reportSeqs(this.db, [reportA, reportB]);
    const a = found.find((r) => r.id === reportA);
    const b = found.find((r) => r.id === reportB);
    if (!a || !b) throw AppError.notFound('FRAUD_REPORT_NOT_FOUND', 'One of the reports does not exist');
    await audit(this.db, who, 'link.explain', `report:${reportA}`, { other: reportB });
    if (!a.cluster || a.cluster !== b.cluster) return { together: false, path: [], explanation: 'The reports are in different clusters: no identifier links them.' };
    const edges = await sql<{ seq: string; id: string; identifier: string; kind: string; display: string; report_count: number }>`
      select m.report_seq::text as seq, r.id::text as id, i.id::text as identifier, i.kind, i.display, i.report_count
        from fraud_report_identifiers m join fraud_reports r on r.seq = m.report_seq join fraud_identifiers i on i.id = m.identifier_id
       where r.cluster_id = ${a.cluster}::bigint and m.state = 'linked'`.execute(this.db);
    const manual = await sql<{ a: string; b: string; by: string; note: string; at: Date }>`
      select ra.id::text as a, rb.id::text as b, l.created_by as by, l.note, l.created_at as at
        from fraud_manual_links l join fraud_reports ra on ra.seq = l.report_a join fraud_reports rb on rb.seq = l.report_b
       where l.undone_at is null and ra.cluster_id = ${a.cluster}::bigint`.execute(this.db);
    type Via = { identifier: { id: string; kind: never; display: string; reportCount: number; weight: number } } | { manualLink: { by: string; note: string; at: string } };
    const byReport = new Map<string, { to: string; via: Via }[]>();
    const add = (from: string, to: string, via: Via) => {
      const list = byReport.get(from) ?? [];
      list.push({ to, via });
      byReport.set(from, list);
    };
    const byIdentifier = new Map<string, typeof edges.rows>();
    for (const e of edges.rows) byIdentifier.set(e.identifier, [...(byIdentifier.get(e.identifier) ?? []), e]);
    for (const group of byIdentifier.values()) {
      for (const x of group) {
        for (const y of group) {
          if (x.id !== y.id) add(x.id, y.id, { identifier: { id: x.identifier, kind: x.kind as never, display: x.display, reportCount: x.report_count, weight: linkWeight(x.report_count) } });
        }
      }
    }
    for (const m of manual.rows) {
      const via = { manualLink: { by: m.by, note: m.note, at: iso(m.at)! } };
      add(m.a, m.b, via);
      add(m.b, m.a, via);
    }
    const previous = new Map<string, { from: string; via: Via }>();
    const queue = [reportA];
    const seen = new Set(queue);
    while (queue.length > 0 && !seen.has(reportB)) {
      const at = queue.shift()!;
      for (const step of byReport.get(at) ?? []) {
        if (seen.has(step.to)) continue;
        seen.add(step.to);
        previous.set(step.to, { from: at, via: step.via });
        queue.push(step.to);
      }
    }
    const path: { from: string; to: string; via: Via }[] = [];
    for (let at = reportB; at !== reportA && previous.has(at); at = previous.get(at)!.from) path.unshift({ from: previous.get(at)!.from, to: at, via: previous.get(at)!.via });
    const words = path.map((p) => ('identifier' in p.via ? `the same ${p.via.identifier.kind} ${p.via.identifier.display} (weight ${p.via.identifier.weight})` : `a manual link by ${p.via.manualLink.by}: ${p.via.manualLink.note}`));
    return { together: true, path, explanation: reportA === reportB ? 'The same report.' : `Linked through ${words.join(', then ')}.` };
  }

  private async changeStatuses(db: Kysely<DB>, changes: StatusChange[]) {
    await this.notify(db, this.clock(), statusChangesToNotices(changes));
  }

  async assign(who: Investigator, requested: string, assignee: string | null) {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await liveCluster(trx, requested);
      await trx.updateTable('fraud_clusters').set({ assignee, updated_at: this.clock() }).where('id', '=', id).execute();
      await audit(trx, who, 'cluster.assign', `cluster:${id}`, { assignee });
      return id;
    });
  }

  async annotate(who: Investigator, requested: string, text: string) {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await liveCluster(trx, requested);
      await trx.insertInto('fraud_cluster_notes').values({ cluster_id: id, author: actorOf(who), text }).execute();
      await audit(trx, who, 'cluster.annotate', `cluster:${id}`, { length: text.length });
      return id;
    });
  }

  /** Sets the cluster's status; every report in it follows, and their victims are told. */
  async setStatus(who: Investigator, requested: string, status: ClusterStatus, note: string | undefined) {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await liveCluster(trx, requested);
      await trx.updateTable('fraud_clusters').set({ status, updated_at: this.clock() }).where('id', '=', id).execute();
      const changed = await trx
        .updateTable('fraud_reports')
        .set({ status: CLUSTER_TO_REPORT[status], status_changed_at: this.clock() })
        .where('cluster_id', '=', id)
        .where('status', '<>', CLUSTER_TO_REPORT[status])
        .returning(['id', 'victim_hash', 'status'])
        .execute();
      if (note) await trx.insertInto('fraud_cluster_notes').values({ cluster_id: id, author: actorOf(who), text: note }).execute();
      await this.changeStatuses(trx, changed.map((r) => ({ reportId: r.id, victimHash: r.victim_hash, status: r.status })));
      await audit(trx, who, 'cluster.status', `cluster:${id}`, { status, reports: changed.length });
      return id;
    });
  }

  async merge(who: Investigator, requested: string, otherRequested: string, note: string) {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await liveCluster(trx, requested);
      const other = await liveCluster(trx, otherRequested);
      if (other.id === id) throw AppError.conflict('FRAUD_CLUSTER_SAME', 'The clusters are already one');
      await this.changeStatuses(trx, await mergeClusters(trx, id, other.id, actorOf(who), note));
      await audit(trx, who, 'cluster.merge', `cluster:${id}`, { merged: other.id, note });
      return id;
    });
  }

  async split(who: Investigator, requested: string, reportIds: string[], note: string) {
    return this.db.transaction().execute(async (trx) => {
      const { id } = await liveCluster(trx, requested);
      const found = await reportSeqs(trx, reportIds);
      if (found.length !== new Set(reportIds).size || found.some((r) => r.cluster !== id)) {
        throw AppError.unprocessable('FRAUD_SPLIT_FOREIGN_REPORT', 'Every report to split off must be in this cluster');
      }
      const changes = await splitCluster(trx, id, found.map((r) => r.seq), `split off by ${actorOf(who)}: ${note}`);
      await this.changeStatuses(trx, changes);
      await audit(trx, who, 'cluster.split', `cluster:${id}`, { reports: reportIds, note });
      const after = await reportSeqs(trx, reportIds);
      return { cluster: id, splitInto: [...new Set(after.map((r) => r.cluster!))] };
    });
  }

  async undo(who: Investigator, reportId: string, identifierId: string, note: string) {
    return this.db.transaction().execute(async (trx) => {
      const [report] = await reportSeqs(trx, [reportId]);
      if (!report) throw AppError.notFound('FRAUD_REPORT_NOT_FOUND', `No report ${reportId}`);
      const result = await undoLink(trx, report.seq, identifierId, `undone by ${actorOf(who)}: ${note}`);
      if (!result.found) throw AppError.notFound('FRAUD_LINK_NOT_FOUND', 'The report is not linked through this identifier');
      await this.changeStatuses(trx, result.changes);
      await audit(trx, who, 'link.undo', `report:${reportId}`, { identifier: identifierId, note });
      const [after] = await reportSeqs(trx, [reportId]);
      return { cluster: after.cluster };
    });
  }

  async attachment(who: Investigator, id: string) {
    const row = await this.db.selectFrom('fraud_attachments').select(['media_type', 'file_name', 'content', sql<string>`report_seq::text`.as('seq')]).where('id', '=', id).executeTakeFirst();
    if (!row) throw AppError.notFound('FRAUD_ATTACHMENT_NOT_FOUND', `No attachment ${id}`);
    await audit(this.db, who, 'attachment.read', `attachment:${id}`);
    return row;
  }

  async auditList(who: Investigator, limit: number, before?: string) {
    const rows = await this.db
      .selectFrom('fraud_access_log')
      .select([sql<string>`id::text`.as('id'), 'at', 'actor', 'action', 'subject', 'detail'])
      .$if(!!before, (q) => q.where('id', '<', before!))
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    await audit(this.db, who, 'audit.read', 'audit', { limit });
    return rows.map((r) => ({ id: r.id, at: iso(r.at)!, actor: r.actor, action: r.action, subject: r.subject, detail: r.detail }));
  }
}
