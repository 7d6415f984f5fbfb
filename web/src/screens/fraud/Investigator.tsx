import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import cytoscape from 'cytoscape';
import { Loaded } from '../../components/Query';
import { TokenForm } from '../../components/TokenForm';
import { useFormat } from '../../format';
import { officeApi, useOfficeToken } from '../../office';
import { useRegions } from '../../regions';
import { CaseActions } from './CaseActions';

interface ClusterSummary {
  id: string;
  reportCount: number;
  totalLossKzt: number;
  regions: string[];
  firstAt: string | null;
  lastAt: string | null;
  growth30d: number;
  status: 'open' | 'under_investigation' | 'solved' | 'closed';
  assignee: string | null;
}
interface ClusterIdentifier { id: string; kind: string; display: string; reportCount: number; weight: number; overCorrelating: boolean; warningListed: string | null }
interface ClusterReport {
  id: string;
  occurredAt: string;
  region: string;
  scheme: string;
  channel: string;
  lossKzt: number;
  narrative: string;
  signed: boolean;
  status: string;
  links: { identifierId: string; kind: string; display: string; asReported: string; state: string; reason: string | null }[];
}
interface ClusterDetail { cluster: ClusterSummary; reports: ClusterReport[]; identifiers: ClusterIdentifier[]; notes: { author: string; text: string; at: string }[] }
interface LinkReason { together: boolean; explanation: string }

const STATUSES = ['open', 'under_investigation', 'solved', 'closed'] as const;
/** Short labels for reports in the graph: R1, R2 ... in the order the case lists them. */
const shortName = (index: number) => `R${index + 1}`;

/** Investigators: cases sorted by losses or growth, and a picture of what links each case's reports. */
export function Investigator() {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const { nameOf } = useRegions();
  const { token, save, clear } = useOfficeToken('investigator');
  const [sort, setSort] = useState<'losses' | 'growth'>('losses');
  const [open, setOpen] = useState<string | null>(null);
  const clusters = useQuery({ queryKey: ['investigator', 'clusters', token, sort], enabled: Boolean(token), queryFn: () => officeApi<ClusterSummary[]>(token!, `/v1/fraud/clusters?sort=${sort}&limit=100`) });
  if (!token) {
    return (
      <section>
        <h1>{t('investigator.title')}</h1>
        <TokenForm label={t('investigator.token')} hint={t('investigator.tokenHint')} onSave={save} />
      </section>
    );
  }
  return (
    <section>
      <h1>{t('investigator.title')}</h1>
      <p><button type="button" onClick={clear}>{t('office.forget')}</button></p>
      <h2>{t('investigator.clusters')}</h2>
      <div className="field inline-field">
        <label htmlFor={`${id}-sort`}>{t('investigator.sort')}</label>{' '}
        <select id={`${id}-sort`} value={sort} onChange={(e) => setSort(e.target.value as 'losses' | 'growth')}>
          <option value="losses">{t('investigator.sort_losses')}</option>
          <option value="growth">{t('investigator.sort_growth')}</option>
        </select>
      </div>
      <Loaded query={clusters}>
        {(items) =>
          items.length === 0 ? <p>{t('investigator.none')}</p> : (
            <table data-testid="clusters">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('investigator.reports')}</th>
                  <th scope="col">{t('investigator.losses')}</th>
                  <th scope="col">{t('investigator.growth')}</th>
                  <th scope="col">{t('investigator.regions')}</th>
                  <th scope="col">{t('investigator.status')}</th>
                  <th scope="col">{t('roles.inv.assignee')}</th>
                  <th scope="col"><span className="sr-only">{t('investigator.open', { id: '' })}</span></th>
                </tr>
              </thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.id} data-cluster={c.id}>
                    <td>{c.id}</td>
                    <td>{f.number(c.reportCount)}</td>
                    <td>{f.tenge(c.totalLossKzt)}</td>
                    <td>{f.number(c.growth30d)}</td>
                    <td>{c.regions.map(nameOf).join(', ')}</td>
                    <td>{t(`investigator.status_${c.status}`)}</td>
                    <td>{c.assignee ?? '—'}</td>
                    <td><button type="button" onClick={() => setOpen(c.id)}>{t('investigator.open', { id: c.id })}</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      {open ? <ClusterView token={token} clusterId={open} /> : null}
    </section>
  );
}

