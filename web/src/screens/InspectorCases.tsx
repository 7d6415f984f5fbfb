import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Loaded } from '../components/Query';
import { useFormat } from '../format';
import { officeApi } from '../office';

type CaseStatus = 'open' | 'fined' | 'appealed' | 'closed';
interface ViolationCase {
  id: string;
  organizationBin: string;
  rule: string;
  violationType: string;
  offenderCategory: string;
  status: CaseStatus;
  decision: string | null;
  fine: { mci: number; year: number; mciTenge: number; tenge: number } | null;
  schedule: { minMci: number; maxMci: number };
  openedAt: string;
}
interface CaptureView { applicationId: string; viewer: string; viewedAt: string }

const STATUSES: CaseStatus[] = ['open', 'fined', 'appealed', 'closed'];
/** The decisions that may follow each state (as the server allows them). */
const NEXT: Record<CaseStatus, Exclude<CaseStatus, 'open'>[]> = { open: ['fined', 'closed'], fined: ['appealed', 'closed'], appealed: ['fined', 'closed'], closed: [] };

/** The inspector's violation cases: each with its fine, and the decision that comes next. */
export function ViolationCases({ token }: { token: string }) {
  const { t } = useTranslation();
  const id = useId();
  const [status, setStatus] = useState<CaseStatus | ''>('');
  const cases = useQuery({ queryKey: ['inspector', 'cases', token, status], queryFn: () => officeApi<ViolationCase[]>(token, `/v1/violations?limit=100${status ? `&status=${status}` : ''}`) });
  return (
    <section aria-labelledby={`${id}-title`} data-testid="violation-cases">
      <h2 id={`${id}-title`}>{t('roles.insp.cases')}</h2>
      <div className="field inline-field">
        <label htmlFor={`${id}-status`}>{t('roles.insp.show')}</label>{' '}
        <select id={`${id}-status`} value={status} onChange={(e) => setStatus(e.target.value as CaseStatus | '')}>
          <option value="">{t('roles.insp.all')}</option>
          {STATUSES.map((s) => <option key={s} value={s}>{t(`roles.insp.status_${s}`)}</option>)}
        </select>
      </div>
      <Loaded query={cases}>
        {(items) => items.length === 0 ? <p>{t('roles.insp.noCases')}</p> : (
          <ul className="cards">{items.map((c) => <CaseCard key={`${c.id}:${c.status}`} token={token} item={c} />)}</ul>
        )}
      </Loaded>
    </section>
  );
}

function CaseCard({ token, item }: { token: string; item: ViolationCase }) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const client = useQueryClient();
  const next = NEXT[item.status];
  const [decision, setDecision] = useState<Exclude<CaseStatus, 'open'> | undefined>(next[0]);
  const [text, setText] = useState('');
  const [mci, setMci] = useState(String(item.schedule.minMci));
  const decide = useMutation({
    mutationFn: () =>
      officeApi<ViolationCase>(token, `/v1/violations/${item.id}/decision`, {
        method: 'POST',
        body: { status: decision, decision: text.trim(), ...(decision === 'fined' ? { fineMci: Number(mci) } : {}) },
      }),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['inspector'] });
      await client.invalidateQueries({ queryKey: ['violation-statistics'] });
    },
  });
  const submit = (e: FormEvent) => { e.preventDefault(); if (decision && text.trim()) decide.mutate(); };
  return (
    <li className="card" data-case={item.id} data-status={item.status}>
      <h3>{t('roles.insp.case', { date: f.date(item.openedAt), bin: item.organizationBin })}</h3>
      <dl className="facts">
        <dt>{t('inspector.type')}</dt><dd>{item.violationType} — {t(`inspector.rule_${item.rule}`, { defaultValue: item.rule })}</dd>
        <dt>{t('inspector.category')}</dt><dd>{t(`inspector.category_${item.offenderCategory}`, { defaultValue: item.offenderCategory })}</dd>
        <dt>{t('roles.insp.state')}</dt><dd><strong className="badge">{t(`roles.insp.status_${item.status}`)}</strong></dd>
        <dt>{t('roles.insp.fine')}</dt>
        <dd data-testid="case-fine">{item.fine ? t('roles.insp.fineAmount', { mci: f.number(item.fine.mci), year: item.fine.year, tenge: f.tenge(item.fine.tenge) }) : t('roles.insp.noFine')}</dd>
        {item.decision ? <><dt>{t('roles.insp.decision')}</dt><dd>{item.decision}</dd></> : null}
      </dl>
      {next.length > 0 ? (
        <form onSubmit={submit} aria-label={t('roles.insp.decisionTitle')}>
          <div className="field">
            <label htmlFor={`${id}-next`}>{t('roles.insp.next')}</label>
            <select id={`${id}-next`} value={decision} onChange={(e) => setDecision(e.target.value as Exclude<CaseStatus, 'open'>)}>
              {next.map((s) => <option key={s} value={s}>{t(`roles.insp.next_${s}`)}</option>)}
            </select>
          </div>
          {decision === 'fined' ? (
            <div className="field">
              <label htmlFor={`${id}-mci`}>{t('roles.insp.fineMci', { min: f.number(item.schedule.minMci), max: f.number(item.schedule.maxMci) })}</label>
              <input id={`${id}-mci`} type="number" min={item.schedule.minMci} max={item.schedule.maxMci} value={mci} onChange={(e) => setMci(e.target.value)} />
            </div>
          ) : null}
          <div className="field">
            <label htmlFor={`${id}-text`}>{t('roles.insp.decision')}</label>
            <textarea id={`${id}-text`} rows={2} value={text} onChange={(e) => setText(e.target.value)} />
          </div>
          <button type="submit" className="primary" disabled={!text.trim() || decide.isPending}>{t('roles.insp.decide')}</button>
        </form>
      ) : null}
      {decide.isSuccess ? <p role="status" className="ok">{t('roles.insp.decided', { status: t(`roles.insp.status_${decide.data.status}`) })}</p> : null}
      {decide.isError ? <p role="alert" className="error">{t('roles.failed', { detail: (decide.error as Error).message })}</p> : null}
    </li>
  );
}

/** Every opening of an applicant's pictures by a CA operator (the inspector supervises them). */
export function CaptureViews({ token }: { token: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const views = useQuery({ queryKey: ['inspector', 'capture-views', token], queryFn: () => officeApi<{ items: CaptureView[] }>(token, '/v1/pki/capture-views?limit=100') });
  return (
    <section aria-labelledby={`${id}-title`} data-testid="capture-views">
      <h2 id={`${id}-title`}>{t('roles.insp.views')}</h2>
      <p>{t('roles.insp.viewsIntro')}</p>
      <Loaded query={views}>
        {({ items }) => items.length === 0 ? <p>{t('roles.insp.noViews')}</p> : (
          <table>
            <thead><tr><th scope="col">{t('roles.insp.viewedAt')}</th><th scope="col">{t('roles.insp.viewer')}</th><th scope="col">{t('roles.insp.application')}</th></tr></thead>
            <tbody>{items.map((v, i) => <tr key={`${v.viewedAt}-${i}`} data-application={v.applicationId}><td>{f.dateTime(v.viewedAt)}</td><td>{v.viewer}</td><td className="mono">{v.applicationId}</td></tr>)}</tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}
