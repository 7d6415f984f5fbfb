import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from '@tanstack/react-query';
import { TokenForm } from '../../components/TokenForm';
import { useFormat } from '../../format';
import { officeApi, useOfficeToken } from '../../office';

interface Indicator {
  type: string;
  value: string;
  reportedCount: number;
  firstSeen: string | null;
  lastSeen: string | null;
  clusterCount: number;
  totalLossBand: string;
  riskLevel: 'none' | 'low' | 'medium' | 'high';
  warningListed: string | null;
  overCorrelating: boolean;
  cleared: boolean;
}

const TYPES = ['phone', 'card', 'iban', 'domain', 'url', 'handle', 'wallet'] as const;

/** Banks and telecoms look an identifier up before a payment, with a key of scope fraud:lookup. */
export function Lookup() {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const { token, save, clear } = useOfficeToken('lookup');
  const [type, setType] = useState<(typeof TYPES)[number]>('phone');
  const [value, setValue] = useState('');
  const lookup = useMutation({ mutationFn: () => officeApi<Indicator>(token!, `/v1/fraud/indicators/${type}/${encodeURIComponent(value.trim())}`) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) lookup.mutate();
  };
  return (
    <section>
      <h1>{t('lookup.title')}</h1>
      <p className="lead">{t('lookup.intro')}</p>
      {!token ? (
        <TokenForm label={t('lookup.key')} hint={t('lookup.keyHint')} onSave={save} />
      ) : (
        <>
          <p><button type="button" onClick={clear}>{t('office.forget')}</button></p>
          <form className="card narrow" onSubmit={submit} noValidate aria-label={t('lookup.title')}>
            <div className="field">
              <label htmlFor={`${id}-type`}>{t('lookup.type')}</label>
              <select id={`${id}-type`} value={type} onChange={(e) => setType(e.target.value as typeof type)}>
                {TYPES.map((k) => <option key={k} value={k}>{k === 'domain' ? t('lookup.type_domain') : t(`fraud.type_${k}`)}</option>)}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-value`}>{t('lookup.value')}</label>
              <input id={`${id}-value`} value={value} autoComplete="off" onChange={(e) => setValue(e.target.value)} />
            </div>
            <button type="submit" className="primary" disabled={lookup.isPending}>{t('lookup.submit')}</button>
          </form>
          {lookup.isError ? <p role="alert" className="error">{(lookup.error as Error).message}</p> : null}
          {lookup.data ? (
            <div className="card" data-testid="lookup-answer" role="status">
              <p>
                {t('lookup.risk')}: <strong className={`badge risk-${lookup.data.riskLevel}`}>{t(`lookup.risk_${lookup.data.riskLevel}`)}</strong> — <span className="mono">{lookup.data.value}</span>
              </p>
              <dl>
                <dt>{t('lookup.reported')}</dt><dd>{f.number(lookup.data.reportedCount)}</dd>
                <dt>{t('lookup.clusters')}</dt><dd>{f.number(lookup.data.clusterCount)}</dd>
                <dt>{t('lookup.firstSeen')}</dt><dd>{f.date(lookup.data.firstSeen)}</dd>
                <dt>{t('lookup.lastSeen')}</dt><dd>{f.date(lookup.data.lastSeen)}</dd>
                <dt>{t('lookup.lossBand')}</dt><dd>{t(`lookup.band_${lookup.data.totalLossBand}`)}</dd>
              </dl>
              {lookup.data.warningListed ? <p>{t('lookup.warning', { owner: lookup.data.warningListed })}</p> : null}
              {lookup.data.overCorrelating ? <p>{t('lookup.over')}</p> : null}
              {lookup.data.cleared ? <p>{t('lookup.cleared')}</p> : null}
            </div>
          ) : null}
        </>
      )}
    </section>
  );
}
