import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiProblem } from '../../api';
import { Loaded } from '../../components/Query';
import { TokenForm } from '../../components/TokenForm';
import { useFormat } from '../../format';
import { officeApi, useOfficeToken } from '../../office';

const PRODUCTS = ['bank_loan', 'microcredit'] as const;
const CHANNELS = ['online', 'in_person'] as const;
interface Rule { name: string; all: string[]; any: string[]; products: string[]; channels: string[]; days: number }
interface PolicyVersion { version: number; rules: Rule[]; note: string; createdBy: string; createdAt: string }
interface Draft { name: string; all: string; any: string; products: string[]; channels: string[]; days: string }

const toDraft = (r: Rule): Draft => ({ name: r.name, all: r.all.join(', '), any: r.any.join(', '), products: r.products, channels: r.channels, days: String(r.days) });
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

/** /operator/policy: which breaches restrict whom, for how long; a new version applies to breaches published after it. */
export function Policy() {
  const { t } = useTranslation();
  const f = useFormat();
  const { token, save, clear } = useOfficeToken('operator');
  const current = useQuery({ queryKey: ['policy', 'current', token], enabled: Boolean(token), queryFn: () => officeApi<PolicyVersion>(token!, '/v1/credit/policy') });
  const versions = useQuery({ queryKey: ['policy', 'versions', token], enabled: Boolean(token), queryFn: () => officeApi<PolicyVersion[]>(token!, '/v1/credit/policy/versions') });
  // Kept here: the form below starts afresh from each new version, so it cannot hold the notice.
  const [saved, setSaved] = useState<string | null>(null);
  if (!token) {
    return (
      <section>
        <h1>{t('ops.policy.title')}</h1>
        <TokenForm label={t('operator.token')} hint={t('ops.policy.tokenHint')} onSave={save} />
      </section>
    );
  }
  return (
    <section>
      <h1>{t('ops.policy.title')}</h1>
      <p className="lead">{t('ops.policy.intro')}</p>
      <p><button type="button" onClick={clear}>{t('office.forget')}</button></p>
      <Loaded query={current}>
        {(p) => (
          <>
            <h2 data-testid="policy-current">{t('ops.policy.current', { version: p.version, date: f.dateTime(p.createdAt) })}</h2>
            <p className="hint">{t('ops.policy.by', { who: p.createdBy })}{p.note ? ` — ${p.note}` : ''}</p>
            <Rules rules={p.rules} />
            {saved ? <p role="status" className="ok" data-testid="policy-saved">{saved}</p> : null}
            <NewVersion key={p.version} token={token} from={p.rules} onSaved={setSaved} />
          </>
        )}
      </Loaded>
      <h2>{t('ops.policy.history')}</h2>
      <Loaded query={versions}>
        {(items) => (
          <ul data-testid="policy-versions">
            {items.map((v) => (
              <li key={v.version}>{t('ops.policy.versionLine', { version: v.version, date: f.dateTime(v.createdAt), who: v.createdBy, rules: v.rules.length })}{v.note ? ` — ${v.note}` : ''}</li>
            ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}

function Rules({ rules }: { rules: Rule[] }) {
  const { t } = useTranslation();
  if (rules.length === 0) return <p>{t('ops.policy.noRules')}</p>;
  return (
    <table data-testid="policy-rules">
      <thead>
        <tr>
          <th scope="col">{t('ops.policy.name')}</th>
          <th scope="col">{t('ops.policy.all')}</th>
          <th scope="col">{t('ops.policy.any')}</th>
          <th scope="col">{t('ops.policy.products')}</th>
          <th scope="col">{t('ops.policy.channels')}</th>
          <th scope="col">{t('ops.policy.days')}</th>
        </tr>
      </thead>
      <tbody>
        {rules.map((r, i) => (
          <tr key={i}>
            <th scope="row">{r.name}</th>
            <td className="mono">{r.all.join(', ')}</td>
            <td className="mono">{r.any.length ? r.any.join(', ') : t('ops.policy.anyEmpty')}</td>
            <td>{r.products.map((p) => t(`restrictions.product_${p}`)).join(', ')}</td>
            <td>{r.channels.map((c) => t(`restrictions.channel_${c}`)).join(', ')}</td>
            <td>{t('ops.policy.daysValue', { count: r.days })}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NewVersion({ token, from, onSaved }: { token: string; from: Rule[]; onSaved: (notice: string | null) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const client = useQueryClient();
  const [rules, setRules] = useState<Draft[]>(() => from.map(toDraft));
  const [note, setNote] = useState('');
  const add = useMutation({
    mutationFn: () =>
      officeApi<PolicyVersion>(token, '/v1/credit/policy', {
        method: 'POST',
        body: {
          rules: rules.map((r) => ({ name: r.name.trim(), all: list(r.all), any: list(r.any), products: r.products, channels: r.channels, days: Number(r.days) })),
          ...(note.trim() ? { note: note.trim() } : {}),
        },
      }),
    onSuccess: async (v) => {
      onSaved(t('ops.policy.saved', { version: v.version }));
      await client.invalidateQueries({ queryKey: ['policy'] });
    },
  });
  const change = (i: number, patch: Partial<Draft>) => setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const toggle = (values: string[], value: string, on: boolean) => (on ? [...values.filter((v) => v !== value), value] : values.filter((v) => v !== value));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSaved(null);
    add.mutate();
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('ops.policy.newVersion')}</h2>
      <p className="hint">{t('ops.policy.categoriesHint')}</p>
      {rules.map((r, i) => (
        <fieldset key={i} data-rule={i}>
          <legend>{t('ops.policy.ruleN', { n: i + 1 })}</legend>
          <div className="field"><label htmlFor={`${id}-${i}-name`}>{t('ops.policy.name')}</label><input id={`${id}-${i}-name`} value={r.name} onChange={(e) => change(i, { name: e.target.value })} /></div>
          <div className="two">
            <div className="field"><label htmlFor={`${id}-${i}-all`}>{t('ops.policy.all')}</label><input id={`${id}-${i}-all`} value={r.all} onChange={(e) => change(i, { all: e.target.value })} /></div>
            <div className="field"><label htmlFor={`${id}-${i}-any`}>{t('ops.policy.any')}</label><input id={`${id}-${i}-any`} value={r.any} onChange={(e) => change(i, { any: e.target.value })} /></div>
          </div>
          <div className="two">
            <fieldset>
              <legend>{t('ops.policy.products')}</legend>
              {PRODUCTS.map((p) => (
                <label key={p} className="check"><input type="checkbox" checked={r.products.includes(p)} onChange={(e) => change(i, { products: toggle(r.products, p, e.target.checked) })} /> {t(`restrictions.product_${p}`)}</label>
              ))}
            </fieldset>
            <fieldset>
              <legend>{t('ops.policy.channels')}</legend>
              {CHANNELS.map((c) => (
                <label key={c} className="check"><input type="checkbox" checked={r.channels.includes(c)} onChange={(e) => change(i, { channels: toggle(r.channels, c, e.target.checked) })} /> {t(`restrictions.channel_${c}`)}</label>
              ))}
            </fieldset>
          </div>
          <div className="field"><label htmlFor={`${id}-${i}-days`}>{t('ops.policy.days')}</label><input id={`${id}-${i}-days`} inputMode="numeric" value={r.days} onChange={(e) => change(i, { days: e.target.value.replace(/[^0-9]/g, '') })} /></div>
          <button type="button" onClick={() => setRules(rules.filter((_, j) => j !== i))}>{t('ops.policy.removeRule', { n: i + 1 })}</button>
        </fieldset>
      ))}
      <p><button type="button" onClick={() => setRules([...rules, { name: '', all: 'iin', any: '', products: [...PRODUCTS], channels: [...CHANNELS], days: '180' }])}>{t('ops.policy.addRule')}</button></p>
      <div className="field"><label htmlFor={`${id}-note`}>{t('ops.policy.note')}</label><input id={`${id}-note`} value={note} onChange={(e) => setNote(e.target.value)} /></div>
      <button type="submit" className="primary" disabled={add.isPending}>{t('ops.policy.save')}</button>
      {add.isError ? <p role="alert" className="error">{add.error instanceof ApiProblem ? add.error.detail : (add.error as Error).message}</p> : null}
    </form>
  );
}
