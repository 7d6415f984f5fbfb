import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { TokenForm } from '../components/TokenForm';
import { Loaded } from '../components/Query';
import { verifyCheckAnswer, type CheckSignature } from '../crypto/answer';
import { useFormat } from '../format';
import { officeApi, useOfficeToken } from '../office';
import { api } from '../api';
import { LenderKeys } from './ops/LenderKeys';

interface Answer {
  decision: 'allow' | 'deny';
  checkId: string;
  checkedAt: string;
  restrictions: { kind: string }[];
  signature: CheckSignature;
}

interface Check {
  checkId: string;
  checkedAt: string;
  product: 'bank_loan' | 'microcredit';
  channel: 'online' | 'in_person';
  decision: 'allow' | 'deny';
}

export function Lender() {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const client = useQueryClient();
  const { token, save, clear } = useOfficeToken('lender');
  const [iin, setIin] = useState('');
  const [product, setProduct] = useState<'bank_loan' | 'microcredit'>('microcredit');
  const [channel, setChannel] = useState<'online' | 'in_person'>('online');
  const [amount, setAmount] = useState('');
  const history = useQuery({ queryKey: ['lender', 'checks', token], enabled: Boolean(token), queryFn: () => officeApi<{ items: Check[] }>(token!, '/v1/credit/checks') });
  const check = useMutation({
    mutationFn: async () => {
      const answer = await officeApi<Answer>(token!, '/v1/credit/checks', { method: 'POST', body: { iin, product, channel, ...(amount ? { amount: Number(amount) } : {}) } });
      const { keys } = await api<{ keys: JsonWebKey[] }>('/v1/credit/signing-key');
      return { answer, verified: await verifyCheckAnswer(answer.signature, keys as never) };
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ['lender'] }),
  });
  if (!token) {
    return (
      <section>
        <h1>{t('lender.title')}</h1>
        <TokenForm label={t('lender.key')} hint={t('lender.keyHint')} onSave={save} />
      </section>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    check.mutate();
  };
  return (
    <section>
      <h1>{t('lender.title')}</h1>
      <p><button type="button" onClick={clear}>{t('office.forget')}</button></p>
      <form className="card" onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>{t('lender.check')}</h2>
        <div className="field">
          <label htmlFor={`${id}-iin`}>{t('lender.iin')}</label>
          <input id={`${id}-iin`} inputMode="numeric" maxLength={12} value={iin} onChange={(e) => setIin(e.target.value.trim())} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-product`}>{t('inquiries.product')}</label>
          <select id={`${id}-product`} value={product} onChange={(e) => setProduct(e.target.value as typeof product)}>
            <option value="bank_loan">{t('restrictions.product_bank_loan')}</option>
            <option value="microcredit">{t('restrictions.product_microcredit')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-channel`}>{t('inquiries.channel')}</label>
          <select id={`${id}-channel`} value={channel} onChange={(e) => setChannel(e.target.value as typeof channel)}>
            <option value="online">{t('restrictions.channel_online')}</option>
            <option value="in_person">{t('restrictions.channel_in_person')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-amount`}>{t('lender.amount')}</label>
          <input id={`${id}-amount`} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value.replace(/[^0-9.]/g, ''))} />
          {amount ? <span className="hint">{f.tenge(Number(amount))}</span> : null}
        </div>
        <button type="submit" className="primary" disabled={check.isPending}>{t('lender.submit')}</button>
      </form>
      {check.isError ? <p role="alert" className="error">{(check.error as Error).message}</p> : null}
      {check.data ? (
        <div className="card" role="status" data-testid="check-answer">
          <p><strong>{check.data.answer.decision === 'deny' ? t('lender.deny') : t('lender.allow')}</strong></p>
          <p className={check.data.verified.valid ? 'ok' : 'error'}>{check.data.verified.valid ? t('lender.verified') : t('lender.notVerified', { reason: check.data.verified.reason })}</p>
        </div>
      ) : null}
      <h2>{t('lender.history')}</h2>
      <Loaded query={history}>
        {({ items }) =>
          items.length === 0 ? <p>{t('app.empty')}</p> : (
            <table>
              <thead><tr><th scope="col">{t('inquiries.when')}</th><th scope="col">{t('inquiries.product')}</th><th scope="col">{t('inquiries.channel')}</th><th scope="col">{t('inquiries.decision')}</th></tr></thead>
              <tbody>
                {items.map((c) => (
                  <tr key={c.checkId}><td>{f.dateTime(c.checkedAt)}</td><td>{t(`restrictions.product_${c.product}`)}</td><td>{t(`restrictions.channel_${c.channel}`)}</td><td>{c.decision === 'deny' ? t('lender.deny') : t('lender.allow')}</td></tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      <LenderKeys token={token} />
    </section>
  );
}
