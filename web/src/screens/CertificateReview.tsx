import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiProblem } from '../api';
import { Loaded } from '../components/Query';
import { TokenForm } from '../components/TokenForm';
import { useFormat } from '../format';
import { officeApi, useOfficeToken } from '../office';

interface ReviewItem {
  id: string;
  holder: string;
  iin: string;
  idDocumentNumber: string | null;
  surname: string;
  givenName: string;
  patronymic: string | null;
  organization: string | null;
  bin: string | null;
  reviewReason: string | null;
  createdAt: string;
  /** A company head's application: the business registry extract number to check. */
  registrationExtract?: string | null;
  /** The applicant signed with their own trusted certificate: no pictures are needed. */
  identityProven?: boolean;
  capture: { capturedAt: string; faceMatchScore: number | null; faceMatchProvider: string | null; testDouble: boolean } | null;
}

interface CaptureView {
  prompts: string[];
  capturedAt: string;
  idPhoto: { mediaType: string; data: string };
  frames: { prompt: string; mediaType: string; data: string }[];
  faceMatch: { score: number | null; liveness: string | null; provider: string | null; testDouble: boolean };
}

function Score({ capture }: { capture: CaptureView['faceMatch'] }) {
  const { t } = useTranslation();
  const f = useFormat();
  return (
    <div className={capture.testDouble ? 'card warning' : 'card'} data-testid="face-match">
      <p><strong>{t('review.score')}</strong>: {capture.score === null ? '—' : `${f.number(Math.round(capture.score * 100))} %`}</p>
      {capture.testDouble ? <p>{t('review.testDouble')}</p> : <p className="hint">{t('review.provider', { provider: capture.provider ?? '—' })}</p>}
      <p className="hint">{t(`review.liveness_${capture.liveness ?? 'unknown'}`)}</p>
    </div>
  );
}

function Decide({ token, item, onDone }: { token: string; item: ReviewItem; onDone: (message: string) => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const reasonId = useId();
  const extractId = useId();
  const [reason, setReason] = useState('');
  const [extract, setExtract] = useState('');
  const [roles, setRoles] = useState<string[]>([]);
  const head = Boolean(item.registrationExtract);
  const [problem, setProblem] = useState<string | null>(null);
  const capture = useQuery({
    queryKey: ['review', 'capture', item.id, token],
    enabled: item.capture !== null,
    queryFn: () => officeApi<CaptureView>(token, `/v1/pki/applications/${item.id}/capture`),
  });
  const decide = useMutation({
    mutationFn: (action: 'approve' | 'reject') =>
      officeApi(token, `/v1/pki/applications/${item.id}/${action}`, {
        method: 'POST',
        body:
          action === 'reject'
            ? { reason: reason.trim() }
            : head
              ? { proofingMethod: 'remote', registrationExtract: extract.trim(), roles: ['first-head', ...roles] }
              : { proofingMethod: 'remote' },
      }),
    onSuccess: (_data, action) => onDone(t(action === 'approve' ? 'review.approved' : 'review.refused', { name: `${item.surname} ${item.givenName}` })),
    onError: (err) => setProblem(err instanceof ApiProblem ? err.detail : (err as Error).message),
  });
  const approve = () => {
    setProblem(null);
    if (head) {
      // The operator types what they read in the registry; the server compares it with the applicant's number too.
      if (!extract.trim()) return setProblem(t('ops.head.extractNeeded'));
      if (extract.trim().toUpperCase().replace(/\s+/g, '') !== item.registrationExtract!.toUpperCase().replace(/\s+/g, '')) return setProblem(t('ops.head.extractDiffers'));
    }
    decide.mutate('approve');
  };
  const refuse = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim().length < 3) return setProblem(t('review.reasonNeeded'));
    decide.mutate('reject');
  };
  return (
    <section className="card" aria-labelledby={`${item.id}-name`} data-testid="review-detail">
      <h2 id={`${item.id}-name`}>{item.surname} {item.givenName} {item.patronymic ?? ''}</h2>
      <dl>
        <dt>{t('review.iin')}</dt><dd className="mono">{item.iin}</dd>
        <dt>{t('review.document')}</dt><dd className="mono">{item.idDocumentNumber ?? '—'}</dd>
        <dt>{t('review.sent')}</dt><dd>{f.dateTime(item.createdAt)}</dd>
        {item.reviewReason ? <><dt>{t('review.why')}</dt><dd>{item.reviewReason}</dd></> : null}
        {item.organization ? <><dt>{t('ops.head.organization')}</dt><dd>{item.organization}</dd></> : null}
        {item.bin ? <><dt>{t('ops.head.bin')}</dt><dd className="mono">{item.bin}</dd></> : null}
        {head ? <><dt>{t('ops.head.extract')}</dt><dd className="mono" data-testid="registration-extract">{item.registrationExtract}</dd></> : null}
      </dl>
      {head ? (
        <fieldset data-testid="head-check">
          <legend>{t('ops.head.badge')}</legend>
          <p>{t('ops.head.check', { extract: item.registrationExtract, bin: item.bin ?? '—' })}</p>
          <div className="field">
            <label htmlFor={extractId}>{t('ops.head.extractTyped')}</label>
            <input id={extractId} autoComplete="off" value={extract} onChange={(e) => setExtract(e.target.value)} />
          </div>
          <fieldset>
            <legend>{t('ops.head.roles')}</legend>
            {(['may-sign', 'may-sign-financial'] as const).map((r) => (
              <label key={r} className="check">
                <input type="checkbox" checked={roles.includes(r)} onChange={(e) => setRoles(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))} /> {t(`ops.head.role_${r}`)}
              </label>
            ))}
          </fieldset>
        </fieldset>
      ) : null}
      {item.identityProven ? (
        <p className="ok" data-testid="identity-proven">{t('ops.head.identityProven')}</p>
      ) : item.capture === null ? (
        <p className="error">{t('review.noCapture')}</p>
      ) : (
        <Loaded query={capture}>
          {(c) => (
            <>
              <div className="side-by-side" data-testid="side-by-side">
                <figure>
                  <img src={`data:${c.idPhoto.mediaType};base64,${c.idPhoto.data}`} alt={t('review.idPhotoAlt', { name: item.surname })} />
                  <figcaption>{t('review.idPhoto')}</figcaption>
                </figure>
                {c.frames.map((frame, i) => (
                  <figure key={i}>
                    <img src={`data:${frame.mediaType};base64,${frame.data}`} alt={t('review.frameAlt', { n: i + 1, prompt: t(`apply.prompt_${frame.prompt}`) })} />
                    <figcaption>{t('review.asked', { prompt: t(`apply.prompt_${frame.prompt}`) })}</figcaption>
                  </figure>
                ))}
              </div>
              <Score capture={c.faceMatch} />
            </>
          )}
        </Loaded>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={(item.capture === null && !item.identityProven) || decide.isPending} onClick={approve} data-testid="review-approve">
          {head ? t('ops.head.approve') : t('review.approve')}
        </button>
      </div>
      <form onSubmit={refuse} noValidate>
        <div className="field">
          <label htmlFor={reasonId}>{t('review.reason')}</label>
          <textarea id={reasonId} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        <button type="submit" disabled={decide.isPending} data-testid="review-refuse">{t('review.refuse')}</button>
      </form>
      {problem ? <p role="alert" className="error">{problem}</p> : null}
    </section>
  );
}

