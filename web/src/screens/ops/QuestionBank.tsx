import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiProblem } from '../../api';
import { Loaded } from '../../components/Query';
import { TokenForm } from '../../components/TokenForm';
import { useFormat } from '../../format';
import { officeApi, useOfficeToken } from '../../office';

interface Version { version: number; status: string; basedOn: number | null; note: string; createdBy: string; createdAt: string; publishedAt: string | null; items: number; pending: number; retired: number }
interface Item { id: string; key: string; version: number; area: string; type: string; difficulty: number; content: { prompt?: Record<string, string> } & Record<string, unknown>; solution: unknown; reviewStatus: string; reviewNote: string | null; retiredAt: string | null }
interface Statistic { itemId: string; key: string; area: string; type: string; difficulty: number; retired: boolean; responses: number; pValue: number | null; pointBiserial: number | null; flag: string }

const said = (err: unknown) => (err instanceof ApiProblem ? err.detail : (err as Error).message);

/** /operator/literacy/bank: versions of the literacy test's questions, review, retiring, publishing and item statistics (issue 12). */
export function QuestionBank() {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const id = useId();
  const { token, save, clear } = useOfficeToken('literacy-operator');
  const [open, setOpen] = useState<number | null>(null);
  const [note, setNote] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const versions = useQuery({ queryKey: ['bank', 'versions', token], enabled: Boolean(token), queryFn: () => officeApi<Version[]>(token!, '/v1/literacy/bank/versions') });
  const draft = useMutation({
    mutationFn: () => officeApi<{ version: number }>(token!, '/v1/literacy/bank/versions', { method: 'POST', body: { note: note.trim() } }),
    onSuccess: async ({ version }) => {
      setNotice(t('ops.bank.draftMade', { version }));
      setNote('');
      setOpen(version);
      await client.invalidateQueries({ queryKey: ['bank'] });
    },
  });
  if (!token) {
    return (
      <section>
        <h1>{t('ops.bank.title')}</h1>
        <TokenForm label={t('operator.token')} hint={t('ops.bank.tokenHint')} onSave={save} />
      </section>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    draft.mutate();
  };
  return (
    <section>
      <h1>{t('ops.bank.title')}</h1>
      <p><button type="button" onClick={clear}>{t('office.forget')}</button></p>
      {notice ? <p role="status" className="ok" data-testid="bank-notice">{notice}</p> : null}
      <h2>{t('ops.bank.versions')}</h2>
      <Loaded query={versions}>
        {(items) => (
          <table data-testid="bank-versions">
            <thead>
              <tr>
                {(['version', 'status', 'note', 'created', 'published', 'items', 'pending', 'retired'] as const).map((k) => <th key={k} scope="col">{t(`ops.bank.${k}`)}</th>)}
                <td />
              </tr>
            </thead>
            <tbody>
              {items.map((v) => (
                <tr key={v.version}>
                  <th scope="row">{v.version}</th>
                  <td>{t(`ops.bank.status_${v.status}`, v.status)}</td>
                  <td>{v.note}</td>
                  <td>{f.date(v.createdAt)}</td>
                  <td>{f.date(v.publishedAt)}</td>
                  <td>{f.number(v.items)}</td>
                  <td>{f.number(v.pending)}</td>
                  <td>{f.number(v.retired)}</td>
                  <td><button type="button" aria-pressed={open === v.version} onClick={() => setOpen(open === v.version ? null : v.version)}>{t('ops.bank.open', { version: v.version })}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
      <form className="card narrow" onSubmit={submit} noValidate aria-labelledby={`${id}-draft`}>
        <h2 id={`${id}-draft`}>{t('ops.bank.newDraft')}</h2>
        <div className="field"><label htmlFor={`${id}-note`}>{t('ops.bank.draftNote')}</label><input id={`${id}-note`} value={note} onChange={(e) => setNote(e.target.value)} /></div>
        <button type="submit" className="primary" disabled={draft.isPending}>{t('ops.bank.draftSave')}</button>
        {draft.isError ? <p role="alert" className="error">{said(draft.error)}</p> : null}
      </form>
      {open !== null && versions.data ? (
        <VersionView key={open} token={token} version={versions.data.find((v) => v.version === open) ?? null} />
      ) : null}
    </section>
  );
}

function VersionView({ token, version }: { token: string; version: Version | null }) {
  const { t, i18n } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const id = useId();
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [editKey, setEditKey] = useState('');
  const [editText, setEditText] = useState('');
  const lang = (i18n.resolvedLanguage ?? 'en') as 'kk' | 'ru' | 'en';
  const v = version?.version ?? 0;
  const draft = version?.status === 'draft';
  const items = useQuery({ queryKey: ['bank', 'items', v, token], enabled: version !== null, queryFn: () => officeApi<Item[]>(token, `/v1/literacy/bank/versions/${v}/items`) });
  const statistics = useQuery({ queryKey: ['bank', 'statistics', v, token], enabled: version !== null, queryFn: () => officeApi<Statistic[]>(token, `/v1/literacy/bank/versions/${v}/statistics`) });
  const act = useMutation({
    mutationFn: (action: { path: string; method?: string; body?: unknown; done: string }) => officeApi(token, `/v1/literacy/bank/versions/${v}${action.path}`, { method: action.method ?? 'POST', body: action.body }),
    onMutate: () => {
      setNotice(null);
      setProblem(null);
    },
    onSuccess: async (_d, action) => {
      setNotice(action.done);
      await client.invalidateQueries({ queryKey: ['bank'] });
    },
    onError: (err) => setProblem(said(err)),
  });
  if (!version) return null;
  const edit = (item: Item) => {
    setEditKey(item.key);
    setEditText(JSON.stringify({ area: item.area, type: item.type, difficulty: item.difficulty, content: item.content, solution: item.solution }, null, 2));
  };
  const saveItem = (event: FormEvent) => {
    event.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(editText);
    } catch (err) {
      return setProblem(t('ops.bank.badJson', { message: (err as Error).message }));
    }
    act.mutate({ path: `/items/${encodeURIComponent(editKey.trim())}`, method: 'PUT', body, done: t('ops.bank.saved', { key: editKey.trim() }) });
  };
  return (
    <section aria-labelledby={`${id}-title`} data-testid="bank-version">
      <h2 id={`${id}-title`}>{t('ops.bank.itemsOf', { version: v })}</h2>
      {notice ? <p role="status" className="ok" data-testid="bank-version-notice">{notice}</p> : null}
      {problem ? <p role="alert" className="error" data-testid="bank-problem">{problem}</p> : null}
      {draft ? (
        <p>
          <button type="button" className="primary" disabled={act.isPending} onClick={() => window.confirm(t('ops.bank.confirmPublish')) && act.mutate({ path: '/publish', done: t('ops.bank.publishedDone', { version: v }) })}>
            {t('ops.bank.publish', { version: v })}
          </button>
        </p>
      ) : null}
      <Loaded query={items}>
        {(list) => (
          <ul className="cards" data-testid="bank-items">
            {list.map((item) => (
              <li key={item.id} className="card" data-key={item.key}>
                <p><strong className="mono">{item.key}</strong> — {t(`assessment.area_${item.area}`, item.area)}, {item.type}, {t('ops.bank.difficulty')} {item.difficulty}</p>
                <p>{item.content.prompt?.[lang] ?? ''}</p>
                <p>
                  <span className={item.reviewStatus === 'approved' ? 'badge on' : item.reviewStatus === 'rejected' ? 'badge off' : 'badge'}>{t(`ops.bank.review_${item.reviewStatus}`, item.reviewStatus)}</span>{' '}
                  {item.retiredAt ? <span className="badge off">{t('ops.bank.isRetired')} {f.date(item.retiredAt)}</span> : null}
                  {item.reviewNote ? <span className="hint"> {item.reviewNote}</span> : null}
                </p>
                {item.retiredAt ? null : (
                  <div className="actions">
                    {draft ? (
                      <>
                        <label className="field">
                          {t('ops.bank.reviewNote', { key: item.key })}
                          <input value={notes[item.key] ?? ''} onChange={(e) => setNotes({ ...notes, [item.key]: e.target.value })} />
                        </label>
                        <button type="button" disabled={act.isPending} onClick={() => act.mutate({ path: `/items/${item.key}/review`, body: { decision: 'approved', ...(notes[item.key] ? { note: notes[item.key] } : {}) }, done: `${item.key}: ${t('ops.bank.review_approved')}` })}>{t('ops.bank.approve')}</button>
                        <button type="button" disabled={act.isPending} onClick={() => act.mutate({ path: `/items/${item.key}/review`, body: { decision: 'rejected', ...(notes[item.key] ? { note: notes[item.key] } : {}) }, done: `${item.key}: ${t('ops.bank.review_rejected')}` })}>{t('ops.bank.reject')}</button>
                        <button type="button" onClick={() => edit(item)}>{t('ops.bank.edit')}</button>
                      </>
                    ) : null}
                    <button type="button" disabled={act.isPending} onClick={() => window.confirm(t('ops.bank.confirmRetire')) && act.mutate({ path: `/items/${item.key}/retire`, done: `${item.key}: ${t('ops.bank.isRetired')}` })}>{t('ops.bank.retire')}</button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      {draft ? (
        <form className="card" onSubmit={saveItem} noValidate aria-labelledby={`${id}-edit`}>
          <h3 id={`${id}-edit`}>{t('ops.bank.newItem')}</h3>
          <div className="field"><label htmlFor={`${id}-key`}>{t('ops.bank.newKey')}</label><input id={`${id}-key`} value={editKey} onChange={(e) => setEditKey(e.target.value)} /></div>
          <div className="field">
            <label htmlFor={`${id}-json`}>{t('ops.bank.editTitle', { key: editKey || '…' })}</label>
            <textarea id={`${id}-json`} rows={14} className="mono" value={editText} onChange={(e) => setEditText(e.target.value)} />
          </div>
          <button type="submit" disabled={act.isPending}>{t('ops.bank.itemSave')}</button>
        </form>
      ) : null}
      <h3>{t('ops.bank.statistics')}</h3>
      <Loaded query={statistics}>
        {(rows) =>
          rows.length === 0 || rows.every((r) => r.responses === 0) ? <p>{t('ops.bank.noStatistics')}</p> : (
            <table data-testid="bank-statistics">
              <thead>
                <tr>
                  <th scope="col">{t('ops.bank.key')}</th>
                  <th scope="col">{t('ops.bank.area')}</th>
                  <th scope="col">{t('ops.bank.responses')}</th>
                  <th scope="col">{t('ops.bank.pValue')}</th>
                  <th scope="col">{t('ops.bank.discrimination')}</th>
                  <th scope="col">{t('ops.bank.flag')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.itemId}>
                    <th scope="row" className="mono">{r.key}</th>
                    <td>{t(`assessment.area_${r.area}`, r.area)}</td>
                    <td>{f.number(r.responses)}</td>
                    <td>{r.pValue === null ? '—' : `${f.number(Math.round(r.pValue * 100))} %`}</td>
                    <td>{r.pointBiserial === null ? '—' : f.number(Math.round(r.pointBiserial * 100) / 100)}</td>
                    <td>{t(`ops.bank.flag_${r.flag}`, r.flag)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
