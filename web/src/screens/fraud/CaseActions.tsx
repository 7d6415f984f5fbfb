import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { officeApi } from '../../office';

/** What an investigator does to a case besides its status and notes: assign it, join another case to it, take reports out of it. */
export function CaseActions({ token, clusterId, assignee, reports }: { token: string; clusterId: string; assignee: string | null; reports: { id: string; name: string; summary: string }[] }) {
  const { t } = useTranslation();
  const id = useId();
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: ['investigator'] });
  const [name, setName] = useState(assignee ?? '');
  const [other, setOther] = useState('');
  const [mergeNote, setMergeNote] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [splitNote, setSplitNote] = useState('');

  const assign = useMutation({
    mutationFn: (to: string | null) => officeApi<{ cluster: string }>(token, `/v1/fraud/clusters/${clusterId}/assign`, { method: 'POST', body: { assignee: to } }).then(() => to),
    onSuccess: refresh,
  });
  const merge = useMutation({
    mutationFn: () => officeApi<{ cluster: string }>(token, `/v1/fraud/clusters/${clusterId}/merge`, { method: 'POST', body: { other: other.trim(), note: mergeNote.trim() } }),
    onSuccess: async () => { setOther(''); setMergeNote(''); await refresh(); },
  });
  const split = useMutation({
    mutationFn: () => officeApi<{ cluster: string; splitInto: string[] }>(token, `/v1/fraud/clusters/${clusterId}/split`, { method: 'POST', body: { reportIds: picked, note: splitNote.trim() } }),
    onSuccess: async () => { setPicked([]); setSplitNote(''); await refresh(); },
  });
  const failed = (err: unknown) => <p role="alert" className="error">{t('roles.failed', { detail: (err as Error).message })}</p>;
  const submit = (action: () => void) => (e: FormEvent) => { e.preventDefault(); action(); };

  return (
    <div className="case-actions" data-testid="case-actions">
      <form className="card" onSubmit={submit(() => name.trim() && assign.mutate(name.trim()))} aria-labelledby={`${id}-assign`}>
        <h3 id={`${id}-assign`}>{t('roles.inv.assignTitle')}</h3>
        <p>{t('roles.inv.assignee')}: <strong data-testid="case-assignee">{assignee ?? t('roles.inv.nobody')}</strong></p>
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('roles.inv.assignTo')}</label>
          <input id={`${id}-name`} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </div>
        <p className="actions">
          <button type="submit" className="primary" disabled={!name.trim() || assign.isPending}>{t('roles.inv.assign')}</button>
          {assignee ? <button type="button" onClick={() => { setName(''); assign.mutate(null); }}>{t('roles.inv.unassign')}</button> : null}
        </p>
        {assign.isSuccess ? <p role="status" className="ok">{assign.data ? t('roles.inv.assigned', { name: assign.data }) : t('roles.inv.unassigned')}</p> : null}
        {assign.isError ? failed(assign.error) : null}
      </form>

      <form className="card" onSubmit={submit(() => merge.mutate())} aria-labelledby={`${id}-merge`}>
        <h3 id={`${id}-merge`}>{t('roles.inv.mergeTitle')}</h3>
        <p className="hint">{t('roles.inv.mergeHint')}</p>
        <div className="field">
          <label htmlFor={`${id}-other`}>{t('roles.inv.mergeOther')}</label>
          <input id={`${id}-other`} inputMode="numeric" pattern="[0-9]*" value={other} onChange={(e) => setOther(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-merge-note`}>{t('roles.inv.note')}</label>
          <textarea id={`${id}-merge-note`} rows={2} value={mergeNote} onChange={(e) => setMergeNote(e.target.value)} />
        </div>
        <button type="submit" disabled={!/^[0-9]+$/.test(other.trim()) || !mergeNote.trim() || merge.isPending}>{t('roles.inv.merge')}</button>
        {merge.isSuccess ? <p role="status" className="ok" data-testid="merge-done">{t('roles.inv.merged', { id: merge.data.cluster })}</p> : null}
        {merge.isError ? failed(merge.error) : null}
      </form>

      <form className="card" onSubmit={submit(() => split.mutate())} aria-labelledby={`${id}-split`}>
        <h3 id={`${id}-split`}>{t('roles.inv.splitTitle')}</h3>
        <p className="hint">{t('roles.inv.splitHint')}</p>
        <fieldset>
          <legend>{t('roles.inv.splitPick')}</legend>
          {reports.map((r) => (
            <div key={r.id} className="check">
              <input
                type="checkbox"
                id={`${id}-r-${r.id}`}
                checked={picked.includes(r.id)}
                onChange={(e) => setPicked(e.target.checked ? [...picked, r.id] : picked.filter((p) => p !== r.id))}
              />{' '}
              <label htmlFor={`${id}-r-${r.id}`}><strong>{r.name}</strong> {r.summary}</label>
            </div>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-split-note`}>{t('roles.inv.note')}</label>
          <textarea id={`${id}-split-note`} rows={2} value={splitNote} onChange={(e) => setSplitNote(e.target.value)} />
        </div>
        <button type="submit" disabled={picked.length === 0 || picked.length >= reports.length || !splitNote.trim() || split.isPending}>{t('roles.inv.split')}</button>
        {split.isSuccess ? <p role="status" className="ok" data-testid="split-done">{t('roles.inv.splitDone', { ids: split.data.splitInto.join(', ') })}</p> : null}
        {split.isError ? failed(split.error) : null}
      </form>
    </div>
  );
}
