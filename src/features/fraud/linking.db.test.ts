import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { buildOperatorToken } from '../../../test/helpers/factories.js';
import { buildDomain, buildKzMobile, buildReport } from './fraud.test-support.js';
import { linkWeight } from './linking.repository.js';
import type { ReportInputType } from './schema.js';

describe('over-correlating identifiers', () => {
  let app: FastifyInstance;
  let investigator: string;

  beforeAll(async () => {
    // Any identifier in 3 reports is "too common" here (the share is tiny, the minimum decides).
    app = await buildTestApp({ fraudOverCorrelationMinReports: 3, fraudOverCorrelationShare: 0.000001 });
    investigator = await buildOperatorToken(app.database.db, 'investigator');
  });
  afterAll(async () => {
    await app?.close();
  });

  const created = async (identifiers: ReportInputType['identifiers']) => {
    const response = await app.inject({ method: 'POST', url: '/v1/fraud/reports', payload: { report: buildReport({ identifiers }) } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; trackingCode: string; status: string; identifiers: { state: string }[] };
  };
  const clusterOf = async (id: string) => (await sql<{ c: string }>`select cluster_id::text as c from fraud_reports where id = ${id}::uuid`.execute(app.database.db)).rows[0].c;
  const as = () => ({ authorization: `Bearer ${investigator}` });

  it('weighs an identifier less the more reports name it', () => {
    const weights = [1, 2, 4, 16, 1000].map((n) => linkWeight(n));
    expect(weights[0]).toBe(1);
    for (let i = 1; i < weights.length; i++) expect(weights[i]).toBeLessThan(weights[i - 1]);
    expect(linkWeight(5, false)).toBe(0);
  });

  it('flags an identifier named too often, stops it linking, explains why, and keeps links made by others', async () => {
    const common = `+7${buildKzMobile()}`;
    const site = buildDomain();
    const r1 = await created([{ type: 'phone', value: common }, { type: 'url', value: `https://${site}/a` }]);
    const r2 = await created([{ type: 'phone', value: common }, { type: 'url', value: site }]);
    expect(await clusterOf(r1.id)).toBe(await clusterOf(r2.id));
    const r3 = await created([{ type: 'phone', value: common }]);
    expect(r3.identifiers[0].state).toBe('over_correlating');
    expect(await clusterOf(r3.id)).not.toBe(await clusterOf(r1.id));
    expect(await clusterOf(r1.id)).toBe(await clusterOf(r2.id));

    const states = await sql<{ state: string; reason: string }>`
      select m.state, m.state_reason as reason from fraud_report_identifiers m join fraud_identifiers i on i.id = m.identifier_id
       where i.kind = 'phone' and i.value = ${common}`.execute(app.database.db);
    expect(states.rows).toHaveLength(3);
    for (const s of states.rows) {
      expect(s.state).toBe('over_correlating');
      expect(s.reason).toMatch(/named in 3 of \d+ reports|too many reports/);
    }
    const read = await app.inject({ method: 'GET', url: `/v1/fraud/clusters/${await clusterOf(r1.id)}`, headers: as() });
    expect(read.statusCode, read.body).toBe(200);
    const detail = read.json();
    expect(detail.identifiers.find((i: { kind: string }) => i.kind === 'phone')).toMatchObject({ overCorrelating: true, weight: 0, reportCount: 3 });
    expect(detail.identifiers.find((i: { kind: string }) => i.kind === 'domain')).toMatchObject({ overCorrelating: false, weight: 0.5 });
    const why = (await app.inject({ method: 'GET', url: `/v1/fraud/links/why?a=${r1.id}&b=${r2.id}`, headers: as() })).json();
    expect(why.explanation).toContain(site);
    expect(why.explanation).not.toContain(common);
    const lookup = await sql<{ flagged: boolean }>`select over_correlating_at is not null as flagged from fraud_identifiers where value = ${common}`.execute(app.database.db);
    expect(lookup.rows[0].flagged).toBe(true);
  });

  it('splits a cluster that only the flagged identifier held together, and tells the reports apart again', async () => {
    const common = `+7${buildKzMobile()}`;
    const r4 = await created([{ type: 'phone', value: common }]);
    const r5 = await created([{ type: 'phone', value: common }]);
    expect(await clusterOf(r4.id)).toBe(await clusterOf(r5.id));
    const status = async (r: { id: string; trackingCode: string }) => (await app.inject({ method: 'GET', url: `/v1/fraud/reports/${r.id}/status`, headers: { 'x-tracking-code': r.trackingCode } })).json();
    expect((await status(r4)).status).toBe('linked');
    const r6 = await created([{ type: 'phone', value: common }]);
    const clusters = new Set([await clusterOf(r4.id), await clusterOf(r5.id), await clusterOf(r6.id)]);
    expect(clusters.size).toBe(3);
    expect(await status(r4)).toMatchObject({ status: 'received', linkedReports: 0 });
    const totals = await sql<{ n: number }>`select report_count as n from fraud_clusters where id = any(${[...clusters]}::bigint[])`.execute(app.database.db);
    expect(totals.rows.map((t) => t.n)).toEqual([1, 1, 1]);
  });
});

describe('identifiers that tie many separate operations together', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    // The share rule is out of the way (100%); an identifier is judged from 3 reports on, by its connections (more than 4).
    app = await buildTestApp({ fraudOverCorrelationMinReports: 3, fraudOverCorrelationShare: 1, fraudOverCorrelationMaxConnections: 4 });
  });
  afterAll(async () => {
    await app?.close();
  });

  const created = async (identifiers: ReportInputType['identifiers']) => {
    const response = await app.inject({ method: 'POST', url: '/v1/fraud/reports', payload: { report: buildReport({ identifiers }) } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; identifiers: { state: string }[] };
  };
  const clustersOf = async (ids: string[]) =>
    (await sql<{ c: string }>`select distinct cluster_id::text as c from fraud_reports where id = any(${ids}::uuid[])`.execute(app.database.db)).rows.map((r) => r.c);
  const phone = () => ({ type: 'phone' as const, value: `+7${buildKzMobile()}` });

  it('flags a spoofed number named in the reports of six unrelated operations, and keeps the operations apart', async () => {
    const spoofed = phone();
    const operations: string[][] = [];
    for (let op = 0; op < 6; op++) {
      const own = phone();
      const site = { type: 'url' as const, value: `https://${buildDomain()}/pay` };
      const a = await created([own, site]);
      const b = await created([own, spoofed]);
      operations.push([a.id, b.id]);
    }
    // Counted at 3 reports (3 connections: not yet), again at 6 (6 connections, more than 4): flagged.
    const links = await sql<{ state: string; reason: string }>`
      select m.state, m.state_reason as reason from fraud_report_identifiers m join fraud_identifiers i on i.id = m.identifier_id
       where i.kind = 'phone' and i.value = ${spoofed.value}`.execute(app.database.db);
    expect(links.rows).toHaveLength(6);
    for (const l of links.rows) {
      expect(l.state).toBe('over_correlating');
      expect(l.reason).toMatch(/named in 6 reports together with 6 other identifiers .*more than 4.*separate cases/);
    }
    for (const reports of operations) expect(await clustersOf(reports)).toHaveLength(1);
    expect(await clustersOf(operations.flat())).toHaveLength(6);
  });

  it('still links a large operation through its own numbers, however many reports name them', async () => {
    // One operation: four identifiers of its own, each report naming two of them and a number of its own victim's call log.
    const ownIdentifiers = [phone(), phone(), phone(), { type: 'url' as const, value: `https://${buildDomain()}/login` }];
    const ids: string[] = [];
    for (let i = 0; i < 14; i++) {
      const report = await created([ownIdentifiers[i % 4], ownIdentifiers[(i + 1 + (i % 3)) % 4], phone()]);
      expect(report.identifiers.every((x) => x.state === 'linked')).toBe(true);
      ids.push(report.id);
    }
    expect(await clustersOf(ids)).toHaveLength(1);
    const flagged = await sql<{ n: number }>`
      select count(*)::int as n from fraud_identifiers i where i.over_correlating_at is not null
         and i.id in (select identifier_id from fraud_report_identifiers m join fraud_reports r on r.seq = m.report_seq where r.id = any(${ids}::uuid[]))`.execute(app.database.db);
    expect(flagged.rows[0].n).toBe(0);
    const counted = await sql<{ n: number }>`select max(connection_count)::int as n from fraud_identifiers where value = ${ownIdentifiers[0].value}`.execute(app.database.db);
    expect(counted.rows[0].n).toBe(3);
  });
});

