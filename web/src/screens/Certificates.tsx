import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type HeldCertificate } from '../api';
import { Loaded } from '../components/Query';
import { useFormat } from '../format';
import { Renew } from './Renew';
import { KeyFiles } from '../components/KeyFiles';

interface Use { at?: string; usedAt?: string; action?: string; kind?: string; ip?: string | null; device?: string | null }

export function Certificates() {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const query = useQuery({ queryKey: ['me', 'certificates'], queryFn: () => api<{ items: HeldCertificate[] }>('/v1/me/certificates') });
  const usage = useQuery({ queryKey: ['me', 'certificate-usage'], queryFn: () => api<{ items: Use[] }>('/v1/me/certificate-usage') });
  const [notice, setNotice] = useState<string | null>(null);
  const [renewing, setRenewing] = useState<string | null>(null);
  const [renewed, setRenewed] = useState<{ auth: Uint8Array; sign: Uint8Array } | null>(null);
  const lost = useMutation({
    mutationFn: (serial: string) => api(`/v1/me/certificates/${serial}/revoke`, { method: 'POST', body: {} }),
    onSuccess: async () => {
      setNotice(t('certificates.lostDone'));
      await client.invalidateQueries({ queryKey: ['me'] });
    },
  });
  return (
    <section>
      <h1>{t('certificates.title')}</h1>
      <p className="lead">{t('certificates.intro')}</p>
      {notice ? <p role="status" className="ok" data-testid="certificates-notice">{notice}</p> : null}
      {renewed ? <KeyFiles files={renewed} /> : null}
      {lost.isError ? <p role="alert" className="error">{(lost.error as Error).message}</p> : null}
      <Loaded query={query}>
        {({ items }) =>
          items.length === 0 ? (
            <p>{t('certificates.none')}</p>
          ) : (
            <ul className="cards" data-testid="certificates">
              {items.map((c) => (
                <li key={c.serial} className="card">
                  <h2>{t(`certificates.kind_${c.kind}`)}</h2>
                  <p><strong className={c.status === 'good' ? 'badge on' : 'badge off'}>{t(`certificates.status_${c.status}`)}</strong></p>
                  <dl>
                    <dt>{t('certificates.validUntil')}</dt>
                    <dd>{f.date(c.notAfter)}{c.status === 'good' ? ` — ${t('certificates.daysLeft', { count: c.daysLeft })}` : ''}</dd>
                    <dt>{t('certificates.serial')}</dt>
                    <dd className="mono">{c.serial}</dd>
                  </dl>
                  {c.status === 'good' ? (
                    <div className="actions">
                      {c.kind === 'auth' ? (
                        <button type="button" aria-expanded={renewing === c.serial} onClick={() => setRenewing(renewing === c.serial ? null : c.serial)} data-testid="renew-open">{t('renew.button')}</button>
                      ) : null}
                      <button type="button" onClick={() => window.confirm(t('certificates.confirmLost')) && lost.mutate(c.serial)}>{t('certificates.reportLost')}</button>
                    </div>
                  ) : null}
                  {renewing === c.serial ? (
                    <Renew
                      serial={c.serial}
                      onDone={(files) => {
                        setRenewing(null);
                        setRenewed(files);
                        // The old pair is revoked, so the session it opened has ended: the notice says to sign in again.
                        setNotice(t('renew.done'));
                      }}
                    />
                  ) : null}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <h2>{t('certificates.usageTitle')}</h2>
      <Loaded query={usage}>
        {({ items }) =>
          items.length === 0 ? (
            <p>{t('certificates.noUsage')}</p>
          ) : (
            <table>
              <thead><tr><th scope="col">{t('certificates.usedAt')}</th><th scope="col">{t('certificates.usedFor')}</th><th scope="col">{t('certificates.usedFrom')}</th></tr></thead>
              <tbody>
                {items.slice(0, 50).map((u, i) => (
                  <tr key={i}><td>{f.dateTime(u.usedAt ?? u.at)}</td><td>{u.action ?? u.kind}</td><td>{[u.device, u.ip].filter(Boolean).join(', ')}</td></tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
