import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiProblem, type HeldCertificate } from '../api';
import { Loaded } from '../components/Query';
import { useFormat } from '../format';
import { useSession } from '../session';
import { HrCredentials, iinsOfStaffFile, OrgAlerts } from './OrgAdmin';

interface Roles {
  maySign: boolean;
  maySignFinancial: boolean;
  hr: boolean;
  firstHead: boolean;
}

interface Employee {
  bin: string;
  iin: string;
  surname: string | null;
  givenName: string | null;
  position: string;
  roles: Roles;
  startedAt: string;
}

interface EnrolledOrganization {
  bin: string;
  name: string;
  currentEmployees: number;
}

interface Authorization {
  id: string;
  expiresAt: string;
  roles: string[];
}

interface StaffSyncResult {
  listed: number;
  wouldTerminate: { iin: string; position: string }[];
  terminated: { iin: string }[];
  notRecorded: string[];
}

/** The BIN of the organization the signed-in employee acts for (read from their AUTH certificate at sign-in). */
export const ORGANIZATION_KEY = 'qorgau.organization.bin';

const problemText = (error: unknown) => (error as Error).message;

/**
 * An organization's head and HR, signed in with their employee certificate. A head whose
 * organization is not in Qorgau yet enrols it here; then: employees (add, make HR, allow a
 * certificate), their certificates and termination (which revokes them at once), and the
 * staff list check that finds who has left.
 */
export function Organization() {
  const { t } = useTranslation();
  const { session } = useSession();
  const bin = sessionStorage.getItem(ORGANIZATION_KEY);
  const enabled = Boolean(bin && session?.holder === 'employee');
  const organization = useQuery({
    queryKey: ['org', bin],
    enabled,
    retry: false,
    queryFn: () => api<EnrolledOrganization>(`/v1/orgs/${bin}`),
  });
  if (!bin || session?.holder !== 'employee') {
    return (
      <section>
        <h1>{t('org.title')}</h1>
        <p>{t('org.needEmployee')}</p>
      </section>
    );
  }
  if (organization.isError && organization.error instanceof ApiProblem && organization.error.code === 'ORG_NOT_ENROLLED') {
    return <Enrol bin={bin} />;
  }
  return (
    <section>
      <h1>{t('org.title')}</h1>
      <Loaded query={organization}>
        {(org) => (
          <>
            <p className="lead">{t('org.intro', { bin: org.bin })}</p>
            <p data-testid="organization-name"><strong>{org.name}</strong></p>
            <AddEmployee bin={org.bin} />
            <Employees bin={org.bin} />
            <StaffSync bin={org.bin} />
            <OrgAlerts bin={org.bin} />
            <HrCredentials bin={org.bin} />
          </>
        )}
      </Loaded>
    </section>
  );
}

