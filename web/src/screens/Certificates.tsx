import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type HeldCertificate } from '../api';
import { Loaded } from '../components/Query';
import { useFormat } from '../format';
import { Renew } from './Renew';
import { KeyFiles } from '../components/KeyFiles';

/** One use of a certificate, as GET /v1/me/certificate-usage gives it. */
interface Use { occurredAt: string; certificateSerial: string; purpose: string; outcome: string; deviceId: string | null; clientIp: string | null; organizationBin: string | null }

/** Where one certificate was used: time, purpose, result, device and network. */
function Uses({ serial, uses, recorded }: { serial: string; uses: Use[] | undefined; recorded: boolean | undefined }) {
  const { t } = useTranslation();
  const f = useFormat();
  // Relying parties may write a serial with colons or leading zeros: compare the number itself.
  const bare = (s: string) => s.toLowerCase().replace(/[^0-9a-f]/g, '').replace(/^0+/, '');
  const mine = (uses ?? []).filter((u) => bare(u.certificateSerial) === bare(serial));
  return (
    <details data-testid="certificate-uses">
      <summary>{t('ops.uses.title')} — {recorded === false ? t('ops.uses.notRecorded') : mine.length === 0 ? t('ops.uses.none') : t('ops.uses.count', { count: mine.length })}</summary>
      {mine.length ? (
        <table>
          <thead><tr><th scope="col">{t('ops.uses.when')}</th><th scope="col">{t('ops.uses.what')}</th><th scope="col">{t('ops.uses.outcome')}</th><th scope="col">{t('ops.uses.from')}</th><th scope="col">{t('ops.uses.organization')}</th></tr></thead>
          <tbody>
            {mine.slice(0, 50).map((u, i) => (
              <tr key={i}><td>{f.dateTime(u.occurredAt)}</td><td>{u.purpose}</td><td>{u.outcome}</td><td>{[u.deviceId, u.clientIp].filter(Boolean).join(', ') || '—'}</td><td className="mono">{u.organizationBin ?? '—'}</td></tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </details>
  );
}

export function Certificates() {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const query = useQuery({ queryKey: ['me', 'certificates'], queryFn: () => api<{ items: HeldCertificate[] }>('/v1/me/certificates') });
  const usage = useQuery({ queryKey: ['me', 'certificate-usage'], queryFn: () => api<{ items: Use[]; recorded: boolean }>('/v1/me/certificate-usage?limit=500') });
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
                  <Uses serial={c.serial} uses={usage.data?.items} recorded={usage.data?.recorded} />
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
                  <tr key={i}><td>{f.dateTime(u.occurredAt)}</td><td>{u.purpose}</td><td>{[u.deviceId, u.clientIp].filter(Boolean).join(', ')}</td></tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
    </section>
  );
}