/** /operator/certificates: the CA operator's review queue of certificate applications. */
export function CertificateReview() {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const { token, save, clear } = useOfficeToken('ca-operator');
  const [open, setOpen] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const queue = useQuery({
    queryKey: ['review', 'queue', token],
    enabled: Boolean(token),
    queryFn: () => officeApi<{ items: ReviewItem[] }>(token!, '/v1/pki/review-queue?limit=100'),
  });
  if (!token) {
    return (
      <section>
        <h1>{t('review.title')}</h1>
        <TokenForm label={t('operator.token')} hint={t('review.tokenHint')} onSave={save} />
      </section>
    );
  }
  return (
    <section>
      <h1>{t('review.title')}</h1>
      <p className="lead">{t('review.intro')}</p>
      <p><button type="button" onClick={clear}>{t('office.forget')}</button></p>
      {notice ? <p role="status" className="ok" data-testid="review-notice">{notice}</p> : null}
      <Loaded query={queue}>
        {({ items }) =>
          items.length === 0 ? (
            <p>{t('review.empty')}</p>
          ) : (
            <ul className="cards" data-testid="review-queue">
              {items.map((item) => (
                <li key={item.id} className="card" data-application={item.id}>
                  <p>
                    <strong>{item.surname} {item.givenName}</strong> — {f.dateTime(item.createdAt)} —{' '}
                    {item.identityProven ? (
                      <span className="badge on">{t('ops.head.signed')}</span>
                    ) : (
                      <span className={item.capture ? 'badge on' : 'badge off'}>{item.capture ? t('review.captured') : t('review.notCaptured')}</span>
                    )}
                    {item.registrationExtract ? <> <span className="badge" data-testid="head-badge">{t('ops.head.badge')}</span></> : null}
                  </p>
                  <button type="button" aria-expanded={open === item.id} onClick={() => setOpen(open === item.id ? null : item.id)}>
                    {open === item.id ? t('review.close') : t('review.open')}
                  </button>
                  {open === item.id ? (
                    <Decide
                      token={token}
                      item={item}
                      onDone={(message) => {
                        setNotice(message);
                        setOpen(null);
                        void client.invalidateQueries({ queryKey: ['review'] });
                      }}
                    />
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
