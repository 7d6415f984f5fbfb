import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api';
import { useFormat } from '../../format';
import { useRegions } from '../../regions';
import { IntervalChart } from './IntervalChart';

interface Figure { estimate: number; low: number; high: number }
interface Entry { region: string | null; ageGroup: string | null; sex: string | null; n: number; coverage: number; suppressed: boolean; allBasic: Figure | null; score: Figure | null; scamResistance: Figure | null }
interface IndexAnswer { period: string; level: string; minCellSize: number; weights: Record<string, number>; entries: Entry[] }
interface CompareAnswer { groups: { region: string | null; from: Entry | null; to: Entry; change: Record<Measure, Figure | null> }[] }
interface FraudJoin { rows: { region: string; ageGroup: string; population: number; index: Entry | null; fraudReports: number | null; fraudLossesKzt: number | null; fraudReportsPer100k: number | null }[] }

const MEASURES = ['score', 'allBasic', 'scamResistance'] as const;
type Measure = (typeof MEASURES)[number];

/**
 * A simplified map of Kazakhstan: each region is a square placed roughly where it lies (column
 * west to east, row north to south). Not borders; the table below gives every figure exactly.
 */
const TILES: Record<string, [number, number, string]> = {
  'west-kazakhstan': [0, 0, 'WKO'],
  kostanay: [2, 0, 'KOS'],
  'north-kazakhstan': [3, 0, 'NKO'],
  pavlodar: [5, 0, 'PAV'],
  atyrau: [0, 1, 'ATY'],
  aktobe: [1, 1, 'AKT'],
  akmola: [3, 1, 'AKM'],
  astana: [4, 1, 'AST'],
  abai: [5, 1, 'ABA'],
  'east-kazakhstan': [6, 1, 'EKO'],
  mangystau: [0, 2, 'MAN'],
  ulytau: [2, 2, 'ULY'],
  karaganda: [3, 2, 'KAR'],
  zhetisu: [6, 2, 'ZHE'],
  kyzylorda: [2, 3, 'KYZ'],
  turkistan: [3, 3, 'TUR'],
  zhambyl: [4, 3, 'ZHA'],
  'almaty-region': [5, 3, 'ALR'],
  'almaty-city': [6, 3, 'ALA'],
  shymkent: [3, 4, 'SHY'],
};
const TILE = 64;
/** Light to dark blue: the same shade means the same figure on every period and measure scale 0-100. */
const shade = (value: number) => {
  const t = Math.max(0, Math.min(1, value / 100));
  const mix = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `rgb(${mix(222, 8)}, ${mix(235, 48)}, ${mix(247, 107)})`;
};

