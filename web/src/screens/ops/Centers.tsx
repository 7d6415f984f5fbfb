import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiProblem } from '../../api';
import { Loaded } from '../../components/Query';
import { useFormat } from '../../format';
import { useRegions } from '../../regions';
import { useSession } from '../../session';

export interface Center {
  id: string;
  name: string;
  region: string;
  address: string;
  latitude: number;
  longitude: number;
  schedule: string;
  capacity: number;
  accessibility: string[];
  languages: string[];
  distanceKm?: number;
}

export interface LessonSession { id: string; centerId: string; topic: string; language: string; startsAt: string; capacity: number; enrolled: number; attended: number }

/** /literacy/centers: where to learn, by region or nearest to the person (the browser's location, asked only on a click). */
export function Centers() {
  const { t } = useTranslation();
  const id = useId();
  const { regions } = useRegions();
  const [region, setRegion] = useState('');
  const [point, setPoint] = useState<{ latitude: number; longitude: number } | null>(null);
  const [locating, setLocating] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const query = useQuery({
    queryKey: ['centers', region, point],
    queryFn: () =>
      api<Center[]>(
        `/v1/literacy/centers${point ? `?latitude=${point.latitude}&longitude=${point.longitude}` : region ? `?region=${encodeURIComponent(region)}` : ''}`,
      ),
  });
  const locate = () => {
    setProblem(null);
    if (!navigator.geolocation) return setProblem(t('ops.centers.noLocation'));
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setLocating(false);
        setRegion('');
        setPoint({ latitude: Math.round(p.coords.latitude * 1e4) / 1e4, longitude: Math.round(p.coords.longitude * 1e4) / 1e4 });
      },
      () => {
        setLocating(false);
        setProblem(t('ops.centers.noLocation'));
      },
      { timeout: 15_000, maximumAge: 600_000 },
    );
  };
  return (
    <section>
      <h1>{t('ops.centers.title')}</h1>
      <p className="lead">{t('ops.centers.intro')}</p>
      <div className="actions">
        <div className="field">
          <label htmlFor={`${id}-region`}>{t('ops.centers.region')}</label>
          <select id={`${id}-region`} value={region} onChange={(e) => { setPoint(null); setRegion(e.target.value); }}>
            <option value="">{t('ops.centers.allRegions')}</option>
            {regions.map((r) => <option key={r.code} value={r.code}>{r.name}</option>)}
          </select>
        </div>
      </div>
      <p><button type="button" className="primary" onClick={locate} disabled={locating} data-testid="centers-nearest">{locating ? t('ops.centers.locating') : t('ops.centers.nearest')}</button></p>
      {problem ? <p role="alert" className="error">{problem}</p> : null}
      {point ? <p role="status">{t('ops.centers.nearestShown')}</p> : null}
      <Loaded query={query}>
        {(centers) =>
          centers.length === 0 ? <p>{t('ops.centers.none')}</p> : (
            <ul className="cards" data-testid="centers">
              {centers.map((c) => <CenterCard key={c.id} center={c} />)}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

function CenterCard({ center }: { center: Center }) {
  const { t } = useTranslation();
  const f = useFormat();
  const { nameOf } = useRegions();
  const [open, setOpen] = useState(false);
  return (
    <li className="card" data-center={center.id}>
      <h2>{center.name}</h2>
      {center.distanceKm !== undefined ? <p><strong>{t('ops.centers.distance', { km: f.number(Math.round(center.distanceKm * 10) / 10) })}</strong></p> : null}
      <dl>
        <dt>{t('ops.centers.address')}</dt><dd>{center.address}, {nameOf(center.region)}</dd>
        <dt>{t('ops.centers.schedule')}</dt><dd>{center.schedule}</dd>
        <dt>{t('ops.centers.languages')}</dt><dd>{center.languages.map((l) => t(`ops.centers.lang_${l}`, l)).join(', ')}</dd>
        {center.accessibility.length ? <><dt>{t('ops.centers.accessibility')}</dt><dd>{center.accessibility.join(', ')}</dd></> : null}
        <dt>{t('ops.centers.seats')}</dt><dd>{f.number(center.capacity)}</dd>
      </dl>
      <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? t('ops.centers.hideSessions') : t('ops.centers.sessions')}</button>
      {open ? <Sessions center={center} /> : null}
    </li>
  );
}

function Sessions({ center }: { center: Center }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const { session } = useSession();
  const [done, setDone] = useState<string | null>(null);
  const sessions = useQuery({ queryKey: ['centers', 'sessions', center.id], queryFn: () => api<LessonSession[]>(`/v1/literacy/centers/${center.id}/sessions`) });
  const enrol = useMutation({
    mutationFn: (sessionId: string) => api(`/v1/literacy/sessions/${sessionId}/enrolments`, { method: 'POST' }),
    onSuccess: async (_d, sessionId) => {
      setDone(sessionId);
      await client.invalidateQueries({ queryKey: ['centers', 'sessions', center.id] });
    },
  });
  return (
    <Loaded query={sessions}>
      {(items) =>
        items.length === 0 ? <p>{t('ops.centers.noSessions')}</p> : (
          <ul data-testid="center-sessions">
            {items.map((s) => {
              const left = Math.max(0, s.capacity - s.enrolled);
              return (
                <li key={s.id}>
                  <p>
                    <strong>{t('ops.centers.session', { topic: s.topic, when: f.dateTime(s.startsAt) })}</strong> ({t(`ops.centers.lang_${s.language}`, s.language)}) —{' '}
                    {left > 0 ? t('ops.centers.seatsLeft', { count: left }) : t('ops.centers.full')}
                  </p>
                  {done === s.id ? (
                    <p role="status" className="ok">{t('ops.centers.enrolled')}</p>
                  ) : session ? (
                    left > 0 ? <button type="button" onClick={() => enrol.mutate(s.id)} disabled={enrol.isPending}>{t('ops.centers.enrol')}</button> : null
                  ) : (
                    <p className="hint">{t('ops.centers.signInToEnrol')}</p>
                  )}
                  {enrol.isError && enrol.variables === s.id ? <p role="alert" className="error">{enrol.error instanceof ApiProblem ? enrol.error.detail : (enrol.error as Error).message}</p> : null}
                </li>
              );
            })}
          </ul>
        )
      }
    </Loaded>
  );
}
