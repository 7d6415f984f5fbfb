import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api';
import { Loaded } from '../components/Query';
import { TokenForm } from '../components/TokenForm';
import { useFormat } from '../format';
import { officeApi, useOfficeToken } from '../office';
import { CaptureViews, ViolationCases } from './InspectorCases';

interface Alert {
  id: string;
  rule: string;
  organizationBin: string | null;
  certificateSerial: string | null;
  status: 'new' | 'escalated' | 'dismissed';
  createdAt: string;
}
interface ScheduleRow { violationType: string; offenderCategory: string; description: string; minMci: number; maxMci: number }
interface StatisticsRow { year: number; violationType: string; cases: number; fined: number; fineMci: number; fineTenge: number }
interface Violation { id: string; violationType: string; status: string; schedule: { minMci: number; maxMci: number } }

const CATEGORIES = ['individual', 'official', 'medium', 'large'] as const;

/** The e-signature inspector: misuse alerts, opening violation cases with the fine schedule, statistics in tenge. */
export function Inspector() {
  const { t } = useTranslation();
  const f = useFormat();
  const { token, save, clear } = useOfficeToken('inspector');
  const alerts = useQuery({ queryKey: ['inspector', 'alerts', token], enabled: Boolean(token), queryFn: () => officeApi<Alert[]>(token!, '/v1/usage-alerts?limit=100') });
  const schedule = useQuery({ queryKey: ['fine-schedule'], queryFn: () => api<ScheduleRow[]>('/v1/violations/fine-schedule') });
  const statistics = useQuery({ queryKey: ['violation-statistics'], queryFn: () => api<StatisticsRow[]>('/v1/violations/statistics') });
  if (!token) {
    return (
      <section>
        <h1>{t('inspector.title')}</h1>
        <TokenForm label={t('inspector.token')} hint={t('inspector.tokenHint')} onSave={save} />
      </section>
    );
  }
  return (
    <section>
      <h1>{t('inspector.title')}</h1>
      <p><button type="button" onClick={clear}>{t('office.forget')}</button></p>
      <h2>{t('inspector.alerts')}</h2>
      <Loaded query={alerts}>
        {(items) => items.length === 0 ? <p>{t('inspector.noAlerts')}</p> : (
          <ul className="cards">{items.map((a) => <AlertCard key={a.id} alert={a} token={token} schedule={schedule.data ?? []} />)}</ul>
        )}
      </Loaded>
      <ViolationCases token={token} />
      <CaptureViews token={token} />
      <h2>{t('inspector.statistics')}</h2>
      <Loaded query={statistics}>
        {(rows) => rows.length === 0 ? <p>{t('app.empty')}</p> : (
          <table>
            <thead><tr><th scope="col">{t('inspector.year')}</th><th scope="col">{t('inspector.type')}</th><th scope="col">{t('inspector.cases')}</th><th scope="col">{t('inspector.fined')}</th><th scope="col">{t('inspector.fines')}</th></tr></thead>
            <tbody>{rows.map((r) => <tr key={`${r.year}-${r.violationType}`}><td>{r.year}</td><td>{r.violationType}</td><td>{f.number(r.cases)}</td><td>{f.number(r.fined)}</td><td>{f.tenge(r.fineTenge)}</td></tr>)}</tbody>
          </table>
        )}
      </Loaded>
      <h2>{t('inspector.schedule')}</h2>
      <Loaded query={schedule}>
        {(rows) => (
          <table data-testid="fine-schedule">
            <thead><tr><th scope="col">{t('inspector.type')}</th><th scope="col">{t('inspector.category')}</th><th scope="col">{t('inspector.mci')}</th></tr></thead>
            <tbody>{rows.map((r) => <tr key={`${r.violationType}-${r.offenderCategory}`}><td>{r.description}</td><td>{t(`inspector.category_${r.offenderCategory}`, { defaultValue: r.offenderCategory })}</td><td>{f.number(r.minMci)}{r.maxMci !== r.minMci ? `–${f.number(r.maxMci)}` : ''}</td></tr>)}</tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}

function AlertCard({ alert, token, schedule }: { alert: Alert; token: string; schedule: ScheduleRow[] }) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const client = useQueryClient();
  const types = [...new Set(schedule.map((s) => s.violationType))];
  const [violationType, setViolationType] = useState(types[0] ?? 'art640-5');
  const [category, setCategory] = useState<(typeof CATEGORIES)[number]>('official');
  const refresh = () => client.invalidateQueries({ queryKey: ['inspector'] });
  const open = useMutation({ mutationFn: () => officeApi<Violation>(token, '/v1/violations', { method: 'POST', body: { alertId: alert.id, violationType, offenderCategory: category } }), onSuccess: refresh });
  const dismiss = useMutation({ mutationFn: () => officeApi(token, `/v1/usage-alerts/${alert.id}/dismiss`, { method: 'POST' }), onSuccess: refresh });
  return (
    <li className="card">
      <h3>{t(`inspector.rule_${alert.rule}`, { defaultValue: alert.rule })}</h3>
      <p>{f.dateTime(alert.createdAt)} — {t('company.bin')} {alert.organizationBin ?? '—'} — <strong className="badge">{t(`inspector.status_${alert.status}`)}</strong></p>
      {alert.status === 'new' ? (
        <div className="actions">
          <label className="inline" htmlFor={`${id}-type`}>{t('inspector.type')}</label>
          <select id={`${id}-type`} value={violationType} onChange={(e) => setViolationType(e.target.value)}>{types.map((v) => <option key={v} value={v}>{v}</option>)}</select>
          <label className="inline" htmlFor={`${id}-category`}>{t('inspector.category')}</label>
          <select id={`${id}-category`} value={category} onChange={(e) => setCategory(e.target.value as typeof category)}>{CATEGORIES.map((c) => <option key={c} value={c}>{t(`inspector.category_${c}`)}</option>)}</select>
          <button type="button" className="primary" onClick={() => open.mutate()}>{t('inspector.open')}</button>
          <button type="button" onClick={() => dismiss.mutate()}>{t('inspector.dismiss')}</button>
        </div>
      ) : null}
      {open.data ? <p role="status" className="ok">{t('inspector.opened', { min: f.number(open.data.schedule.minMci), max: f.number(open.data.schedule.maxMci) })}</p> : null}
      {open.isError ? <p role="alert" className="error">{(open.error as Error).message}</p> : null}
    </li>
  );
}
