import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiProblem } from '../../api';
import { Loaded } from '../../components/Query';
import { useFormat } from '../../format';
import { officeApi } from '../../office';

interface OwnKey { id: string; scopes: string[]; createdAt: string; revokedAt: string | null; current: boolean }

/** The lender's own API keys: list, make one (its secret shown once, here only), revoke. */
export function LenderKeys({ token }: { token: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const [made, setMade] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const keys = useQuery({ queryKey: ['lender', 'keys', token], queryFn: () => officeApi<{ items: OwnKey[] }>(token, '/v1/credit/keys') });
  const make = useMutation({
    mutationFn: () => officeApi<{ id: string; key: string }>(token, '/v1/credit/keys', { method: 'POST', body: {} }),
    onMutate: () => setNotice(null),
    onSuccess: async (created) => {
      setMade(created.key);
      await client.invalidateQueries({ queryKey: ['lender', 'keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => officeApi(token, `/v1/credit/keys/${id}`, { method: 'DELETE' }),
    onMutate: () => setNotice(null),
    onSuccess: async (_d, id) => {
      setNotice(t('ops.keys.revokedDone', { id }));
      await client.invalidateQueries({ queryKey: ['lender', 'keys'] });
    },
  });
  const failed = make.error ?? revoke.error;
  return (
    <section aria-labelledby="lender-keys-title">
      <h2 id="lender-keys-title">{t('ops.keys.title')}</h2>
      <p>{t('ops.keys.intro')}</p>
      <p><button type="button" onClick={() => make.mutate()} disabled={make.isPending}>{t('ops.keys.make')}</button></p>
      {made ? (
        <div className="card warning" role="status" data-testid="new-key">
          <p><strong>{t('ops.keys.made')}</strong></p>
          <label className="field">
            {t('ops.keys.newKey')}
            <input readOnly value={made} className="mono" onFocus={(e) => e.target.select()} />
          </label>
        </div>
      ) : null}
      {notice ? <p role="status" className="ok" data-testid="keys-notice">{notice}</p> : null}
      {failed ? <p role="alert" className="error">{failed instanceof ApiProblem ? failed.detail : (failed as Error).message}</p> : null}
      <Loaded query={keys}>
        {({ items }) => (
          <table data-testid="lender-keys">
            <thead>
              <tr><th scope="col">{t('ops.keys.id')}</th><th scope="col">{t('ops.keys.scopes')}</th><th scope="col">{t('ops.keys.created')}</th><th scope="col">{t('ops.keys.state')}</th><td /></tr>
            </thead>
            <tbody>
              {items.map((k) => (
                <tr key={k.id} data-key={k.id}>
                  <th scope="row" className="mono">{k.id}{k.current ? <span className="hint"> ({t('ops.keys.current')})</span> : null}</th>
                  <td>{k.scopes.map((s) => t(`ops.keys.scope_${s.replace(':', '_')}`, s)).join(', ')}</td>
                  <td>{f.dateTime(k.createdAt)}</td>
                  <td>{k.revokedAt ? t('ops.keys.revoked', { date: f.dateTime(k.revokedAt) }) : t('ops.keys.active')}</td>
                  <td>
                    {k.revokedAt ? null : (
                      <button type="button" disabled={revoke.isPending} onClick={() => window.confirm(t(k.current ? 'ops.keys.confirmRevokeCurrent' : 'ops.keys.confirmRevoke')) && revoke.mutate(k.id)}>
                        {t('ops.keys.revoke', { id: k.id })}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}