type Selection = { identifierId: string; reportId?: string };

function ClusterView({ token, clusterId }: { token: string; clusterId: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const client = useQueryClient();
  const { nameOf } = useRegions();
  const detail = useQuery({ queryKey: ['investigator', 'cluster', token, clusterId], queryFn: () => officeApi<ClusterDetail>(token, `/v1/fraud/clusters/${clusterId}`) });
  const [selected, setSelected] = useState<Selection | null>(null);
  const [pair, setPair] = useState<{ a: string; b: string }>({ a: '', b: '' });
  const [note, setNote] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [clusterId]);
  const refresh = () => client.invalidateQueries({ queryKey: ['investigator'] });
  const why = useMutation({ mutationFn: () => officeApi<LinkReason>(token, `/v1/fraud/links/why?a=${pair.a}&b=${pair.b}`) });
  const setStatus = useMutation({ mutationFn: (status: string) => officeApi(token, `/v1/fraud/clusters/${clusterId}/status`, { method: 'POST', body: { status } }), onSuccess: refresh });
  const addNote = useMutation({ mutationFn: () => officeApi(token, `/v1/fraud/clusters/${clusterId}/notes`, { method: 'POST', body: { text: note } }), onSuccess: async () => { setNote(''); await refresh(); } });

  return (
    <section aria-labelledby={`${id}-title`} className="card">
      <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>{t('investigator.case', { id: clusterId })}</h2>
      <Loaded query={detail}>
        {(d) => {
          const names = new Map(d.reports.map((r, i) => [r.id, shortName(i)]));
          const identifier = selected ? d.identifiers.find((i) => i.id === selected.identifierId) : undefined;
          const naming = selected ? d.reports.filter((r) => r.links.some((l) => l.identifierId === selected.identifierId)) : [];
          const link = selected?.reportId ? d.reports.find((r) => r.id === selected.reportId)?.links.find((l) => l.identifierId === selected.identifierId) : undefined;
          return (
            <>
              <p>
                {f.number(d.cluster.reportCount)} {t('investigator.reports').toLowerCase()} — {f.tenge(d.cluster.totalLossKzt)} — {d.cluster.regions.map(nameOf).join(', ')} — {t('investigator.span')}: {f.date(d.cluster.firstAt)} – {f.date(d.cluster.lastAt)}
              </p>
              <h3>{t('investigator.graph')}</h3>
              <p className="hint">{t('investigator.graphHint')}</p>
              <LinkGraph detail={d} onSelect={setSelected} />
              <ul className="legend" aria-label={t('investigator.graph')}>
                <li><span className="swatch linked" aria-hidden="true" /> {t('investigator.legendLinked')}</li>
                <li><span className="swatch warning" aria-hidden="true" /> {t('investigator.legendWarning')}</li>
                <li><span className="swatch over" aria-hidden="true" /> {t('investigator.legendOver')}</li>
                <li><span className="swatch undone" aria-hidden="true" /> {t('investigator.legendUndone')}</li>
              </ul>

              {identifier ? (
                <div className="card why" role="region" aria-live="polite" aria-label={t('investigator.why')} data-testid="link-why">
                  <h3>{t('investigator.why')}</h3>
                  <p><strong>{t('investigator.whyIdentifier', { kind: t(`fraud.kind_${identifier.kind}`), display: identifier.display })}</strong></p>
                  <p>{t('investigator.whyWeight', { weight: f.number(Math.round(identifier.weight * 100) / 100), count: f.number(identifier.reportCount) })}</p>
                  {identifier.warningListed ? <p className="error">{t('investigator.warningListed', { owner: identifier.warningListed })}</p> : null}
                  {identifier.overCorrelating ? <p className="error">{t('investigator.overCorrelating')}</p> : null}
                  {link ? (
                    <p>{t('investigator.whyState')}: {t(`fraudStatus.state_${link.state}`)}{link.reason ? ` — ${t('investigator.whyReason')}: ${link.reason}` : ''}</p>
                  ) : null}
                  <h4>{t('investigator.whyReports')}</h4>
                  <ul>
                    {naming.map((r) => (
                      <li key={r.id}>
                        <strong>{names.get(r.id)}</strong> {f.date(r.occurredAt)}, {nameOf(r.region)}, {t(`fraud.scheme_${r.scheme}`)}, {f.tenge(r.lossKzt)} — «{r.links.find((l) => l.identifierId === identifier.id)?.asReported}»
                      </li>
                    ))}
                  </ul>
                </div>
              ) : null}

              <h3>{t('investigator.links')}</h3>
              <table data-testid="identifiers">
                <thead><tr><th scope="col">{t('lookup.type')}</th><th scope="col">{t('lookup.value')}</th><th scope="col">{t('investigator.reports')}</th><th scope="col"><span className="sr-only">{t('investigator.why')}</span></th></tr></thead>
                <tbody>
                  {d.identifiers.map((i) => (
                    <tr key={i.id}>
                      <td>{t(`fraud.kind_${i.kind}`)}</td>
                      <td className="mono">{i.display}{i.warningListed ? ' ⚠' : ''}{i.overCorrelating ? ' ⊘' : ''}</td>
                      <td>{d.reports.filter((r) => r.links.some((l) => l.identifierId === i.id)).map((r) => names.get(r.id)).join(', ')}</td>
                      <td><button type="button" onClick={() => setSelected({ identifierId: i.id })}>{t('investigator.why')}<span className="sr-only"> {i.display}</span></button></td>
                    </tr>
                  ))}
                </tbody>
              </table>

              <h3>{t('investigator.reports')}</h3>
              <ol className="cards">
                {d.reports.map((r) => (
                  <li key={r.id} className="card">
                    <p><strong>{names.get(r.id)}</strong> — {f.date(r.occurredAt)}, {nameOf(r.region)}, {t(`fraud.channel_${r.channel}`)}, {t(`fraud.scheme_${r.scheme}`)}, {f.tenge(r.lossKzt)} — {r.signed ? t('fraudStatus.signed') : t('fraudStatus.unsigned')}</p>
                    <p>{r.narrative}</p>
                  </li>
                ))}
              </ol>

              <form className="card" onSubmit={(e) => { e.preventDefault(); why.mutate(); }} aria-label={t('investigator.pairTitle')}>
                <h3>{t('investigator.pairTitle')}</h3>
                <div className="two">
                  {(['a', 'b'] as const).map((side) => (
                    <div className="field" key={side}>
                      <label htmlFor={`${id}-pair-${side}`}>{side === 'a' ? t('investigator.pairA') : t('investigator.pairB')}</label>
                      <select id={`${id}-pair-${side}`} value={pair[side]} onChange={(e) => setPair({ ...pair, [side]: e.target.value })}>
                        <option value="">—</option>
                        {d.reports.map((r) => <option key={r.id} value={r.id}>{names.get(r.id)}</option>)}
                      </select>
                    </div>
                  ))}
                </div>
                <button type="submit" disabled={!pair.a || !pair.b}>{t('investigator.pairSubmit')}</button>
                {why.data ? <p role="status" data-testid="pair-why">{why.data.explanation}</p> : null}
                {why.isError ? <p role="alert" className="error">{(why.error as Error).message}</p> : null}
              </form>

              <div className="card">
                <div className="field">
                  <label htmlFor={`${id}-status`}>{t('investigator.setStatus')}</label>
                  <select id={`${id}-status`} value={d.cluster.status} onChange={(e) => setStatus.mutate(e.target.value)}>
                    {STATUSES.map((s) => <option key={s} value={s}>{t(`investigator.status_${s}`)}</option>)}
                  </select>
                </div>
                <ul>{d.notes.map((n) => <li key={n.at + n.text}>{f.dateTime(n.at)} {n.author}: {n.text}</li>)}</ul>
                <form onSubmit={(e) => { e.preventDefault(); if (note.trim()) addNote.mutate(); }}>
                  <div className="field">
                    <label htmlFor={`${id}-note`}>{t('investigator.note')}</label>
                    <textarea id={`${id}-note`} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
                  </div>
                  <button type="submit">{t('investigator.addNote')}</button>
                </form>
                {setStatus.isSuccess || addNote.isSuccess ? <p role="status" className="ok">{t('investigator.saved')}</p> : null}
              </div>
              <CaseActions
                key={clusterId}
                token={token}
                clusterId={clusterId}
                assignee={d.cluster.assignee}
                reports={d.reports.map((r) => ({ id: r.id, name: names.get(r.id) ?? '', summary: `${f.date(r.occurredAt)}, ${nameOf(r.region)}, ${f.tenge(r.lossKzt)}` }))}
              />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

/**
 * The case as a graph: reports (circles) joined to what they name (squares). There is no edge
 * between two reports: a link is always "both name this", which is what an investigator asks.
 */
function LinkGraph({ detail, onSelect }: { detail: ClusterDetail; onSelect: (s: Selection) => void }) {
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const select = useRef(onSelect);
  select.current = onSelect;
  useEffect(() => {
    if (!container.current) return;
    const identifiers = new Map(detail.identifiers.map((i) => [i.id, i]));
    const names = new Map(detail.reports.map((r, i) => [r.id, shortName(i)]));
    const elements: cytoscape.ElementDefinition[] = [
      ...detail.reports.map((r) => ({ data: { id: `r:${r.id}`, label: names.get(r.id) ?? '' }, classes: 'report' })),
      ...detail.identifiers.map((i) => ({
        data: { id: `i:${i.id}`, label: `${i.display}`, identifierId: i.id },
        classes: `identifier${i.warningListed ? ' warning' : ''}${i.overCorrelating ? ' over' : ''}`,
      })),
      ...detail.reports.flatMap((r) =>
        r.links
          .filter((l) => identifiers.has(l.identifierId))
          .map((l) => ({ data: { id: `e:${r.id}:${l.identifierId}`, source: `r:${r.id}`, target: `i:${l.identifierId}`, identifierId: l.identifierId, reportId: r.id }, classes: l.state })),
      ),
    ];
    const cy = cytoscape({
      container: container.current,
      elements,
      layout: { name: 'cose', animate: false, randomize: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 90 },
      wheelSensitivity: 0.3,
      style: [
        { selector: 'node', style: { label: 'data(label)', 'font-size': 13, color: '#111', 'text-valign': 'bottom', 'text-margin-y': 4 } },
        { selector: 'node.report', style: { shape: 'ellipse', 'background-color': '#1d4f91', width: 30, height: 30 } },
        { selector: 'node.identifier', style: { shape: 'round-rectangle', 'background-color': '#6b7280', width: 22, height: 22 } },
        { selector: 'node.warning', style: { 'background-color': '#b45309', 'border-width': 3, 'border-color': '#7c2d12' } },
        { selector: 'node.over', style: { 'background-color': '#9f1239', 'border-width': 3, 'border-style': 'dashed', 'border-color': '#4c0519' } },
        { selector: 'edge', style: { width: 3, 'line-color': '#1d4f91', 'curve-style': 'bezier' } },
        { selector: 'edge.warning', style: { 'line-color': '#b45309', 'line-style': 'dashed' } },
        { selector: 'edge.over_correlating', style: { 'line-color': '#9f1239', 'line-style': 'dashed' } },
        { selector: 'edge.undone, edge.cleared', style: { 'line-color': '#9ca3af', 'line-style': 'dotted' } },
        { selector: ':selected', style: { 'overlay-color': '#f59e0b', 'overlay-opacity': 0.35, 'overlay-padding': 6 } },
      ],
    });
    cy.on('tap', 'edge', (event) => select.current({ identifierId: event.target.data('identifierId'), reportId: event.target.data('reportId') }));
    cy.on('tap', 'node.identifier', (event) => select.current({ identifierId: event.target.data('identifierId') }));
    // Tests and people with assistive technology use the table below; the page also exposes the graph's edges to tests.
    (container.current as HTMLDivElement & { cy?: cytoscape.Core }).cy = cy;
    return () => cy.destroy();
  }, [detail]);
  return <div ref={container} className="graph" role="img" aria-label={t('investigator.graph')} data-testid="link-graph" />;
}
