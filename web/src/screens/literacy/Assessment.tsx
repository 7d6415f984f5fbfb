import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from '@tanstack/react-query';
import { api } from '../../api';
import { useFormat } from '../../format';
import { AGE_GROUPS, useRegions } from '../../regions';

interface ServedItem {
  id: string;
  area: string;
  type: 'single' | 'multiple' | 'ordering' | 'spot-the-scam';
  prompt: string;
  options?: string[];
  exhibit?: { channel: string; from: string; body: string };
}
interface Started { id: string; bankVersion: number; items: ServedItem[] }
type Answer = { choice?: number; choices?: number[]; order?: number[]; verdict?: 'scam' | 'genuine' };
export interface LiteracyResult {
  assessmentId: string;
  bankVersion: number;
  score: number;
  allBasic: boolean;
  scamResistance: number;
  areas: { area: string; items: number; share: number; level: string; interval: { low: number; high: number; levelLow: string; levelHigh: string } }[];
  nextSteps: { area: string; advice: string }[];
  nearestCenter: { name: string; address: string; schedule: string; distanceKm?: number; accessibility: string[] } | null;
  explanations: { itemId: string; explanation: string }[];
}

const pct = (share: number) => Math.round(share * 100);

/** A literacy assessment, one question at a time, on a phone or a computer; then the result per area. */
export function Assessment() {
  const { t, i18n } = useTranslation();
  const id = useId();
  const { regions } = useRegions();
  const [region, setRegion] = useState('');
  const [ageGroup, setAgeGroup] = useState('');
  const [sex, setSex] = useState('');
  const [started, setStarted] = useState<Started | null>(null);
  const [position, setPosition] = useState(0);
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const [result, setResult] = useState<LiteracyResult | null>(null);
  const [confirmUnanswered, setConfirmUnanswered] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [position, started, result]);

  const start = useMutation({
    mutationFn: () => api<Started>('/v1/literacy/assessments', { method: 'POST', body: { language: i18n.resolvedLanguage ?? 'kk', region, ageGroup, sex } }),
    onSuccess: (s) => {
      setStarted(s);
      setPosition(0);
      // An ordering starts in the order served; moving steps changes it.
      setAnswers(Object.fromEntries(s.items.filter((i) => i.type === 'ordering').map((i) => [i.id, { order: (i.options ?? []).map((_, k) => k) }])));
    },
  });
  const submit = useMutation({
    mutationFn: () =>
      api<LiteracyResult>(`/v1/literacy/assessments/${started!.id}/answers`, {
        method: 'POST',
        body: { answers: Object.entries(answers).filter(([, a]) => Object.keys(a).length > 0).map(([itemId, a]) => ({ itemId, ...a })) },
      }),
    onSuccess: setResult,
  });

  if (result) return <ResultView result={result} />;

  if (!started) {
    const ready = region && ageGroup && sex;
    return (
      <section>
        <h1 ref={heading} tabIndex={-1}>{t('assessment.title')}</h1>
        <p className="lead">{t('assessment.intro')}</p>
        <form className="card narrow" onSubmit={(e: FormEvent) => { e.preventDefault(); if (ready) start.mutate(); }} noValidate aria-label={t('assessment.title')}>
          <div className="field">
            <label htmlFor={`${id}-region`}>{t('assessment.region')}</label>
            <select id={`${id}-region`} value={region} onChange={(e) => setRegion(e.target.value)}>
              <option value="">—</option>
              {regions.map((r) => <option key={r.code} value={r.code}>{r.name}</option>)}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-age`}>{t('assessment.ageGroup')}</label>
            <select id={`${id}-age`} value={ageGroup} onChange={(e) => setAgeGroup(e.target.value)}>
              <option value="">—</option>
              {AGE_GROUPS.map((a) => <option key={a} value={a}>{a}</option>)}
            </select>
          </div>
          <fieldset>
            <legend>{t('assessment.sex')}</legend>
            {(['female', 'male'] as const).map((s) => (
              <label key={s} className="check"><input type="radio" name={`${id}-sex`} value={s} checked={sex === s} onChange={() => setSex(s)} /> {t(`assessment.sex_${s}`)}</label>
            ))}
          </fieldset>
          {start.isError ? <p role="alert" className="error">{(start.error as Error).message}</p> : null}
          <button type="submit" className="primary" disabled={!ready || start.isPending}>{t('assessment.start')}</button>
        </form>
      </section>
    );
  }

  const items = started.items;
  const item = items[position];
  const answer = answers[item.id] ?? {};
  const setAnswer = (a: Answer) => setAnswers({ ...answers, [item.id]: a });
  const unanswered = items.filter((i) => i.type !== 'ordering' && !answers[i.id]).length;
  const last = position === items.length - 1;

  return (
    <section>
      <h1 ref={heading} tabIndex={-1} data-testid="question-heading">{t('assessment.question', { number: position + 1, total: items.length })}</h1>
      <progress value={position + 1} max={items.length} aria-label={t('assessment.question', { number: position + 1, total: items.length })} />
      <form className="card question" onSubmit={(e) => { e.preventDefault(); if (!last) setPosition(position + 1); }} data-testid="question" data-item-type={item.type}>
        <fieldset>
          <legend className="prompt">{item.prompt}</legend>
          {item.exhibit ? (
            <figure className={`exhibit exhibit-${item.exhibit.channel}`}>
              <figcaption>{t(`assessment.exhibit_${item.exhibit.channel}`, { defaultValue: item.exhibit.channel })} — {t('assessment.from', { from: item.exhibit.from })}</figcaption>
              <blockquote>{item.exhibit.body}</blockquote>
            </figure>
          ) : null}
          {item.type === 'single' ? (
            <>
              <p className="hint">{t('assessment.chooseOne')}</p>
              {(item.options ?? []).map((o, k) => (
                <label key={k} className="check option"><input type="radio" name={item.id} checked={answer.choice === k} onChange={() => setAnswer({ choice: k })} /> {o}</label>
              ))}
            </>
          ) : null}
          {item.type === 'multiple' ? (
            <>
              <p className="hint">{t('assessment.chooseMany')}</p>
              {(item.options ?? []).map((o, k) => {
                const chosen = answer.choices ?? [];
                return (
                  <label key={k} className="check option">
                    <input type="checkbox" checked={chosen.includes(k)} onChange={(e) => setAnswer({ choices: e.target.checked ? [...chosen, k].sort((a, b) => a - b) : chosen.filter((c) => c !== k) })} /> {o}
                  </label>
                );
              })}
            </>
          ) : null}
          {item.type === 'ordering' ? (
            <>
              <p className="hint">{t('assessment.order')}</p>
              <ol className="ordering">
                {(answer.order ?? []).map((k, place, order) => {
                  const move = (to: number) => {
                    const next = [...order];
                    [next[place], next[to]] = [next[to], next[place]];
                    setAnswer({ order: next });
                  };
                  const step = item.options?.[k] ?? '';
                  return (
                    <li key={k}>
                      <span>{step}</span>
                      <span className="actions">
                        <button type="button" disabled={place === 0} onClick={() => move(place - 1)} aria-label={t('assessment.moveUp', { step })}>↑</button>
                        <button type="button" disabled={place === order.length - 1} onClick={() => move(place + 1)} aria-label={t('assessment.moveDown', { step })}>↓</button>
                      </span>
                    </li>
                  );
                })}
              </ol>
            </>
          ) : null}
          {item.type === 'spot-the-scam' ? (
            <>
              <p className="hint">{t('assessment.spot')}</p>
              {(['scam', 'genuine'] as const).map((v) => (
                <label key={v} className="check option"><input type="radio" name={item.id} checked={answer.verdict === v} onChange={() => setAnswer({ verdict: v })} /> {t(`assessment.${v}`)}</label>
              ))}
            </>
          ) : null}
        </fieldset>
        <p className="actions">
          {position > 0 ? <button type="button" onClick={() => setPosition(position - 1)}>{t('assessment.previous')}</button> : null}
          {!last ? <button type="submit" className="primary">{t('assessment.next')}</button> : null}
        </p>
      </form>
      {last ? (
        <div className="card">
          {unanswered > 0 && confirmUnanswered ? <p role="alert">{t('assessment.unanswered', { count: unanswered })}</p> : null}
          {submit.isError ? <p role="alert" className="error">{(submit.error as Error).message}</p> : null}
          <button
            type="button"
            className="primary"
            disabled={submit.isPending}
            onClick={() => (unanswered > 0 && !confirmUnanswered ? setConfirmUnanswered(true) : submit.mutate())}
          >
            {t('assessment.finish')}
          </button>
        </div>
      ) : null}
    </section>
  );
}

/** The result per area with the person's own band, what to learn next and the nearest center. */
export function ResultView({ result }: { result: LiteracyResult }) {
  const { t } = useTranslation();
  const f = useFormat();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section data-testid="literacy-result">
      <h1 ref={heading} tabIndex={-1}>{t('assessment.resultTitle')}</h1>
      <p className="lead"><strong>{t('assessment.score', { score: f.number(Math.round(result.score)) })}</strong></p>
      <p>{result.allBasic ? t('assessment.allBasic') : t('assessment.notAllBasic')}</p>
      <p>{t('assessment.scamResistance', { percent: f.number(Math.round(result.scamResistance)) })}</p>
      <table>
        <thead><tr><th scope="col">{t('assessment.area')}</th><th scope="col">{t('assessment.level')}</th><th scope="col">{t('assessment.band')}</th></tr></thead>
        <tbody>
          {result.areas.map((a) => (
            <tr key={a.area}>
              <th scope="row">{t(`assessment.area_${a.area}`)}</th>
              <td>{t(`assessment.level_${a.level}`)} ({pct(a.share)}%)</td>
              <td>
                <span className="band" aria-hidden="true">
                  <span className="band-range" style={{ left: `${pct(a.interval.low)}%`, width: `${Math.max(1, pct(a.interval.high) - pct(a.interval.low))}%` }} />
                  <span className="band-point" style={{ left: `${pct(a.share)}%` }} />
                </span>
                {t('assessment.bandText', { low: pct(a.interval.low), high: pct(a.interval.high) })}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">{t('assessment.bandHint')}</p>
      {result.nextSteps.length > 0 ? (
        <>
          <h2>{t('assessment.learnNext')}</h2>
          <ul>{result.nextSteps.map((s) => <li key={s.area}><strong>{t(`assessment.area_${s.area}`)}:</strong> {s.advice}</li>)}</ul>
        </>
      ) : null}
      {result.nearestCenter ? (
        <>
          <h2>{t('assessment.nearest')}</h2>
          <div className="card">
            <p><strong>{result.nearestCenter.name}</strong>{result.nearestCenter.distanceKm !== undefined ? ` — ${t('assessment.distance', { km: f.number(Math.round(result.nearestCenter.distanceKm)) })}` : ''}</p>
            <p>{result.nearestCenter.address}</p>
            <p>{result.nearestCenter.schedule}</p>
          </div>
        </>
      ) : null}
      <details>
        <summary>{t('assessment.explanations')}</summary>
        <ol>{result.explanations.map((e) => <li key={e.itemId}>{e.explanation}</li>)}</ol>
      </details>
    </section>
  );
}
