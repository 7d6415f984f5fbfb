import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiProblem } from '../api';
import { Loaded } from '../components/Query';
import { useFormat } from '../format';

interface OrgAlert { id: string; rule: string; status: 'new' | 'escalated' | 'dismissed'; createdAt: string; certificateSerial: string | null }
interface Credential { id: string; name: string; createdAt: string; revokedAt: string | null; lastUsedAt: string | null }

/** The organization's misuse alerts (its head, HR or HR system sees them). */
export function OrgAlerts({ bin }: { bin: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const alerts = useQuery({ queryKey: ['org', bin, 'alerts'], queryFn: () => api<OrgAlert[]>(`/v1/orgs/${bin}/alerts?limit=100`) });
  return (
    <section aria-labelledby={`${id}-title`} data-testid="org-alerts">
      <h2 id={`${id}-title`}>{t('roles.org.alerts')}</h2>
      <p>{t('roles.org.alertsIntro')}</p>
      <Loaded query={alerts}>
        {(items) => items.length === 0 ? <p>{t('roles.org.noAlerts')}</p> : (
          <table>
            <thead><tr><th scope="col">{t('roles.org.alertWhen')}</th><th scope="col">{t('roles.org.alertWhat')}</th><th scope="col">{t('roles.org.alertStatus')}</th></tr></thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} data-alert={a.id}>
                  <td>{f.dateTime(a.createdAt)}</td>
                  <td>{t(`inspector.rule_${a.rule}`, { defaultValue: a.rule })}</td>
                  <td>{t(`inspector.status_${a.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}

/** Keys the organization's HR system uses to send the staff list (its first head makes and cancels them). */
export function HrCredentials({ bin }: { bin: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const list = useQuery({ queryKey: ['org', bin, 'credentials'], retry: false, queryFn: () => api<{ items: Credential[] }>(`/v1/orgs/${bin}/credentials`) });
  const refresh = () => client.invalidateQueries({ queryKey: ['org', bin, 'credentials'] });
  const create = useMutation({
    mutationFn: () => api<{ id: string; credential: string }>(`/v1/orgs/${bin}/credentials`, { method: 'POST', body: { name: name.trim() } }),
    onSuccess: async () => { setName(''); await refresh(); },
  });
  const revoke = useMutation({
    mutationFn: (credential: string) => api(`/v1/orgs/${bin}/credentials/${credential}`, { method: 'DELETE' }),
    // The key shown once is no longer shown once any key is cancelled: it may be the one cancelled.
    onSuccess: async () => { create.reset(); await refresh(); },
  });
  const submit = (e: FormEvent) => { e.preventDefault(); if (name.trim()) create.mutate(); };
  const forbidden = list.isError && list.error instanceof ApiProblem && list.error.status === 403;
  return (
    <section aria-labelledby={`${id}-title`} data-testid="hr-credentials">
      <h2 id={`${id}-title`}>{t('roles.org.credentials')}</h2>
      <p>{t('roles.org.credentialsIntro')}</p>
      {forbidden ? <p role="status">{t('roles.org.headOnly')}</p> : (
        <>
          <Loaded query={list}>
            {({ items }) => items.length === 0 ? <p>{t('roles.org.none')}</p> : (
              <table>
                <thead><tr><th scope="col">{t('roles.org.name')}</th><th scope="col">{t('roles.org.createdAt')}</th><th scope="col">{t('roles.org.lastUsed')}</th><th scope="col">{t('roles.org.state')}</th><th scope="col"><span className="sr-only">{t('roles.org.revoke', { name: '' })}</span></th></tr></thead>
                <tbody>
                  {items.map((c) => (
                    <tr key={c.id} data-credential={c.id}>
                      <td>{c.name}</td>
                      <td>{f.dateTime(c.createdAt)}</td>
                      <td>{c.lastUsedAt ? f.dateTime(c.lastUsedAt) : t('roles.org.never')}</td>
                      <td>{c.revokedAt ? t('roles.org.revoked') : t('roles.org.active')}</td>
                      <td>{c.revokedAt ? null : <button type="button" onClick={() => revoke.mutate(c.id)} disabled={revoke.isPending}>{t('roles.org.revoke', { name: c.name })}</button>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Loaded>
          {revoke.isSuccess ? <p role="status" className="ok">{t('roles.org.revokedOk')}</p> : null}
          {revoke.isError ? <p role="alert" className="error">{t('roles.failed', { detail: (revoke.error as Error).message })}</p> : null}
          <form onSubmit={submit}>
            <div className="field">
              <label htmlFor={`${id}-name`}>{t('roles.org.credentialName')}</label>
              <input id={`${id}-name`} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
            </div>
            <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>{t('roles.org.create')}</button>
          </form>
          {create.isSuccess ? (
            <div role="status" className="card ok" data-testid="credential-once">
              <p>{t('roles.org.shownOnce')}</p>
              <p className="mono" data-testid="credential-secret">{create.data.credential}</p>
            </div>
          ) : null}
          {create.isError ? <p role="alert" className="error">{t('roles.failed', { detail: (create.error as Error).message })}</p> : null}
        </>
      )}
    </section>
  );
}

/** The IINs of a staff-list file: an "iin" column of a CSV, or every 12-digit number of a text. */
export function iinsOfStaffFile(text: string): string[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0]?.split(/[;,\t]/).map((h) => h.trim().replace(/^"|"$/g, '').toLowerCase()) ?? [];
  const column = header.indexOf('iin');
  const found = column >= 0 ? lines.slice(1).map((l) => l.split(/[;,\t]/)[column]?.trim().replace(/^"|"$/g, '') ?? '') : [...text.matchAll(/\b\d{12}\b/g)].map((m) => m[0]);
  return [...new Set(found.filter((iin) => /^\d{12}$/.test(iin)))];
}
