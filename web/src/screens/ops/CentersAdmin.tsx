import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiProblem } from '../../api';
import { Loaded } from '../../components/Query';
import { TokenForm } from '../../components/TokenForm';
import { useFormat } from '../../format';
import { officeApi, useOfficeToken } from '../../office';
import { useRegions } from '../../regions';
import type { Center, LessonSession } from './Centers';

const LANGS = ['kk', 'ru', 'en'] as const;
const said = (err: unknown) => (err instanceof ApiProblem ? err.detail : (err as Error).message);

/** /operator/literacy/centers: the literacy operator registers centers, plans lessons and records who came. */
export function CentersAdmin() {
  const { t } = useTranslation();
  const { token, save, clear } = useOfficeToken('literacy-operator');
  const centers = useQuery({ queryKey: ['centers', 'admin'], enabled: Boolean(token), queryFn: () => api<Center[]>('/v1/literacy/centers') });
  if (!token) {
    return (
      <section>
        <h1>{t('ops.centersAdmin.title')}</h1>
        <TokenForm label={t('operator.token')} hint={t('ops.centersAdmin.tokenHint')} onSave={save} />
      </section>
    );
  }
  return (
    <section>
      <h1>{t('ops.centersAdmin.title')}</h1>
      <p><button type="button" onClick={clear}>{t('office.forget')}</button></p>
      <AddCenter token={token} />
      <h2>{t('ops.centersAdmin.list')}</h2>
      <Loaded query={centers}>
        {(items) =>
          items.length === 0 ? <p>{t('ops.centers.none')}</p> : (
            <ul className="cards" data-testid="admin-centers">
              {items.map((c) => <AdminCenter key={c.id} center={c} token={token} />)}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

function AddCenter({ token }: { token: string }) {
  const { t } = useTranslation();
  const id = useId();
  const client = useQueryClient();
  const { regions } = useRegions();
  const [form, setForm] = useState({ name: '', region: '', address: '', latitude: '', longitude: '', schedule: '', capacity: '20', accessibility: '' });
  const [languages, setLanguages] = useState<string[]>(['kk', 'ru']);
  const [done, setDone] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: () =>
      officeApi<Center>(token, '/v1/literacy/centers', {
        method: 'POST',
        body: {
          name: form.name.trim(),
          region: form.region,
          address: form.address.trim(),
          latitude: Number(form.latitude),
          longitude: Number(form.longitude),
          schedule: form.schedule.trim(),
          capacity: Number(form.capacity),
          accessibility: form.accessibility.split(',').map((s) => s.trim()).filter(Boolean),
          languages,
        },
      }),
    onSuccess: async (center) => {
      setDone(t('ops.centersAdmin.added', { name: center.name }));
      await client.invalidateQueries({ queryKey: ['centers'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    add.mutate();
  };
  const field = (name: keyof typeof form, label: string, extra: Record<string, string> = {}) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input id={`${id}-${name}`} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} {...extra} />
    </div>
  );
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('ops.centersAdmin.add')}</h2>
      {field('name', t('ops.centersAdmin.name'))}
      <div className="field">
        <label htmlFor={`${id}-region`}>{t('ops.centersAdmin.region')}</label>
        <select id={`${id}-region`} value={form.region} onChange={(e) => setForm({ ...form, region: e.target.value })}>
          <option value="">—</option>
          {regions.map((r) => <option key={r.code} value={r.code}>{r.name}</option>)}
        </select>
      </div>
      {field('address', t('ops.centersAdmin.address'))}
      <div className="two">
        {field('latitude', t('ops.centersAdmin.latitude'), { inputMode: 'decimal' })}
        {field('longitude', t('ops.centersAdmin.longitude'), { inputMode: 'decimal' })}
      </div>
      {field('schedule', t('ops.centersAdmin.schedule'))}
      {field('capacity', t('ops.centersAdmin.capacity'), { inputMode: 'numeric' })}
      {field('accessibility', t('ops.centersAdmin.accessibility'))}
      <fieldset>
        <legend>{t('ops.centersAdmin.languages')}</legend>
        {LANGS.map((l) => (
          <label key={l} className="check">
            <input type="checkbox" checked={languages.includes(l)} onChange={(e) => setLanguages(e.target.checked ? [...languages, l] : languages.filter((x) => x !== l))} /> {t(`ops.centers.lang_${l}`)}
          </label>
        ))}
      </fieldset>
      <button type="submit" className="primary" disabled={add.isPending}>{t('ops.centersAdmin.save')}</button>
      {done ? <p role="status" className="ok" data-testid="center-added">{done}</p> : null}
      {add.isError ? <p role="alert" className="error">{said(add.error)}</p> : null}
    </form>
  );
}

function AdminCenter({ center, token }: { center: Center; token: string }) {
  const { t } = useTranslation();
  const id = useId();
  const client = useQueryClient();
  const { nameOf } = useRegions();
  const [topic, setTopic] = useState('');
  const [language, setLanguage] = useState('kk');
  const [startsAt, setStartsAt] = useState('');
  const [capacity, setCapacity] = useState('15');
  const [done, setDone] = useState<string | null>(null);
  const sessions = useQuery({ queryKey: ['centers', 'sessions', center.id], queryFn: () => api<LessonSession[]>(`/v1/literacy/centers/${center.id}/sessions`) });
  const plan = useMutation({
    mutationFn: () =>
      officeApi<LessonSession>(token, `/v1/literacy/centers/${center.id}/sessions`, {
        method: 'POST',
        body: { topic: topic.trim(), language, startsAt: startsAt ? new Date(startsAt).toISOString() : '', capacity: Number(capacity) },
      }),
    onSuccess: async (s) => {
      setDone(t('ops.centersAdmin.sessionAdded', { topic: s.topic }));
      await client.invalidateQueries({ queryKey: ['centers', 'sessions', center.id] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    plan.mutate();
  };
  return (
    <li className="card" data-center={center.id}>
      <h3>{center.name}</h3>
      <p>{center.address}, {nameOf(center.region)} — {center.schedule}</p>
      <Loaded query={sessions}>
        {(items) =>
          items.length === 0 ? <p>{t('ops.centers.noSessions')}</p> : (
            <ul>
              {items.map((s) => <AdminSession key={s.id} session={s} token={token} />)}
            </ul>
          )
        }
      </Loaded>
      <form onSubmit={submit} noValidate aria-label={`${t('ops.centersAdmin.addSession')}: ${center.name}`}>
        <h4>{t('ops.centersAdmin.addSession')}</h4>
        <div className="field"><label htmlFor={`${id}-topic`}>{t('ops.centersAdmin.topic')}</label><input id={`${id}-topic`} value={topic} onChange={(e) => setTopic(e.target.value)} /></div>
        <div className="two">
          <div className="field">
            <label htmlFor={`${id}-language`}>{t('ops.centersAdmin.language')}</label>
            <select id={`${id}-language`} value={language} onChange={(e) => setLanguage(e.target.value)}>
              {LANGS.map((l) => <option key={l} value={l}>{t(`ops.centers.lang_${l}`)}</option>)}
            </select>
          </div>
          <div className="field"><label htmlFor={`${id}-starts`}>{t('ops.centersAdmin.startsAt')}</label><input id={`${id}-starts`} type="datetime-local" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} /></div>
          <div className="field"><label htmlFor={`${id}-capacity`}>{t('ops.centersAdmin.capacity')}</label><input id={`${id}-capacity`} inputMode="numeric" value={capacity} onChange={(e) => setCapacity(e.target.value)} /></div>
        </div>
        <button type="submit" disabled={plan.isPending}>{t('ops.centersAdmin.sessionSave')}</button>
        {done ? <p role="status" className="ok">{done}</p> : null}
        {plan.isError ? <p role="alert" className="error">{said(plan.error)}</p> : null}
      </form>
    </li>
  );
}

interface Enrolment { id: string; enrolledAt: string; attended: boolean | null }

function AdminSession({ session, token }: { session: LessonSession; token: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const enrolments = useQuery({
    queryKey: ['centers', 'enrolments', session.id, token],
    enabled: open,
    queryFn: () => officeApi<Enrolment[]>(token, `/v1/literacy/sessions/${session.id}/enrolments`),
  });
  const record = useMutation({
    mutationFn: (attended: boolean) => officeApi<Enrolment[]>(token, `/v1/literacy/sessions/${session.id}/attendance`, { method: 'POST', body: { enrolmentIds: chosen, attended } }),
    onSuccess: async () => {
      setChosen([]);
      setNotice(t('ops.centersAdmin.recorded'));
      await client.invalidateQueries({ queryKey: ['centers'] });
    },
    onError: (err) => setProblem(said(err)),
  });
  const mark = (attended: boolean) => {
    setNotice(null);
    setProblem(null);
    if (chosen.length === 0) return setProblem(t('ops.centersAdmin.chooseSome'));
    record.mutate(attended);
  };
  return (
    <li data-session={session.id}>
      <p>{t('ops.centersAdmin.sessionLine', { topic: session.topic, when: f.dateTime(session.startsAt), enrolled: session.enrolled, capacity: session.capacity, attended: session.attended })}</p>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>{t('ops.centersAdmin.enrolments')}</button>
      {open ? (
        <Loaded query={enrolments}>
          {(items) =>
            items.length === 0 ? <p>{t('ops.centersAdmin.noEnrolments')}</p> : (
              <>
                <table>
                  <thead><tr><th scope="col">#</th><th scope="col">{t('ops.centersAdmin.enrolledAt')}</th><th scope="col">{t('ops.centersAdmin.attended')}</th></tr></thead>
                  <tbody>
                    {items.map((e, i) => (
                      <tr key={e.id}>
                        <td>
                          <label className="inline">
                            <input type="checkbox" checked={chosen.includes(e.id)} onChange={(ev) => setChosen(ev.target.checked ? [...chosen, e.id] : chosen.filter((x) => x !== e.id))} />
                            <span className="sr-only">{t('ops.centersAdmin.choose', { n: i + 1 })}</span> {i + 1}
                          </label>
                        </td>
                        <td>{f.dateTime(e.enrolledAt)}</td>
                        <td>{e.attended === null ? t('ops.centersAdmin.attendedUnknown') : e.attended ? t('ops.centersAdmin.attendedYes') : t('ops.centersAdmin.attendedNo')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <div className="actions">
                  <button type="button" onClick={() => mark(true)} disabled={record.isPending}>{t('ops.centersAdmin.markPresent')}</button>
                  <button type="button" onClick={() => mark(false)} disabled={record.isPending}>{t('ops.centersAdmin.markAbsent')}</button>
                </div>
              </>
            )
          }
        </Loaded>
      ) : null}
      {notice ? <p role="status" className="ok">{notice}</p> : null}
      {problem ? <p role="alert" className="error">{problem}</p> : null}
    </li>
  );
}