describe('reports arriving at the same moment', () => {
  it('end in one cluster when they share identifiers, however they interleave', async () => {
    const app = await buildTestApp();
    try {
      const phones = Array.from({ length: 6 }, () => `+7${buildKzMobile()}`);
      // A chain: report i names phones i and i+1, so all twelve belong together.
      const inputs = Array.from({ length: 12 }, (_, i) => [
        { type: 'phone' as const, value: phones[i % 6] },
        { type: 'phone' as const, value: phones[(i + 1) % 6].replace('+7', '8') },
      ]);
      const responses = await Promise.all(inputs.map((identifiers) => app.inject({ method: 'POST', url: '/v1/fraud/reports', payload: { report: buildReport({ identifiers }) } })));
      expect(responses.map((r) => r.statusCode)).toEqual(Array(12).fill(201));
      const ids = responses.map((r) => r.json().id as string);
      const clusters = await sql<{ c: string; n: number }>`
        select r.cluster_id::text as c, c.report_count as n from fraud_reports r join fraud_clusters c on c.id = r.cluster_id where r.id = any(${ids}::uuid[]) group by 1, 2`.execute(app.database.db);
      expect(clusters.rows).toEqual([{ c: expect.any(String), n: 12 }]);
      const identifierClusters = await sql<{ c: string }>`select distinct cluster_id::text as c from fraud_identifiers where kind = 'phone' and value = any(${phones}::text[])`.execute(app.database.db);
      expect(identifierClusters.rows.map((r) => r.c)).toEqual([clusters.rows[0].c]);

      // Clusters merging while another report joins one of them: nobody may land in a merged-away cluster.
      const setups = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const [a, b, c] = [`+7${buildKzMobile()}`, `+7${buildKzMobile()}`, `+7${buildKzMobile()}`];
          for (const identifiers of [[a], [b, c]]) {
            await app.inject({ method: 'POST', url: '/v1/fraud/reports', payload: { report: buildReport({ identifiers: identifiers.map((value) => ({ type: 'phone' as const, value })) }) } });
          }
          return { a, b, c };
        }),
      );
      const racing = await Promise.all(
        setups.flatMap(({ a, b, c }) => [
          app.inject({ method: 'POST', url: '/v1/fraud/reports', payload: { report: buildReport({ identifiers: [{ type: 'phone', value: a }, { type: 'phone', value: b }] }) } }),
          app.inject({ method: 'POST', url: '/v1/fraud/reports', payload: { report: buildReport({ identifiers: [{ type: 'phone', value: c }] }) } }),
        ]),
      );
      const raced = racing.map((r) => r.json().id as string);
      const stray = await sql<{ n: number }>`
        select count(*)::int as n from fraud_reports r join fraud_clusters c on c.id = r.cluster_id where r.id = any(${raced}::uuid[]) and c.merged_into is not null`.execute(app.database.db);
      expect(stray.rows[0].n).toBe(0);
      const sizes = await sql<{ ok: boolean }>`
        select bool_and(c.report_count = (select count(*) from fraud_reports r where r.cluster_id = c.id)) as ok
          from fraud_clusters c where c.id in (select cluster_id from fraud_reports where id = any(${raced}::uuid[]))`.execute(app.database.db);
      expect(sizes.rows[0].ok).toBe(true);
    } finally {
      await app.close();
    }
  });
});
