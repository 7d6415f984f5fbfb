import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { DisjointSets } from './union-find.js';
import type { ReportStatus } from './fraud.tables.js';

/**
 * Linking reports into clusters: all of its SQL. The union-find is persistent in PostgreSQL:
 * every report and every linked identifier points at the root of its cluster. A batch of new
 * reports is grouped in memory with the clusters its identifiers already point at; groups that
 * touch several clusters keep the largest and relabel the others into it (union by size, so a
 * report is relabelled at most log2(n) times). Nothing ever stores pairs of reports.
 */

export interface LinkPolicy {
  /** An identifier in more than this share of all reports stops linking (over-correlating). */
  overCorrelationShare: number;
  /** ... once it is in at least this many reports (a share of a handful of reports means nothing). */
  overCorrelationMinReports: number;
  /** ... or once its reports name more than this many distinct other identifiers that are in other reports too. */
  overCorrelationMaxConnections: number;
}

export interface StatusChange {
  reportId: string;
  victimHash: Buffer | null;
  status: ReportStatus;
}

export interface LinkOutcome {
  /** The clusters the batch's reports are in now. */
  clusters: string[];
  /** Identifiers flagged over-correlating by this batch. */
  flagged: string[];
  statusChanges: StatusChange[];
}

/** The linking weight of an identifier seen in n reports: 1 alone, falling as it gets common; 0 once it no longer links. */
export function linkWeight(reportCount: number, linking = true): number {
  if (!linking) return 0;
  return Math.round((1 / (1 + Math.log2(Math.max(1, reportCount)))) * 1000) / 1000;
}

/** The advisory lock key of linking ("qfraud" in ASCII). */
const LINKING_LOCK = 0x716672617564;

/**
 * Serializes changes to clusters across API instances for the rest of the transaction. Taken
 * before a report's identifiers are written: two reports naming the same new number at the same
 * moment would otherwise each start a cluster of their own.
 */
