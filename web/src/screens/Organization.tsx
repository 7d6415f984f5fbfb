import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type HeldCertificate } from '../api';
import { Loaded } from '../components/Query';
import { useFormat } from '../format';
import { useSession } from '../session';

interface Employee {
  bin: string;
  iin: string;
  surname: string | null;
  givenName: string | null;
  position: string;
  roles: { maySign: boolean; maySignFinancial: boolean; hr: boolean };
  startedAt: string;
}

/** The BIN of the organization the signed-in employee acts for (read from their AUTH certificate at sign-in). */
export const ORGANIZATION_KEY = 'qorgau.organization.bin';

/**
 * An organization's head and HR, signed in with their employee certificate: employees, their
 * certificates and termination (which revokes the employee's certificates at once).
 */
export function Organization() {
  const { t } = useTranslation();
  const { session } = useSession();
  const bin = sessionStorage.getItem(ORGANIZATION_KEY);
  const employees = useQuery({
    queryKey: ['org', bin, 'employees'],
    enabled: Boolean(bin && session?.holder === 'employee'),
    queryFn: () => api<{ items: Employee[] }>(`/v1/orgs/${bin}/employees`),
  });
  if (!bin || session?.holder !== 'employee') {
    return (
      <section>
        <h1>{t('org.title')}</h1>
        <p>{t('org.needEmployee')}</p>
      </section>
    );
  }
  return (
    <section>
      <h1>{t('org.title')}</h1>
      <p className="lead">{t('org.intro', { bin })}</p>
      <h2>{t('org.employees')}</h2>
      <Loaded query={employees}>
        {({ items }) =>
          items.length === 0 ? <p>{t('app.empty')}</p> : (
            <ul className="cards" data-testid="employees">
              {items.map((e) => <EmployeeCard key={e.iin} employee={e} />)}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

function EmployeeCard({ employee }: { employee: Employee }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const [showCertificates, setShowCertificates] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const name = [employee.surname, employee.givenName].filter(Boolean).join(' ') || employee.iin;
  const base = `/v1/orgs/${employee.bin}/employees/${employee.iin}`;
  const certificates = useQuery({ queryKey: ['org', employee.bin, employee.iin, 'certificates'], enabled: showCertificates, queryFn: () => api<{ items: HeldCertificate[] }>(`${base}/certificates`) });
  const terminate = useMutation({
    mutationFn: () => api<{ revoked: { serial: string }[] }>(`${base}/terminate`, { method: 'POST', body: { reason: 'dismissed' } }),
    onSuccess: async () => {
      setConfirming(false);
      setShowCertificates(true);
      await client.invalidateQueries({ queryKey: ['org', employee.bin, employee.iin] });
    },
  });
  return (
    <li className="card">
      <h3>{name}</h3>
      <p>{employee.position}{employee.roles.hr ? ` — ${t('org.hr')}` : ''} — {t('org.since', { date: f.date(employee.startedAt) })}</p>
      <p className="actions">
        <button type="button" aria-expanded={showCertificates} onClick={() => setShowCertificates(!showCertificates)}>{t('org.certificates')}<span className="sr-only"> {name}</span></button>
        {terminate.isSuccess ? null : confirming ? (
          <>
            <button type="button" className="primary" onClick={() => terminate.mutate()} disabled={terminate.isPending}>{t('org.confirmTerminate', { name })}</button>
            <button type="button" onClick={() => setConfirming(false)}>{t('sign.cancel')}</button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>{t('org.terminate')}<span className="sr-only"> {name}</span></button>
        )}
      </p>
      {terminate.isSuccess ? <p role="status" className="ok">{t('org.terminated', { count: terminate.data.revoked.length })}</p> : null}
      {terminate.isError ? <p role="alert" className="error">{(terminate.error as Error).message}</p> : null}
      {showCertificates ? (
        <Loaded query={certificates}>
          {({ items }) =>
            items.length === 0 ? <p>{t('certificates.none')}</p> : (
              <table data-testid="employee-certificates">
                <thead><tr><th scope="col">{t('certificates.serial')}</th><th scope="col">{t('org.kind')}</th><th scope="col">{t('certificates.validUntil')}</th><th scope="col">{t('org.status')}</th></tr></thead>
                <tbody>
                  {items.map((c) => (
                    <tr key={c.serial}><td className="mono">{c.serial}</td><td>{t(`certificates.kind_${c.kind}`)}</td><td>{f.date(c.notAfter)}</td><td>{t(`certificates.status_${c.status}`)}</td></tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Loaded>
      ) : null}
    </li>
  );
}