/** The public digital literacy index: charts, a map by region, comparison across periods, the join with fraud. */
export function IndexPage() {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const { nameOf, regions } = useRegions();
  const periods = useQuery({ queryKey: ['literacy', 'periods'], queryFn: () => api<{ period: string; n: number }[]>('/v1/literacy/index/periods') });
  const sorted = useMemo(() => [...(periods.data ?? [])].map((p) => p.period).sort().reverse(), [periods.data]);
  const [chosen, setChosen] = useState<string | null>(null);
  const [compareWith, setCompareWith] = useState('');
  const [measure, setMeasure] = useState<Measure>('score');
  const period = chosen ?? sorted[0] ?? null;
  const byRegion = useQuery({ queryKey: ['literacy', 'index', period, 'region'], enabled: Boolean(period), queryFn: () => api<IndexAnswer>(`/v1/literacy/index?period=${period}&level=region`) });
  const national = useQuery({ queryKey: ['literacy', 'index', period, 'national'], enabled: Boolean(period), queryFn: () => api<IndexAnswer>(`/v1/literacy/index?period=${period}&level=national`) });
  const byAge = useQuery({ queryKey: ['literacy', 'index', period, 'age-group'], enabled: Boolean(period), queryFn: () => api<IndexAnswer>(`/v1/literacy/index?period=${period}&level=age-group`) });
  const compare = useQuery({
    queryKey: ['literacy', 'compare', compareWith, period],
    enabled: Boolean(period && compareWith),
    queryFn: () => api<CompareAnswer>(`/v1/literacy/index/compare?from=${compareWith}&to=${period}&level=region`),
  });
  const fraud = useQuery({ queryKey: ['literacy', 'fraud', period], enabled: Boolean(period), queryFn: () => api<FraudJoin>(`/v1/literacy/index/fraud?period=${period}`) });

  const entries = byRegion.data?.entries ?? [];
  const regionRows = useMemo(
    () => entries.map((e) => ({ label: `${nameOf(e.region)}${e.suppressed ? ` (${t('index.suppressed')})` : ''}`, estimate: e[measure]?.estimate ?? null, low: e[measure]?.low ?? null, high: e[measure]?.high ?? null })),
    [entries, measure, nameOf, t],
  );
  const ageRows = useMemo(
    () => (byAge.data?.entries ?? []).map((e) => ({ label: `${e.ageGroup}${e.suppressed ? ` (${t('index.suppressed')})` : ''}`, estimate: e[measure]?.estimate ?? null, low: e[measure]?.low ?? null, high: e[measure]?.high ?? null })),
    [byAge.data, measure, t],
  );
  const whole = national.data?.entries[0];
  const measureName = t(`index.measure_${measure}`);
  const change = (region: string | null) => compare.data?.groups.find((g) => g.region === region)?.change[measure] ?? null;

  return (
    <section>
      <h1>{t('index.title')}</h1>
      <p className="lead">{t('index.intro')}</p>
      {periods.isSuccess && sorted.length === 0 ? <p>{t('index.noPeriods')}</p> : null}
      {period ? (
        <>
          <div className="card controls">
            <div className="field">
              <label htmlFor={`${id}-period`}>{t('index.period')}</label>
              <select id={`${id}-period`} value={period} onChange={(e) => setChosen(e.target.value)}>
                {sorted.map((p) => <option key={p} value={p}>{p}</option>)}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-compare`}>{t('index.compareWith')}</label>
              <select id={`${id}-compare`} value={compareWith} onChange={(e) => setCompareWith(e.target.value)}>
                <option value="">{t('index.noCompare')}</option>
                {sorted.filter((p) => p !== period).map((p) => <option key={p} value={p}>{p}</option>)}
              </select>
            </div>
            <fieldset>
              <legend>{t('index.measure')}</legend>
              {MEASURES.map((m) => (
                <label key={m} className="check"><input type="radio" name={`${id}-measure`} checked={measure === m} onChange={() => setMeasure(m)} /> {t(`index.measure_${m}`)}</label>
              ))}
            </fieldset>
          </div>

          {whole ? (
            <p className="lead" data-testid="national">
              {whole.suppressed || !whole[measure]
                ? t('index.nationalSuppressed', { n: f.number(whole.n) })
                : t('index.national', { value: f.number(whole[measure]!.estimate), low: f.number(whole[measure]!.low), high: f.number(whole[measure]!.high), n: f.number(whole.n) })}
            </p>
          ) : null}
          {byRegion.data ? (
            <p className="hint">
              {t('index.minCell', { count: byRegion.data.minCellSize })}{' '}
              {t('index.weights', { weights: Object.entries(byRegion.data.weights).map(([area, w]) => `${t(`assessment.area_${area}`)} ${f.number(w)}`).join(', ') })}
            </p>
          ) : null}

          <h2>{t('index.map')}</h2>
          <p className="hint">{t('index.mapHint')}</p>
          <TileMap entries={entries} measure={measure} label={`${t('index.map')}: ${measureName}, ${period}`} nameOf={nameOf} />

          <h2>{t('index.chart')}</h2>
          <IntervalChart rows={regionRows} label={`${t('index.chart')}: ${measureName}, ${period}`} testId="region-chart" />
          <h2>{t('index.byAge')}</h2>
          <IntervalChart rows={ageRows} label={`${t('index.byAge')}: ${measureName}, ${period}`} testId="age-chart" />

          <h2>{t('index.table')}</h2>
          <table data-testid="index-table">
            <caption className="sr-only">{`${measureName}, ${period}`}</caption>
            <thead>
              <tr>
                <th scope="col">{t('index.regionCol')}</th>
                <th scope="col">{t('index.estimate')}</th>
                <th scope="col">{t('index.interval')}</th>
                <th scope="col">{t('index.n')}</th>
                {compareWith ? <th scope="col">{t('index.change', { period: compareWith })}</th> : null}
              </tr>
            </thead>
            <tbody>
              {regions.map(({ code }) => {
                // Every region is listed: one without results is shown as too small, never left out.
                const e = entries.find((x) => x.region === code) ?? { region: code, n: 0, suppressed: true, score: null, allBasic: null, scamResistance: null };
                const fig = e.suppressed ? null : e[measure];
                const c = change(e.region);
                return (
                  <tr key={e.region}>
                    <th scope="row">{nameOf(e.region)}</th>
                    <td>{fig ? f.number(fig.estimate) : t('index.suppressed')}</td>
                    <td>{fig ? `${f.number(fig.low)}–${f.number(fig.high)}` : '—'}</td>
                    <td>{f.number(e.n)}</td>
                    {compareWith ? <td>{c ? `${c.estimate > 0 ? '+' : ''}${f.number(c.estimate)} (${f.number(c.low)}…${f.number(c.high)})` : '—'}</td> : null}
                  </tr>
                );
              })}
            </tbody>
          </table>

          <h2>{t('index.fraud')}</h2>
          <p className="hint">{t('index.fraudHint')}</p>
          <table data-testid="fraud-join">
            <thead>
              <tr>
                <th scope="col">{t('index.regionCol')}</th>
                <th scope="col">{t('index.ageCol')}</th>
                <th scope="col">{t('index.measure_scamResistance')}</th>
                <th scope="col">{t('index.fraudReports')}</th>
                <th scope="col">{t('index.per100k')}</th>
                <th scope="col">{t('index.fraudLosses')}</th>
              </tr>
            </thead>
            <tbody>
              {(fraud.data?.rows ?? [])
                .filter((r) => (r.index && !r.index.suppressed) || r.fraudReports !== null)
                .map((r) => (
                  <tr key={`${r.region}-${r.ageGroup}`}>
                    <th scope="row">{nameOf(r.region)}</th>
                    <td>{r.ageGroup}</td>
                    <td>{r.index?.scamResistance ? `${f.number(r.index.scamResistance.estimate)} (${f.number(r.index.scamResistance.low)}–${f.number(r.index.scamResistance.high)})` : t('index.suppressed')}</td>
                    <td>{r.fraudReports === null ? '—' : f.number(r.fraudReports)}</td>
                    <td>{r.fraudReportsPer100k === null ? '—' : f.number(r.fraudReportsPer100k)}</td>
                    <td>{r.fraudLossesKzt === null ? '—' : f.tenge(r.fraudLossesKzt)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

function TileMap({ entries, measure, label, nameOf }: { entries: Entry[]; measure: Measure; label: string; nameOf: (code: string | null) => string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const byRegion = new Map(entries.map((e) => [e.region, e]));
  return (
    <figure className="tile-map">
      <svg viewBox={`0 0 ${7 * TILE} ${5 * TILE + 30}`} role="img" aria-label={label} data-testid="tile-map">
        <defs>
          <pattern id="suppressed-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="8" height="8" fill="#f3f4f6" />
            <line x1="0" y1="0" x2="0" y2="8" stroke="#9ca3af" strokeWidth="3" />
          </pattern>
        </defs>
        {Object.entries(TILES).map(([region, [col, row, short]]) => {
          const entry = byRegion.get(region);
          const fig = entry && !entry.suppressed ? entry[measure] : null;
          const dark = fig ? fig.estimate > 55 : false;
          return (
            <g key={region} transform={`translate(${col * TILE + 2}, ${row * TILE + 2})`} data-region={region} data-suppressed={fig ? 'false' : 'true'}>
              <title>{`${nameOf(region)}: ${fig ? `${f.number(fig.estimate)} (${f.number(fig.low)}–${f.number(fig.high)})` : t('index.suppressed')}`}</title>
              <rect width={TILE - 4} height={TILE - 4} rx="6" fill={fig ? shade(fig.estimate) : 'url(#suppressed-hatch)'} stroke="#374151" strokeWidth="1" />
              <text x={(TILE - 4) / 2} y="24" textAnchor="middle" fontSize="13" fontWeight="bold" fill={dark ? '#fff' : '#111'}>{short}</text>
              <text x={(TILE - 4) / 2} y="44" textAnchor="middle" fontSize="13" fill={dark ? '#fff' : '#111'}>{fig ? f.number(Math.round(fig.estimate)) : '—'}</text>
            </g>
          );
        })}
        <g transform={`translate(2, ${5 * TILE + 6})`} aria-hidden="true">
          <text x="0" y="14" fontSize="12" fill="#111">{t('index.legendLow')}</text>
          {[0, 20, 40, 60, 80, 100].map((v, i) => <rect key={v} x={60 + i * 28} y="2" width="28" height="16" fill={shade(v)} />)}
          <text x={60 + 6 * 28 + 6} y="14" fontSize="12" fill="#111">{t('index.legendHigh')}</text>
          <rect x={60 + 6 * 28 + 70} y="2" width="28" height="16" fill="url(#suppressed-hatch)" stroke="#374151" />
          <text x={60 + 6 * 28 + 104} y="14" fontSize="12" fill="#111">{t('index.suppressed')}</text>
        </g>
      </svg>
    </figure>
  );
}
