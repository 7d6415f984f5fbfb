import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { api } from '../../api';
import { Loaded } from '../../components/Query';
import { useFormat } from '../../format';
import { useRegions } from '../../regions';

const BY = ['month', 'region', 'channel', 'scheme'] as const;
type By = (typeof BY)[number];

interface Row { key: string; reports: number | null; lossKzt: number | null; solvedShare: number | null; suppressed: boolean }
interface Statistics { by: string; minimumCell: number; rows: Row[]; total: { reports: number | null; lossKzt: number | null; solvedShare: number | null } }

/** /fraud/statistics: public figures of fraud reports; cells too small to be safe come suppressed from the API and are said so. */
export function FraudStatistics() {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  const { nameOf } = useRegions();
  const id = useId();
  const [by, setBy] = useState<By>('month');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const query = useQuery({
    queryKey: ['fraud-statistics', by, from, to],
    queryFn: () => api<Statistics>(`/v1/fraud/statistics?${new URLSearchParams({ by, ...(from ? { from } : {}), ...(to ? { to } : {}) })}`),
  });
  const month = (key: string) => {
    const [y, m] = key.split('-').map(Number);
    // Kazakh month names are missing from many browsers' data: write 11.2026 there.
    if (i18n.resolvedLanguage === 'kk') return `${String(m).padStart(2, '0')}.${y}`;
    return new Intl.DateTimeFormat(f.locale, { month: 'long', year: 'numeric' }).format(new Date(Date.UTC(y, m - 1, 15)));
  };
  const label = (key: string) =>
    by === 'month' ? month(key) : by === 'region' ? nameOf(key) : by === 'channel' ? t(`fraud.channel_${key}`, key) : t(`fraud.scheme_${key}`, key);
  const percent = (share: number | null) => (share === null ? '—' : `${f.number(Math.round(share * 100))} %`);
  return (
    <section>
      <h1>{t('ops.stats.title')}</h1>
      <p className="lead">{t('ops.stats.intro')}</p>
      <div role="group" aria-label={t('ops.stats.by')} className="actions">
        {BY.map((b) => (
          <button key={b} type="button" aria-pressed={by === b} onClick={() => setBy(b)}>{t(`ops.stats.by_${b}`)}</button>
        ))}
      </div>
      <div className="actions">
        <div className="field"><label htmlFor={`${id}-from`}>{t('ops.stats.from')}</label><input id={`${id}-from`} type="date" value={from} onChange={(e) => setFrom(e.target.value)} /></div>
        <div className="field"><label htmlFor={`${id}-to`}>{t('ops.stats.to')}</label><input id={`${id}-to`} type="date" value={to} onChange={(e) => setTo(e.target.value)} /></div>
      </div>
      <Loaded query={query}>
        {(s) =>
          s.rows.length === 0 ? (
            <p>{t('ops.stats.none')}</p>
          ) : (
            <>
              <p className="hint">{t('ops.stats.suppressedNote', { count: s.minimumCell })}</p>
              <table data-testid="fraud-statistics">
                <caption className="sr-only">{t('ops.stats.caption', { by: t(`ops.stats.by_${by}`) })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t(`ops.stats.by_${by}`)}</th>
                    <th scope="col">{t('ops.stats.reports')}</th>
                    <th scope="col">{t('ops.stats.losses')}</th>
                    <th scope="col">{t('ops.stats.solved')}</th>
                  </tr>
                </thead>
                <tbody>
                  {s.rows.map((r) => (
                    <tr key={r.key} data-suppressed={r.suppressed}>
                      <th scope="row">{label(r.key)}</th>
                      {r.suppressed ? (
                        <td colSpan={3} className="muted">{t('ops.stats.suppressed', { count: s.minimumCell })}</td>
                      ) : (
                        <>
                          <td>{r.reports === null ? '—' : f.number(r.reports)}</td>
                          <td>{r.lossKzt === null ? '—' : f.tenge(r.lossKzt)}</td>
                          <td>{percent(r.solvedShare)}</td>
                        </>
                      )}
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">{t('ops.stats.total')}</th>
                    {s.total.reports === null ? (
                      <td colSpan={3} className="muted">{t('ops.stats.suppressed', { count: s.minimumCell })}</td>
                    ) : (
                      <>
                        <td>{f.number(s.total.reports)}</td>
                        <td>{s.total.lossKzt === null ? '—' : f.tenge(s.total.lossKzt)}</td>
                        <td>{percent(s.total.solvedShare)}</td>
                      </>
                    )}
                  </tr>
                </tfoot>
              </table>
            </>
          )
        }
      </Loaded>
    </section>
  );
}
