import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Lift, type Restriction } from '../api';
import { Loaded } from '../components/Query';
import { SignRequest } from '../components/SignRequest';
import type { Channel, LiftRequest, PlaceRequest, Product } from '../crypto/requests';
import { useFormat } from '../format';

const PRODUCTS: Product[] = ['bank_loan', 'microcredit'];
const CHANNELS: Channel[] = ['online', 'in_person'];

function useNow(everyMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** "23 h 59 min" in the person's language (browsers' unit names for Kazakh are not complete). */
function useDuration() {
  const { t } = useTranslation();
  const f = useFormat();
  return (ms: number) => {
    const minutes = Math.max(0, Math.ceil(ms / 60_000));
    const hours = Math.floor(minutes / 60);
    const m = t('restrictions.minutes', { count: f.number(minutes % 60) });
    return hours > 0 ? `${t('restrictions.hoursShort', { count: f.number(hours) })} ${m}` : m;
  };
}

type Pending = { summary: string; request: PlaceRequest | LiftRequest; endpoint: string };

export function Restrictions() {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const now = useNow(15_000);
  const duration = useDuration();
  const restrictions = useQuery({ queryKey: ['me', 'restrictions'], queryFn: () => api<Restriction[]>('/v1/me/restrictions') });
  const lifts = useQuery({ queryKey: ['me', 'lifts'], queryFn: () => api<Lift[]>('/v1/me/lifts') });
  const [pending, setPending] = useState<Pending | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const cancel = useMutation({
    mutationFn: (id: string) => api<Lift>(`/v1/me/lifts/${id}/cancel`, { method: 'POST' }),
    onSuccess: async () => {
      setNotice(t('restrictions.cancelled'));
      await client.invalidateQueries({ queryKey: ['me'] });
    },
  });
  const list = (items: string[], prefix: string) => items.map((i) => t(`${prefix}${i}`)).join(', ');

  return (
    <section>
      <h1>{t('restrictions.title')}</h1>
      <p className="lead">{t('restrictions.intro')}</p>
      {notice ? <p role="status" className="ok">{notice}</p> : null}
      <Loaded query={restrictions}>
        {(items) =>
          items.length === 0 ? (
            <p>{t('restrictions.none')}</p>
          ) : (
            <ul className="cards" data-testid="restrictions">
              {items.map((r) => (
                <li key={r.id} className="card">
                  <p>
                    <strong className={r.inForce ? 'badge on' : 'badge off'}>{r.inForce ? t('restrictions.inForce') : t('restrictions.notInForce')}</strong>{' '}
                    {r.kind === 'protective' ? t('restrictions.protective') : t('restrictions.voluntary')}
                  </p>
                  <dl>
                    <dt>{t('restrictions.products')}</dt>
                    <dd>{list(r.products, 'restrictions.product_')}</dd>
                    <dt>{t('restrictions.channels')}</dt>
                    <dd>{list(r.channels, 'restrictions.channel_')}</dd>
                    <dt>{t('restrictions.since')}</dt>
                    <dd>{f.dateTime(r.since)}</dd>
                    <dt>{t('restrictions.until')}</dt>
                    <dd>{r.until ? f.dateTime(r.until) : t('restrictions.forever')}</dd>
                  </dl>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>

      {pending ? (
        <SignRequest summary={pending.summary} request={pending.request} endpoint={pending.endpoint} onClose={() => setPending(null)} />
      ) : (
        <div className="two">
          <PlaceForm onReview={(request) =>
            setPending({
              request,
              endpoint: '/v1/me/restrictions',
              summary: t('restrictions.placeSummary', { products: list(request.products, 'restrictions.product_'), channels: list(request.channels, 'restrictions.channel_') }),
            })
          } />
          <LiftForm restrictions={(restrictions.data ?? []).filter((r) => r.inForce)} onReview={(request, summary) => setPending({ request, summary, endpoint: '/v1/me/lifts' })} />
        </div>
      )}

      <h2>{t('restrictions.liftsTitle')}</h2>
      <Loaded query={lifts}>
        {(items) =>
          items.length === 0 ? (
            <p>{t('restrictions.noLifts')}</p>
          ) : (
            <ul className="cards" data-testid="lifts">
              {items.map((l) => (
                <li key={l.id} className="card">
                  <p><strong className="badge">{t(`restrictions.status_${l.status.replace(/-/g, '_')}`)}</strong> {t(`restrictions.scope_${l.scope}`)}{l.lenderBin ? ` (${l.lenderBin})` : ''}</p>
                  <dl>
                    <dt>{t('restrictions.requested')}</dt>
                    <dd>{f.dateTime(l.requestedAt)}</dd>
                    <dt>{t('restrictions.effective')}</dt>
                    <dd>{f.dateTime(l.effectiveAt)}</dd>
                    {l.liftedUntil ? (
                      <>
                        <dt>{t('restrictions.until')}</dt>
                        <dd>{f.dateTime(l.liftedUntil)}</dd>
                      </>
                    ) : null}
                  </dl>
                  {l.status === 'cooling-off' ? (
                    <p>
                      <span role="timer" aria-live="off">{t('restrictions.countdown', { time: duration(new Date(l.effectiveAt).getTime() - now) })}</span>{' '}
                      <button type="button" onClick={() => cancel.mutate(l.id)} disabled={cancel.isPending}>{t('restrictions.cancel')}</button>
                    </p>
                  ) : null}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

function PlaceForm({ onReview }: { onReview: (request: PlaceRequest) => void }) {
  const { t } = useTranslation();
  const [products, setProducts] = useState<Product[]>([...PRODUCTS]);
  const [channels, setChannels] = useState<Channel[]>([...CHANNELS]);
  const [problem, setProblem] = useState<string | null>(null);
  const toggle = <T,>(list: T[], value: T) => (list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (products.length === 0 || channels.length === 0) return setProblem(t('restrictions.chooseOne'));
    setProblem(null);
    onReview({ action: 'restriction.place', products: PRODUCTS.filter((p) => products.includes(p)), channels: CHANNELS.filter((c) => channels.includes(c)) });
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="place-title">
      <h2 id="place-title">{t('restrictions.placeTitle')}</h2>
      <fieldset>
        <legend>{t('restrictions.products')}</legend>
        {PRODUCTS.map((p) => (
          <label key={p} className="check"><input type="checkbox" checked={products.includes(p)} onChange={() => setProducts(toggle(products, p))} /> {t(`restrictions.product_${p}`)}</label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('restrictions.channels')}</legend>
        {CHANNELS.map((c) => (
          <label key={c} className="check"><input type="checkbox" checked={channels.includes(c)} onChange={() => setChannels(toggle(channels, c))} /> {t(`restrictions.channel_${c}`)}</label>
        ))}
      </fieldset>
      {problem ? <p role="alert" className="error">{problem}</p> : null}
      <button type="submit" className="primary">{t('restrictions.placeSubmit')}</button>
    </form>
  );
}

function LiftForm({ restrictions, onReview }: { restrictions: Restriction[]; onReview: (request: LiftRequest, summary: string) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const id = useId();
  const [which, setWhich] = useState('all');
  const [scope, setScope] = useState<LiftRequest['scope']>('entire');
  const [until, setUntil] = useState('');
  const [bin, setBin] = useState('');
  const [hours, setHours] = useState(24);
  const [problem, setProblem] = useState<string | null>(null);
  if (restrictions.length === 0) return null;
  const products = (r: Restriction) => r.products.map((p) => t(`restrictions.product_${p}`)).join(', ');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const chosen = restrictions.find((r) => r.id === which);
    const whichText = chosen ? t('restrictions.whichOne', { date: f.date(chosen.since) }) : t('restrictions.whichAll');
    const request: LiftRequest = { action: 'restriction.lift', restrictionId: chosen?.id ?? null, scope };
    if (scope === 'until') {
      const date = new Date(`${until}T00:00:00`);
      if (!until || Number.isNaN(date.getTime()) || date.getTime() <= Date.now()) return setProblem(t('restrictions.invalidDate'));
      request.until = date.toISOString();
    }
    if (scope === 'lender') {
      if (!/^[0-9]{12}$/.test(bin)) return setProblem(t('restrictions.invalidBin'));
      request.lenderBin = bin;
      request.hours = hours;
    }
    setProblem(null);
    onReview(request, t(`restrictions.liftSummary_${scope}`, { which: whichText, date: request.until ? f.date(request.until) : '', bin, hours: f.number(hours) }));
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="lift-title">
      <h2 id="lift-title">{t('restrictions.liftTitle')}</h2>
      <div className="field">
        <label htmlFor={`${id}-which`}>{t('restrictions.liftWhich')}</label>
        <select id={`${id}-which`} value={which} onChange={(e) => setWhich(e.target.value)}>
          <option value="all">{t('restrictions.liftAll')}</option>
          {restrictions.map((r) => <option key={r.id} value={r.id}>{t('restrictions.liftOne', { date: f.date(r.since), products: products(r) })}</option>)}
        </select>
      </div>
      <fieldset>
        <legend>{t('restrictions.liftScope')}</legend>
        {(['entire', 'until', 'lender'] as const).map((s) => (
          <label key={s} className="check"><input type="radio" name={`${id}-scope`} value={s} checked={scope === s} onChange={() => setScope(s)} /> {t(`restrictions.scope_${s}`)}</label>
        ))}
      </fieldset>
      {scope === 'until' ? (
        <div className="field">
          <label htmlFor={`${id}-until`}>{t('restrictions.liftUntil')}</label>
          <input id={`${id}-until`} type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
        </div>
      ) : null}
      {scope === 'lender' ? (
        <>
          <div className="field">
            <label htmlFor={`${id}-bin`}>{t('restrictions.lenderBin')}</label>
            <input id={`${id}-bin`} inputMode="numeric" maxLength={12} value={bin} onChange={(e) => setBin(e.target.value.trim())} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-hours`}>{t('restrictions.hours')}</label>
            <input id={`${id}-hours`} type="number" min={1} max={720} value={hours} onChange={(e) => setHours(Number(e.target.value))} />
          </div>
        </>
      ) : null}
      {problem ? <p role="alert" className="error">{problem}</p> : null}
      <button type="submit" className="primary">{t('restrictions.liftSubmit')}</button>
    </form>
  );
}
