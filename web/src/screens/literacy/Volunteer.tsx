import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiProblem } from '../../api';
import { download } from '../../components/Query';
import { fromBase64 } from '../../crypto/cms';
import { useFormat } from '../../format';
import { LANGUAGES } from '../../i18n';
import { Link } from '../../router';
import { useRegions } from '../../regions';
import { useSession } from '../../session';

interface VolunteerView {
  id: string;
  name: string;
  region: string;
  languages: string[];
  appliedAt: string;
  modules: { module: string; completedAt: string | null }[];
  remainingModules: string[];
  passingAssessment: { assessmentId: string; score: number; safety: number } | null;
  trained: boolean;
  certificateId: string | null;
}
interface Certificate { id: string; issuedAt: string; document: string; cms: string }
interface VerifyReport { result: 'valid' | 'invalid' | 'indeterminate'; signers?: { checks?: { name: string; result: string; detail?: string }[] }[] }

/** A volunteer applies, follows the training, and gets a certificate of completion anyone can verify. */
export function Volunteer() {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const client = useQueryClient();
  const { session } = useSession();
  const { regions, nameOf } = useRegions();
  const me = useQuery({
    queryKey: ['volunteer', 'me'],
    enabled: Boolean(session),
    queryFn: async () => {
      try {
        return await api<VolunteerView>('/v1/literacy/volunteers/me');
      } catch (err) {
        if (err instanceof ApiProblem && err.status === 404) return null;
        throw err;
      }
    },
  });
  const [region, setRegion] = useState('');
  const [languages, setLanguages] = useState<string[]>([]);
  const [motivation, setMotivation] = useState('');
  const apply = useMutation({
    mutationFn: () => api('/v1/literacy/volunteers', { method: 'POST', body: { region, languages, motivation } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['volunteer'] }),
  });
  const certificate = useMutation({
    mutationFn: async () => {
      const issued = await api<Certificate>('/v1/literacy/volunteers/me/certificate', { method: 'POST' });
      // Checked by the same public route anyone can use (POST /v1/signatures/verify).
      const report = await api<VerifyReport>('/v1/signatures/verify', { method: 'POST', body: { cms: issued.cms } });
      return { issued, report };
    },
    onSuccess: () => client.invalidateQueries({ queryKey: ['volunteer'] }),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (region && languages.length && motivation.trim()) apply.mutate();
  };

  return (
    <section>
      <h1>{t('volunteer.title')}</h1>
      <p className="lead">{t('volunteer.intro')}</p>
      {session === null ? <p><Link to="/signin" className="button">{t('volunteer.signInFirst')}</Link></p> : null}
      {session && me.isSuccess && me.data === null ? (
        <form className="card narrow" onSubmit={submit} noValidate aria-label={t('volunteer.apply')}>
          <div className="field">
            <label htmlFor={`${id}-region`}>{t('volunteer.region')}</label>
            <select id={`${id}-region`} value={region} onChange={(e) => setRegion(e.target.value)}>
              <option value="">—</option>
              {regions.map((r) => <option key={r.code} value={r.code}>{r.name}</option>)}
            </select>
          </div>
          <fieldset>
            <legend>{t('volunteer.languages')}</legend>
            {LANGUAGES.map((l) => (
              <label key={l.code} className="check">
                <input type="checkbox" checked={languages.includes(l.code)} onChange={(e) => setLanguages(e.target.checked ? [...languages, l.code] : languages.filter((x) => x !== l.code))} /> <span lang={l.code}>{l.name}</span>
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor={`${id}-why`}>{t('volunteer.motivation')}</label>
            <textarea id={`${id}-why`} rows={3} value={motivation} onChange={(e) => setMotivation(e.target.value)} />
          </div>
          {apply.isError ? <p role="alert" className="error">{(apply.error as Error).message}</p> : null}
          <button type="submit" className="primary" disabled={apply.isPending}>{t('volunteer.apply')}</button>
        </form>
      ) : null}
      {me.data ? (
        <div className="card" data-testid="volunteer">
          <p><strong>{me.data.name}</strong> — {nameOf(me.data.region)} — {t('volunteer.applied', { date: f.date(me.data.appliedAt) })}</p>
          <h2>{t('volunteer.modules')}</h2>
          <ul>
            {[...me.data.modules.map((m) => m.module), ...me.data.remainingModules].map((module) => {
              const done = me.data!.modules.find((m) => m.module === module && m.completedAt);
              return <li key={module}>{t(`volunteer.module_${module}`, { defaultValue: module })}: {done ? t('volunteer.module_done', { date: f.date(done.completedAt) }) : t('volunteer.module_todo')}</li>;
            })}
          </ul>
          <h2>{t('volunteer.assessment')}</h2>
          {me.data.passingAssessment ? (
            <p>{t('volunteer.passed', { score: f.number(Math.round(me.data.passingAssessment.score)), safety: f.number(Math.round(me.data.passingAssessment.safety)) })}</p>
          ) : (
            <p>{t('volunteer.notPassed')} <Link to="/literacy/test">{t('volunteer.takeTest')}</Link></p>
          )}
          <h2>{t('volunteer.certificate')}</h2>
          {me.data.trained || (me.data.remainingModules.length === 0 && me.data.passingAssessment) ? (
            <>
              <button type="button" className="primary" onClick={() => certificate.mutate()} disabled={certificate.isPending}>{t('volunteer.getCertificate')}</button>
              {certificate.data ? (
                <div role="status">
                  <p className={certificate.data.report.result === 'valid' ? 'ok' : 'error'}>
                    {certificate.data.report.result === 'valid' ? t('volunteer.verified') : t('volunteer.notVerified', { reason: certificate.data.report.result })}
                  </p>
                  <p><button type="button" onClick={() => download('qorgau-volunteer-certificate.p7s', fromBase64(certificate.data!.issued.cms))}>{t('volunteer.download')}</button></p>
                  <p className="hint">{t('volunteer.verifyHint')}</p>
                </div>
              ) : null}
              {certificate.isError ? <p role="alert" className="error">{(certificate.error as Error).message}</p> : null}
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