export async function lockLinking(db: Kysely<DB>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${LINKING_LOCK}::bigint)`.execute(db);
}

const ids = (values: Iterable<string | number>) => [...values].map(String);

/** Reports whose cluster has company (or is being investigated) leave "received". */
async function promoteStatuses(db: Kysely<DB>, clusters: string[]): Promise<StatusChange[]> {
  if (clusters.length === 0) return [];
  const rows = await sql<{ id: string; victim_hash: Buffer | null; status: ReportStatus }>`
    update fraud_reports r
       set status = case c.status when 'open' then 'linked' else c.status end, status_changed_at = now()
      from fraud_clusters c
     where c.id = r.cluster_id and r.cluster_id = any(${clusters}::bigint[]) and r.status = 'received'
       and (c.report_count > 1 or c.status <> 'open')
    returning r.id, r.victim_hash, r.status`.execute(db);
  return rows.rows.map((r) => ({ reportId: r.id, victimHash: r.victim_hash, status: r.status }));
}

/**
 * Joins in one go: `moves` put new reports into clusters, `merges` fold whole clusters into
 * others. The targets' totals grow by what joins them (no rescan of a large cluster).
 */
async function applyJoins(db: Kysely<DB>, moves: [string, string][], merges: [string, string][]): Promise<void> {
  const moveSeqs = moves.map((m) => m[0]);
  const moveTargets = moves.map((m) => m[1]);
  const olds = merges.map((m) => m[0]);
  const mergeTargets = merges.map((m) => m[1]);
  await sql`
    with moves as (select * from unnest(${moveSeqs}::bigint[], ${moveTargets}::bigint[]) as t(seq, target)),
    merges as (select * from unnest(${olds}::bigint[], ${mergeTargets}::bigint[]) as t(old, target)),
    parts as (
      select m.target, 1 as n, r.loss_kzt as loss, r.occurred_at as first_at, r.occurred_at as last_at, array[r.region] as regions
        from moves m join fraud_reports r on r.seq = m.seq
      union all
      select g.target, c.report_count, c.total_loss_kzt, c.first_at, c.last_at, c.regions
        from merges g join fraud_clusters c on c.id = g.old),
    totals as (select target, sum(n) as n, sum(loss) as loss, min(first_at) as first_at, max(last_at) as last_at from parts group by target),
    regions as (select target, array_agg(distinct region) as regions from parts, unnest(parts.regions) as region group by target)
    update fraud_clusters c
       set report_count = c.report_count + t.n,
           total_loss_kzt = c.total_loss_kzt + t.loss,
           first_at = least(c.first_at, t.first_at),
           last_at = greatest(c.last_at, t.last_at),
           regions = array(select distinct x from unnest(c.regions || coalesce(g.regions, '{}')) as x order by x),
           updated_at = now()
      from totals t left join regions g on g.target = t.target
     where c.id = t.target`.execute(db);
  if (merges.length > 0) {
    // The redundant "= any(olds)" lets the planner use the cluster index instead of a scan.
    await sql`update fraud_reports r set cluster_id = g.target from unnest(${olds}::bigint[], ${mergeTargets}::bigint[]) as g(old, target) where r.cluster_id = g.old and r.cluster_id = any(${olds}::bigint[])`.execute(db);
    await sql`update fraud_identifiers i set cluster_id = g.target from unnest(${olds}::bigint[], ${mergeTargets}::bigint[]) as g(old, target) where i.cluster_id = g.old and i.cluster_id = any(${olds}::bigint[])`.execute(db);
    await sql`update fraud_cluster_notes n set cluster_id = g.target from unnest(${olds}::bigint[], ${mergeTargets}::bigint[]) as g(old, target) where n.cluster_id = g.old`.execute(db);
    // A cluster under investigation keeps that status when an open one joins it, and the other way round.
    await sql`
      update fraud_clusters c set
        status = case when c.status = 'open' then o.status else c.status end,
        assignee = coalesce(c.assignee, o.assignee)
      from unnest(${olds}::bigint[], ${mergeTargets}::bigint[]) as g(old, target) join fraud_clusters o on o.id = g.old
      where c.id = g.target`.execute(db);
    // Two statements, each on its own index: one "c.id = g.old or c.merged_into = g.old" could
    // use neither and scanned every cluster per merge.
    await sql`update fraud_clusters c set merged_into = g.target, report_count = 0, total_loss_kzt = 0, updated_at = now() from unnest(${olds}::bigint[], ${mergeTargets}::bigint[]) as g(old, target) where c.id = g.old`.execute(db);
    await sql`update fraud_clusters c set merged_into = g.target, updated_at = now() from unnest(${olds}::bigint[], ${mergeTargets}::bigint[]) as g(old, target) where c.merged_into = g.old and c.merged_into = any(${olds}::bigint[])`.execute(db);
  }
  if (moves.length > 0) {
    await sql`update fraud_reports r set cluster_id = t.target from unnest(${moveSeqs}::bigint[], ${moveTargets}::bigint[]) as t(seq, target) where r.seq = t.seq`.execute(db);
    await sql`
      update fraud_identifiers i set cluster_id = r.cluster_id
        from fraud_report_identifiers m join fraud_reports r on r.seq = m.report_seq
       where m.report_seq = any(${moveSeqs}::bigint[]) and m.state = 'linked' and i.id = m.identifier_id
         and i.cluster_id is distinct from r.cluster_id`.execute(db);
  }
}

async function newClusters(db: Kysely<DB>, count: number): Promise<string[]> {
  if (count === 0) return [];
  const rows = await sql<{ id: string }>`insert into fraud_clusters (report_count) select 0 from generate_series(1, ${count}::int) returning id::text as id`.execute(db);
  return rows.rows.map((r) => r.id);
}

/**
 * Counts the connections of the batch's identifiers that are due a count: named in at least the
 * minimum of reports, and in at least twice as many as when last counted. A connection is a
 * distinct other identifier, still linking and named in another report too, that one of its
 * reports names: what the identifier would glue together. The count is kept on the identifier.
 */
async function countConnections(db: Kysely<DB>, seqs: string[], policy: LinkPolicy): Promise<void> {
  await sql`
    with due as (
      select i.id, i.report_count from fraud_identifiers i
       where i.id in (select identifier_id from fraud_report_identifiers where report_seq = any(${seqs}::bigint[]))
         and i.over_correlating_at is null and i.cleared_at is null
         and i.report_count >= ${policy.overCorrelationMinReports} and i.report_count >= 2 * i.connections_checked_reports),
    counted as (
      select d.id, d.report_count,
             (select count(distinct o.identifier_id)::int
                from fraud_report_identifiers m
                join fraud_report_identifiers o on o.report_seq = m.report_seq and o.identifier_id <> m.identifier_id
                join fraud_identifiers y on y.id = o.identifier_id
               where m.identifier_id = d.id and o.state = 'linked' and y.report_count >= 2) as connections
        from due d)
    update fraud_identifiers i set connection_count = c.connections, connections_checked_reports = c.report_count
      from counted c where i.id = c.id`.execute(db);
}

/**
 * Flags the batch's identifiers that became too common to link on, takes back the links they
 * made, and splits the clusters they were holding together. Two rules: a share of all reports
 * (everybody names it), and connections (its reports name the identifiers of many other
 * operations: a spoofed number glues unrelated cases even at a small share of a million reports).
 */
async function flagOverCorrelating(db: Kysely<DB>, seqs: string[], policy: LinkPolicy): Promise<{ flagged: string[]; changes: StatusChange[] }> {
  const share = policy.overCorrelationShare;
  await countConnections(db, seqs, policy);
  const flagged = await sql<{ id: string; cluster_id: string | null }>`
    with f as (
      select i.id, i.cluster_id from fraud_identifiers i
       where i.id in (select identifier_id from fraud_report_identifiers where report_seq = any(${seqs}::bigint[]))
         and i.over_correlating_at is null and i.cleared_at is null and i.report_count >= ${policy.overCorrelationMinReports}
         and (i.report_count > ${share}::float8 * (select report_count from fraud_totals where id = 1)
              or i.connection_count > ${policy.overCorrelationMaxConnections})
       for update)
    update fraud_identifiers i set over_correlating_at = now(), cluster_id = null from f where i.id = f.id
    returning f.id::text as id, f.cluster_id::text as cluster_id`.execute(db);
  if (flagged.rows.length === 0) return { flagged: [], changes: [] };
  const flaggedIds = flagged.rows.map((r) => r.id);
  // The reason investigators and the identifier's owner read: which rule, with the figures.
  await sql`
    update fraud_report_identifiers m
       set state = 'over_correlating',
           state_reason = case
             when i.report_count > ${share}::float8 * t.report_count
               then 'named in ' || i.report_count || ' of ' || t.report_count || ' reports (more than ' || ${(share * 100).toString()} || '%): too common to link reports on'
             else 'named in ' || i.report_count || ' reports together with ' || i.connection_count || ' other identifiers that are in other reports too (more than '
                  || ${policy.overCorrelationMaxConnections}::int || '): it ties together many separate cases, as a spoofed or widely shared number does, so it does not link them'
           end
      from fraud_identifiers i, fraud_totals t
     where i.id = m.identifier_id and t.id = 1 and m.identifier_id = any(${flaggedIds}::bigint[]) and m.state = 'linked'`.execute(db);
  const clusters = [...new Set(flagged.rows.map((r) => r.cluster_id).filter((c): c is string => c !== null))];
  return { flagged: flaggedIds, changes: await recomputeClusters(db, clusters) };
}

/** Links new reports (their identifiers already written) into clusters, in the caller's transaction. */
export async function linkReports(db: Kysely<DB>, reportSeqs: (string | number)[], policy: LinkPolicy, options: { locked?: boolean } = {}): Promise<LinkOutcome> {
  const seqs = ids(reportSeqs);
  if (seqs.length === 0) return { clusters: [], flagged: [], statusChanges: [] };
  if (!options.locked) await lockLinking(db);
  const { flagged, changes } = await flagOverCorrelating(db, seqs, policy);

  const edges = await sql<{ seq: string; identifier: string; cluster: string | null; size: number | null }>`
    select m.report_seq::text as seq, m.identifier_id::text as identifier, i.cluster_id::text as cluster, c.report_count as size
      from fraud_report_identifiers m
      join fraud_identifiers i on i.id = m.identifier_id
      left join fraud_clusters c on c.id = i.cluster_id
     where m.report_seq = any(${seqs}::bigint[]) and m.state = 'linked'`.execute(db);

  const sets = new DisjointSets();
  const sizes = new Map<string, number>();
  for (const seq of seqs) sets.add(`r${seq}`);
  for (const e of edges.rows) {
    if (e.cluster !== null) {
      sets.union(`r${e.seq}`, `c${e.cluster}`);
      sizes.set(e.cluster, e.size ?? 0);
    } else {
      sets.union(`r${e.seq}`, `i${e.identifier}`);
    }
  }

  const groups = sets.groups().map((keys) => ({
    reports: keys.filter((k) => k[0] === 'r').map((k) => k.slice(1)),
    clusters: keys.filter((k) => k[0] === 'c').map((k) => k.slice(1)),
  }));
  const fresh = await newClusters(db, groups.filter((g) => g.clusters.length === 0).length);
  const moves: [string, string][] = [];
  const merges: [string, string][] = [];
  const targets: string[] = [];
  for (const g of groups) {
    let target: string;
    if (g.clusters.length === 0) target = fresh.pop()!;
    else {
      target = g.clusters.reduce((best, c) => ((sizes.get(c) ?? 0) > (sizes.get(best) ?? 0) ? c : best));
      for (const c of g.clusters) if (c !== target) merges.push([c, target]);
    }
    targets.push(target);
    for (const seq of g.reports) moves.push([seq, target]);
  }
  await applyJoins(db, moves, merges);
  const promoted = await promoteStatuses(db, targets);
  return { clusters: [...new Set(targets)], flagged, statusChanges: [...changes, ...promoted] };
}

/**
 * Recomputes clusters from their links after links were taken back (a split, an undone link,
 * an identifier flagged or cleared): each cluster keeps its largest connected part, the other
 * parts become new clusters. Returns reports whose status went back to "received".
 */
export async function recomputeClusters(db: Kysely<DB>, clusterIds: string[]): Promise<StatusChange[]> {
  if (clusterIds.length === 0) return [];
  await lockLinking(db);
  const reports = await sql<{ seq: string; cluster: string }>`select seq::text as seq, cluster_id::text as cluster from fraud_reports where cluster_id = any(${clusterIds}::bigint[])`.execute(db);
  const edges = await sql<{ seq: string; identifier: string }>`
    select m.report_seq::text as seq, m.identifier_id::text as identifier
      from fraud_report_identifiers m join fraud_reports r on r.seq = m.report_seq
     where r.cluster_id = any(${clusterIds}::bigint[]) and m.state = 'linked'`.execute(db);
  const manual = await sql<{ a: string; b: string }>`
    select l.report_a::text as a, l.report_b::text as b
      from fraud_manual_links l join fraud_reports r on r.seq = l.report_a
     where r.cluster_id = any(${clusterIds}::bigint[]) and l.undone_at is null`.execute(db);

  const sets = new DisjointSets();
  const clusterOf = new Map<string, string>();
  for (const r of reports.rows) {
    sets.add(`r${r.seq}`);
    clusterOf.set(r.seq, r.cluster);
  }
  for (const e of edges.rows) sets.union(`r${e.seq}`, `i${e.identifier}`);
  for (const m of manual.rows) if (clusterOf.has(m.a) && clusterOf.has(m.b)) sets.union(`r${m.a}`, `r${m.b}`);

  const partsByCluster = new Map<string, string[][]>();
  for (const keys of sets.groups()) {
    const seqs = keys.filter((k) => k[0] === 'r').map((k) => k.slice(1));
    if (seqs.length === 0) continue;
    const cluster = clusterOf.get(seqs[0])!;
    const parts = partsByCluster.get(cluster) ?? [];
    parts.push(seqs);
    partsByCluster.set(cluster, parts);
  }
  const splitOff: string[][] = [];
  for (const parts of partsByCluster.values()) {
    parts.sort((a, b) => b.length - a.length);
    splitOff.push(...parts.slice(1));
  }
  const fresh = await newClusters(db, splitOff.length);
  const seqs: string[] = [];
  const targets: string[] = [];
  splitOff.forEach((part, i) => {
    for (const seq of part) {
      seqs.push(seq);
      targets.push(fresh[i]);
    }
  });
  const all = [...clusterIds, ...fresh];
  if (seqs.length > 0) {
    await sql`update fraud_reports r set cluster_id = t.target from unnest(${seqs}::bigint[], ${targets}::bigint[]) as t(seq, target) where r.seq = t.seq`.execute(db);
  }
  await sql`
    update fraud_identifiers i set cluster_id = x.cluster
      from (select m.identifier_id, min(r.cluster_id) as cluster
              from fraud_report_identifiers m join fraud_reports r on r.seq = m.report_seq
             where r.cluster_id = any(${all}::bigint[]) and m.state = 'linked'
             group by m.identifier_id) x
     where i.id = x.identifier_id and i.cluster_id is distinct from x.cluster`.execute(db);
  await sql`
    update fraud_identifiers i set cluster_id = null
     where i.cluster_id = any(${clusterIds}::bigint[])
       and not exists (select 1 from fraud_report_identifiers m where m.identifier_id = i.id and m.state = 'linked')`.execute(db);
  await sql`
    update fraud_clusters c
       set report_count = coalesce(a.n, 0), total_loss_kzt = coalesce(a.loss, 0), first_at = a.first_at, last_at = a.last_at,
           regions = coalesce(a.regions, '{}'), updated_at = now(),
           status = case when c.id = any(${fresh}::bigint[]) then 'open' else c.status end
      from (select k.id, x.n, x.loss, x.first_at, x.last_at, x.regions
              from unnest(${all}::bigint[]) as k(id)
              left join (select cluster_id, count(*)::int as n, sum(loss_kzt) as loss, min(occurred_at) as first_at, max(occurred_at) as last_at,
                                array_agg(distinct region order by region) as regions
                           from fraud_reports where cluster_id = any(${all}::bigint[]) group by cluster_id) x on x.cluster_id = k.id) a
     where c.id = a.id`.execute(db);
  const demoted = await sql<{ id: string; victim_hash: Buffer | null; status: ReportStatus }>`
    update fraud_reports r set status = 'received', status_changed_at = now()
      from fraud_clusters c
     where c.id = r.cluster_id and r.cluster_id = any(${all}::bigint[]) and c.report_count = 1 and c.status = 'open' and r.status = 'linked'
    returning r.id, r.victim_hash, r.status`.execute(db);
  return demoted.rows.map((r) => ({ reportId: r.id, victimHash: r.victim_hash, status: r.status }));
}

/** Folds `other` into `target` on an investigator's word, recorded as a manual link between the two. */
export async function mergeClusters(db: Kysely<DB>, target: string, other: string, actor: string, note: string): Promise<StatusChange[]> {
  await lockLinking(db);
  const reps = await sql<{ cluster: string; seq: string }>`
    select cluster_id::text as cluster, min(seq)::text as seq from fraud_reports where cluster_id in (${target}::bigint, ${other}::bigint) group by cluster_id`.execute(db);
  const a = reps.rows.find((r) => r.cluster === target);
  const b = reps.rows.find((r) => r.cluster === other);
  if (!a || !b) return [];
  await db.insertInto('fraud_manual_links').values({ report_a: a.seq, report_b: b.seq, created_by: actor, note }).execute();
  await applyJoins(db, [], [[other, target]]);
  return promoteStatuses(db, [target]);
}

/**
 * Takes the given reports out of their cluster: their links through identifiers shared with
 * the rest, and manual links across, are undone (kept, with the reason), then the cluster is
 * recomputed.
 */
export async function splitCluster(db: Kysely<DB>, cluster: string, seqs: string[], reason: string): Promise<StatusChange[]> {
  await lockLinking(db);
  await sql`
    update fraud_report_identifiers m set state = 'undone', state_reason = ${reason}
     where m.report_seq = any(${seqs}::bigint[]) and m.state = 'linked'
       and exists (select 1 from fraud_report_identifiers o join fraud_reports r on r.seq = o.report_seq
                    where o.identifier_id = m.identifier_id and o.state = 'linked' and r.cluster_id = ${cluster}::bigint
                      and not (o.report_seq = any(${seqs}::bigint[])))`.execute(db);
  await sql`
    update fraud_manual_links set undone_at = now()
     where undone_at is null and ((report_a = any(${seqs}::bigint[])) <> (report_b = any(${seqs}::bigint[])))`.execute(db);
  return recomputeClusters(db, [cluster]);
}

/** Undoes one report's link through one identifier (with the reason) and recomputes its cluster. */
export async function undoLink(db: Kysely<DB>, seq: string, identifierId: string, reason: string): Promise<{ found: boolean; changes: StatusChange[] }> {
  await lockLinking(db);
  const row = await sql<{ cluster: string | null }>`
    update fraud_report_identifiers m set state = 'undone', state_reason = ${reason}
      from fraud_reports r
     where r.seq = m.report_seq and m.report_seq = ${seq}::bigint and m.identifier_id = ${identifierId}::bigint and m.state = 'linked'
    returning r.cluster_id::text as cluster`.execute(db);
  if (row.rows.length === 0) return { found: false, changes: [] };
  const cluster = row.rows[0].cluster;
  return { found: true, changes: cluster ? await recomputeClusters(db, [cluster]) : [] };
}

/**
 * Stops an identifier from linking (warning-listed or cleared on appeal): its links get the
 * state and reason, and the clusters it held together are recomputed.
 */
export async function stopLinkingOn(db: Kysely<DB>, identifierId: string, state: 'warning' | 'cleared', reason: string): Promise<StatusChange[]> {
  await lockLinking(db);
  const clusters = await sql<{ cluster: string }>`
    select distinct r.cluster_id::text as cluster from fraud_report_identifiers m join fraud_reports r on r.seq = m.report_seq
     where m.identifier_id = ${identifierId}::bigint and m.state = 'linked' and r.cluster_id is not null`.execute(db);
  await sql`update fraud_report_identifiers set state = ${state}, state_reason = ${reason} where identifier_id = ${identifierId}::bigint and state in ('linked', 'over_correlating')`.execute(db);
  await sql`update fraud_identifiers set cluster_id = null where id = ${identifierId}::bigint`.execute(db);
  return recomputeClusters(db, clusters.rows.map((r) => r.cluster));
}