/** A head signed in with a first-head certificate of an organization Qorgau does not know yet. */
function Enrol({ bin }: { bin: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const enrol = useMutation({
    mutationFn: () => api<EnrolledOrganization>('/v1/orgs', { method: 'POST', body: { bin, name } }),
    onSuccess: async () => client.invalidateQueries({ queryKey: ['org', bin] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    enrol.mutate();
  };
  return (
    <section>
      <h1>{t('org.enrolTitle')}</h1>
      <p className="lead">{t('org.enrolIntro', { bin })}</p>
      <p>{t('org.enrolWhat')}</p>
      <form onSubmit={submit}>
        <label>
          {t('org.name')}
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={300} autoComplete="organization" />
        </label>
        <button type="submit" className="primary" disabled={enrol.isPending || !name.trim()}>{t('org.enrol')}</button>
      </form>
      {enrol.isError ? <p role="alert" className="error">{problemText(enrol.error)}</p> : null}
    </section>
  );
}

const NO_ROLES: Roles = { maySign: false, maySignFinancial: false, hr: false, firstHead: false };

/** Records a person as an employee (or updates them): HR may be given here, no certificate needed for it. */
function AddEmployee({ bin }: { bin: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [form, setForm] = useState({ iin: '', surname: '', givenName: '', position: '', maySign: false, hr: false });
  const save = useMutation({
    mutationFn: () =>
      api<Employee>(`/v1/orgs/${bin}/employees/${form.iin.trim()}`, {
        method: 'PUT',
        body: { position: form.position.trim(), surname: form.surname.trim() || undefined, givenName: form.givenName.trim() || undefined, roles: { maySign: form.maySign, hr: form.hr } },
      }),
    onSuccess: async () => {
      setForm({ iin: '', surname: '', givenName: '', position: '', maySign: false, hr: false });
      await client.invalidateQueries({ queryKey: ['org', bin, 'employees'] });
    },
  });
  const field = (key: 'iin' | 'surname' | 'givenName' | 'position') => ({ value: form[key], onChange: (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value }) });
  return (
    <details>
      <summary>{t('org.addEmployee')}</summary>
      <form onSubmit={(e) => { e.preventDefault(); save.mutate(); }} data-testid="add-employee">
        <label>{t('org.iin')}<input {...field('iin')} required inputMode="numeric" pattern="[0-9]{12}" maxLength={12} /></label>
        <label>{t('org.surname')}<input {...field('surname')} maxLength={100} /></label>
        <label>{t('org.givenName')}<input {...field('givenName')} maxLength={100} /></label>
        <label>{t('org.position')}<input {...field('position')} required maxLength={200} /></label>
        <label className="check"><input type="checkbox" checked={form.maySign} onChange={(e) => setForm({ ...form, maySign: e.target.checked })} />{t('org.maySign')}</label>
        <label className="check"><input type="checkbox" checked={form.hr} onChange={(e) => setForm({ ...form, hr: e.target.checked })} />{t('org.hrRole')}</label>
        <button type="submit" className="primary" disabled={save.isPending}>{t('org.save')}</button>
      </form>
      {save.isSuccess ? <p role="status" className="ok">{t('org.saved')}</p> : null}
      {save.isError ? <p role="alert" className="error">{problemText(save.error)}</p> : null}
    </details>
  );
}

function Employees({ bin }: { bin: string }) {
  const { t } = useTranslation();
  const employees = useQuery({ queryKey: ['org', bin, 'employees'], queryFn: () => api<{ items: Employee[] }>(`/v1/orgs/${bin}/employees`) });
  return (
    <>
      <h2>{t('org.employees')}</h2>
      <Loaded query={employees}>
        {({ items }) =>
          items.length === 0 ? <p>{t('app.empty')}</p> : (
            <ul className="cards" data-testid="employees">
              {items.map((e) => <EmployeeCard key={e.iin} employee={{ ...e, roles: { ...NO_ROLES, ...e.roles } }} />)}
            </ul>
          )
        }
      </Loaded>
    </>
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
  const refresh = () => client.invalidateQueries({ queryKey: ['org', employee.bin] });
  const terminate = useMutation({
    mutationFn: () => api<{ revoked: { serial: string }[] }>(`${base}/terminate`, { method: 'POST', body: { reason: 'dismissed' } }),
    onSuccess: async () => {
      setConfirming(false);
      setShowCertificates(true);
      await client.invalidateQueries({ queryKey: ['org', employee.bin, employee.iin] });
    },
  });
  const toggleHr = useMutation({
    mutationFn: () => {
      const { maySign, maySignFinancial, hr } = employee.roles;
      return api<Employee>(base, { method: 'PUT', body: { position: employee.position, roles: { maySign, maySignFinancial, hr: !hr } } });
    },
    onSuccess: refresh,
  });
  const authorize = useMutation({ mutationFn: () => api<Authorization>(`${base}/certificate-authorizations`, { method: 'POST', body: {} }) });
  const roles = [employee.roles.firstHead ? t('org.firstHead') : null, employee.roles.hr ? t('org.hr') : null].filter(Boolean).join(', ');
  return (
    <li className="card">
      <h3>{name}</h3>
      <p>{employee.position}{roles ? ` — ${roles}` : ''} — {t('org.since', { date: f.date(employee.startedAt) })}</p>
      <p className="actions">
        <button type="button" aria-expanded={showCertificates} onClick={() => setShowCertificates(!showCertificates)}>{t('org.certificates')}<span className="sr-only"> {name}</span></button>
        <button type="button" onClick={() => authorize.mutate()} disabled={authorize.isPending || authorize.isSuccess}>{t('org.authorize')}<span className="sr-only"> {name}</span></button>
        <button type="button" onClick={() => toggleHr.mutate()} disabled={toggleHr.isPending}>{employee.roles.hr ? t('org.removeHr') : t('org.makeHr')}<span className="sr-only"> {name}</span></button>
        {terminate.isSuccess ? null : confirming ? (
          <>
            <button type="button" className="primary" onClick={() => terminate.mutate()} disabled={terminate.isPending}>{t('org.confirmTerminate', { name })}</button>
            <button type="button" onClick={() => setConfirming(false)}>{t('sign.cancel')}</button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>{t('org.terminate')}<span className="sr-only"> {name}</span></button>
        )}
      </p>
      {authorize.isSuccess ? <p role="status" className="ok" data-testid="authorized">{t('org.authorized', { date: f.date(authorize.data.expiresAt) })}</p> : null}
      {authorize.isError ? <p role="alert" className="error">{problemText(authorize.error)}</p> : null}
      {toggleHr.isError ? <p role="alert" className="error">{problemText(toggleHr.error)}</p> : null}
      {terminate.isSuccess ? <p role="status" className="ok">{t('org.terminated', { count: terminate.data.revoked.length })}</p> : null}
      {terminate.isError ? <p role="alert" className="error">{problemText(terminate.error)}</p> : null}
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

/** The full staff list, checked first: who is employed here but not on the list would be terminated. */
function StaffSync({ bin }: { bin: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [text, setText] = useState('');
  const [fileCount, setFileCount] = useState<number | null>(null);
  const staff = () => ({ staff: text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean).map((iin) => ({ iin })) });
  const check = useMutation({ mutationFn: () => api<StaffSyncResult>(`/v1/orgs/${bin}/staff-sync?confirm=false`, { method: 'POST', body: staff() }) });
  const apply = useMutation({
    mutationFn: (expected: number) => api<StaffSyncResult>(`/v1/orgs/${bin}/staff-sync?confirm=true&expectTerminations=${expected}`, { method: 'POST', body: staff() }),
    onSuccess: async () => {
      check.reset();
      await client.invalidateQueries({ queryKey: ['org', bin] });
    },
  });
  return (
    <details>
      <summary>{t('org.staffSync')}</summary>
      <p>{t('org.staffSyncIntro')}</p>
      <label>
        {t('org.staffList')}
        <textarea value={text} onChange={(e) => { setText(e.target.value); check.reset(); }} rows={5} />
      </label>
      <label>
        {t('roles.org.staffFile')}
        <input
          type="file"
          accept=".csv,.txt,text/csv,text/plain"
          data-testid="staff-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (!file) return;
            void file.text().then((content) => {
              const iins = iinsOfStaffFile(content);
              setText(iins.join('\n'));
              setFileCount(iins.length);
              check.reset();
            });
          }}
        />
      </label>
      {fileCount !== null ? <p role="status">{t('roles.org.staffFileRead', { count: fileCount })}</p> : null}
      <p className="actions">
        <button type="button" onClick={() => check.mutate()} disabled={check.isPending || !text.trim()}>{t('org.staffCheck')}</button>
      </p>
      {check.isError ? <p role="alert" className="error">{problemText(check.error)}</p> : null}
      {check.isSuccess ? (
        <div role="status" data-testid="staff-check">
          <p>{t('roles.org.staffListed', { count: check.data.listed })}</p>
          <p>{t('org.staffWouldTerminate', { count: check.data.wouldTerminate.length })}</p>
          {check.data.wouldTerminate.length > 0 ? <ul>{check.data.wouldTerminate.map((e) => <li key={e.iin}><span className="mono">{e.iin}</span> — {e.position}</li>)}</ul> : null}
          {check.data.notRecorded.length > 0 ? (
            <>
              <p>{t('roles.org.staffNotRecorded', { count: check.data.notRecorded.length })}</p>
              <ul data-testid="staff-not-recorded">{check.data.notRecorded.map((iin) => <li key={iin} className="mono">{iin}</li>)}</ul>
            </>
          ) : null}
          {check.data.wouldTerminate.length > 0 ? (
            <button type="button" className="primary" onClick={() => apply.mutate(check.data.wouldTerminate.length)} disabled={apply.isPending}>{t('org.staffConfirm', { count: check.data.wouldTerminate.length })}</button>
          ) : null}
        </div>
      ) : null}
      {apply.isSuccess ? <p role="status" className="ok">{t('org.staffDone', { count: apply.data.terminated.length })}</p> : null}
      {apply.isError ? <p role="alert" className="error">{problemText(apply.error)}</p> : null}
    </details>
  );
}
