import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Breach } from '../api';
import { Loaded } from '../components/Query';
import { TokenForm } from '../components/TokenForm';
import { useFormat } from '../format';
import { officeApi, upload, useOfficeToken } from '../office';

interface ImportReport {
  lines: number;
  accepted: number;
  duplicate: number;
  invalid: number;
  invalidLines: { line: number; code: string; reason: string }[];
  affectedCount: number;
}

const SOURCES = ['hack', 'insider', 'misconfiguration', 'lost_device', 'third_party', 'unknown'] as const;

export function Operator() {
  const { t } = useTranslation();
  const { token, save, clear } = useOfficeToken('operator');
  const [status, setStatus] = useState<'draft' | 'published'>('draft');
  const [published, setPublished] = useState<Breach | null>(null);
  const f = useFormat();
  const client = useQueryClient();
  const breaches = useQuery({
    queryKey: ['operator', 'breaches', status, token],
    enabled: Boolean(token),
    queryFn: () => officeApi<{ items: Breach[] }>(token!, `/v1/breaches?status=${status}&limit=100`),
  });
  if (!token) {
    return (
      <section>
        <h1>{t('operator.title')}</h1>
        <TokenForm label={t('operator.token')} hint={t('operator.tokenHint')} onSave={save} />
      </section>
    );
  }
  return (
    <section>
      <h1>{t('operator.title')}</h1>
      <p><button type="button" onClick={clear}>{t('office.forget')}</button></p>
      <CreateBreach token={token} onCreated={() => client.invalidateQueries({ queryKey: ['operator'] })} />
      {published ? <p role="status" className="ok" data-testid="published">{published.title}: {t('operator.published', { persons: f.number(published.affectedCount) })}</p> : null}
      <h2>{t('operator.breaches')}</h2>
      <div role="group" aria-label={t('operator.breaches')} className="actions">
        {(['draft', 'published'] as const).map((s) => (
          <button key={s} type="button" aria-pressed={status === s} onClick={() => setStatus(s)}>{t(`operator.status_${s}`)}</button>
        ))}
      </div>
      <Loaded query={breaches}>
        {({ items }) =>
          items.length === 0 ? <p>{t('app.empty')}</p> : (
            <ul className="cards" data-testid="operator-breaches">
              {items.map((b) => <DraftCard key={b.id} breach={b} token={token} onPublished={setPublished} />)}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

function DraftCard({ breach, token, onPublished }: { breach: Breach; token: string; onPublished: (breach: Breach) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const publish = useMutation({
    mutationFn: () => officeApi<Breach>(token, `/v1/breaches/${breach.id}/publish`, { method: 'POST' }),
    onSuccess: async (done) => {
      onPublished(done);
      await client.invalidateQueries({ queryKey: ['operator'] });
    },
  });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setProblem(null);
    setReport(null);
    setProgress(0);
    try {
      setReport(await upload<ImportReport>(token, `/v1/breaches/${breach.id}/affected`, file, setProgress));
      await client.invalidateQueries({ queryKey: ['operator'] });
    } catch (err) {
      setProblem((err as Error).message);
    }
  };
  return (
    <li className="card">
      <h3>{breach.title} <span className="muted">({breach.id})</span></h3>
      <p>{breach.organization.name} — {t('breaches.affected')}: {f.number(breach.affectedCount)}</p>
      {breach.status === 'draft' ? (
        <>
          <form onSubmit={(e) => void submit(e)} noValidate>
            <div className="field">
              <label htmlFor={fileId}>{t('operator.importFile')}</label>
              <input id={fileId} type="file" accept=".csv,.ndjson,.jsonl,text/csv" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            </div>
            <button type="submit" disabled={!file}>{t('operator.import')}</button>
          </form>
          {progress !== null ? <p><label>{t('operator.progress')} <progress max={1} value={progress} /></label></p> : null}
          {problem ? <p role="alert" className="error">{problem}</p> : null}
          {report ? (
            <div role="status" data-testid="import-report">
              <p>{t('operator.report', { lines: f.number(report.lines), accepted: f.number(report.accepted), duplicate: f.number(report.duplicate), invalid: f.number(report.invalid) })}</p>
              {report.invalidLines.length ? (
                <table>
                  <caption>{t('operator.invalidLines')}</caption>
                  <thead><tr><th scope="col">{t('operator.line')}</th><th scope="col">{t('operator.reason')}</th></tr></thead>
                  <tbody>{report.invalidLines.map((l) => <tr key={l.line}><td>{l.line}</td><td>{l.reason}</td></tr>)}</tbody>
                </table>
              ) : null}
            </div>
          ) : null}
          <p>
            <button type="button" className="primary" onClick={() => publish.mutate()} disabled={publish.isPending}>{t('operator.publish')}</button>
          </p>
          {publish.isError ? <p role="alert" className="error">{(publish.error as Error).message}</p> : null}
        </>
      ) : null}
    </li>
  );
}

function CreateBreach({ token, onCreated }: { token: string; onCreated: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [form, setForm] = useState({ id: '', organizationBin: '', organizationName: '', title: '', source: 'unknown', dataCategories: 'iin' });
  const create = useMutation({
    mutationFn: () =>
      officeApi<Breach>(token, '/v1/breaches', {
        method: 'POST',
        body: { ...form, id: form.id || undefined, dataCategories: form.dataCategories.split(',').map((c) => c.trim()).filter(Boolean) },
      }),
    onSuccess: onCreated,
  });
  const field = (name: keyof typeof form, label: string) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input id={`${id}-${name}`} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} />
    </div>
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <details className="card">
      <summary>{t('operator.create')}</summary>
      <form onSubmit={submit} noValidate>
        {field('id', t('operator.breachId'))}
        {field('organizationBin', t('operator.bin'))}
        {field('organizationName', t('breaches.company'))}
        {field('title', t('operator.breachTitle'))}
        <div className="field">
          <label htmlFor={`${id}-source`}>{t('breaches.source')}</label>
          <select id={`${id}-source`} value={form.source} onChange={(e) => setForm({ ...form, source: e.target.value })}>
            {SOURCES.map((s) => <option key={s} value={s}>{t(`breaches.source_${s}`)}</option>)}
          </select>
        </div>
        {field('dataCategories', t('operator.categories'))}
        {create.isError ? <p role="alert" className="error">{(create.error as Error).message}</p> : null}
        {create.isSuccess ? <p role="status" className="ok">{t('operator.created')}</p> : null}
        <button type="submit" className="primary" disabled={create.isPending}>{t('operator.createSubmit')}</button>
      </form>
    </details>
  );
}
