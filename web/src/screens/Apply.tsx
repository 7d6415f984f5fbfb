import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useQuery } from '@tanstack/react-query';
import { api, ApiProblem } from '../api';
import { applicantSubject, buildCsr, deliverPair, generateKeys, lastWaitingId, loadWaiting, openSealedKeys, saveWaiting, sealKeys, toBase64, WrongPasswordError } from '../crypto/enrol';
import { judgePassword } from '../crypto/password';
import { useFormat } from '../format';
import { Link, useRoute } from '../router';
import { Camera, type CameraHandle } from '../components/Camera';
import { KeyFiles } from '../components/KeyFiles';

/** What the applicant sees of their application (GET /v1/pki/applications/{id}). */
export interface ApplicationState {
  id: string;
  /** Only in the answer to the submission. */
  captureSecret?: string;
  status: 'pending_review' | 'rejected' | 'issued';
  captured: boolean;
  createdAt: string;
  decidedAt: string | null;
  decisionReason: string | null;
  certificates: { kind: 'auth' | 'sign'; url: string; notAfter: string }[];
}

interface Challenge {
  prompts: string[];
  code: string;
  expiresAt: string;
}

const IIN = /^\d{12}$/;

/** Focus moves to each step's heading, so a screen reader and the keyboard follow the steps. */
function StepHeading({ children }: { children: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return <h2 ref={ref} tabIndex={-1}>{children}</h2>;
}

function problemText(t: TFunction, err: unknown): string {
  if (err instanceof ApiProblem) return t('apply.serverRefused', { detail: err.detail });
  return t('app.error', { message: (err as Error).message });
}

/** Step 1: who applies, and the password of the future key files. Keys and requests are made here. */
function Details({ onApplied }: { onApplied: (id: string) => void }) {
  const { t } = useTranslation();
  const ids = { iin: useId(), surname: useId(), given: useId(), patronymic: useId(), document: useId(), password: useId(), repeat: useId() };
  const [form, setForm] = useState({ iin: '', surname: '', givenName: '', patronymic: '', idDocumentNumber: '', password: '', repeat: '' });
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    const iin = form.iin.replace(/\s+/g, '');
    if (!IIN.test(iin)) return setProblem(t('apply.iinFormat'));
    if (!form.surname.trim() || !form.givenName.trim()) return setProblem(t('apply.nameRequired'));
    if (!/^[A-Za-z0-9 ]{6,14}$/.test(form.idDocumentNumber.trim())) return setProblem(t('apply.documentFormat'));
    if (form.password !== form.repeat) return setProblem(t('apply.passwordsDiffer'));
    setBusy(true);
    try {
      const verdict = await judgePassword(form.password, [iin, form.surname, form.givenName, form.patronymic, form.idDocumentNumber]);
      if (!verdict.ok) {
        setProblem([verdict.tooShort ? t('apply.passwordShort') : null, verdict.tooGuessable ? t('apply.passwordGuessable') : null].filter(Boolean).join(' '));
        return;
      }
      const person = { iin, surname: form.surname, givenName: form.givenName, patronymic: form.patronymic };
      const subject = applicantSubject(person);
      const auth = await generateKeys();
      const sign = await generateKeys();
      const application = await api<ApplicationState>('/v1/pki/applications', {
        method: 'POST',
        body: {
          iin,
          idDocumentNumber: form.idDocumentNumber,
          surname: form.surname.trim(),
          givenName: form.givenName.trim(),
          ...(form.patronymic.trim() ? { patronymic: form.patronymic.trim() } : {}),
          authCsr: toBase64(await buildCsr(auth, subject)),
          signCsr: toBase64(await buildCsr(sign, subject)),
        },
      });
      saveWaiting({ id: application.id, createdAt: application.createdAt, captureSecret: application.captureSecret, keys: await sealKeys(form.password, { auth: auth.privateKey, sign: sign.privateKey }) });
      onApplied(application.id);
    } catch (err) {
      setProblem(problemText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="narrow">
      <StepHeading>{t('apply.stepDetails')}</StepHeading>
      <p>{t('apply.detailsIntro')}</p>
      <div className="field"><label htmlFor={ids.iin}>{t('apply.iin')}</label><input id={ids.iin} inputMode="numeric" autoComplete="off" value={form.iin} onChange={set('iin')} data-testid="apply-iin" /></div>
      <div className="field"><label htmlFor={ids.surname}>{t('apply.surname')}</label><input id={ids.surname} autoComplete="family-name" value={form.surname} onChange={set('surname')} /></div>
      <div className="field"><label htmlFor={ids.given}>{t('apply.givenName')}</label><input id={ids.given} autoComplete="given-name" value={form.givenName} onChange={set('givenName')} /></div>
      <div className="field"><label htmlFor={ids.patronymic}>{t('apply.patronymic')}</label><input id={ids.patronymic} autoComplete="additional-name" value={form.patronymic} onChange={set('patronymic')} /></div>
      <div className="field"><label htmlFor={ids.document}>{t('apply.document')}</label><input id={ids.document} autoComplete="off" value={form.idDocumentNumber} onChange={set('idDocumentNumber')} /></div>
      <p className="hint">{t('apply.passwordIntro')}</p>
      <div className="field"><label htmlFor={ids.password}>{t('apply.password')}</label><input id={ids.password} type="password" autoComplete="new-password" value={form.password} onChange={set('password')} /></div>
      <div className="field"><label htmlFor={ids.repeat}>{t('apply.repeat')}</label><input id={ids.repeat} type="password" autoComplete="new-password" value={form.repeat} onChange={set('repeat')} /></div>
      {problem ? <p role="alert" className="error" data-testid="apply-problem">{problem}</p> : null}
      <button type="submit" className="primary" disabled={busy}>{busy ? t('apply.making') : t('apply.submitDetails')}</button>
    </form>
  );
}

/** Step 2: the live capture (one frame per prompt) and a photo of the ID card. */
export function Capture({ applicationId, onDone }: { applicationId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const camera = useRef<CameraHandle>(null);
  const fileId = useId();
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [frames, setFrames] = useState<{ prompt: string; image: string }[]>([]);
  const [idPhoto, setIdPhoto] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The secret the submission returned, kept with the sealed keys in this browser: the server takes the pictures only with it.
  const secret = { 'qorgau-capture-secret': loadWaiting(applicationId)?.captureSecret ?? '' };

  const start = async () => {
    setProblem(null);
    try {
      setChallenge(await api<Challenge>(`/v1/pki/applications/${applicationId}/liveness-challenge`, { method: 'POST', headers: secret }));
      setFrames([]);
      setIdPhoto(null);
    } catch (err) {
      setProblem(problemText(t, err));
    }
  };
  const prompt = challenge && frames.length < challenge.prompts.length ? challenge.prompts[frames.length] : null;
  const take = () => {
    const image = camera.current?.capture();
    if (!image) return setProblem(t('apply.cameraNotReady'));
    setProblem(null);
    if (prompt) setFrames([...frames, { prompt, image }]);
    else setIdPhoto(image);
  };
  const chooseFile = async (file: File | undefined) => {
    if (!file) return;
    if (!/^image\/(jpeg|png)$/.test(file.type)) return setProblem(t('apply.photoType'));
    const image = await camera.current?.shrink(file);
    if (!image) return setProblem(t('apply.photoType'));
    setIdPhoto(image);
  };
  const send = async () => {
    if (!challenge || !idPhoto) return;
    setBusy(true);
    setProblem(null);
    try {
      await api(`/v1/pki/applications/${applicationId}/capture`, { method: 'POST', headers: secret, body: { code: challenge.code, idPhoto, frames } });
      onDone();
    } catch (err) {
      setProblem(problemText(t, err));
      // An expired or refused challenge: start again with a new one.
      if (err instanceof ApiProblem && err.status !== 413 && err.status !== 415) setChallenge(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="capture">
      <StepHeading>{t('apply.stepCamera')}</StepHeading>
      <p>{t('apply.cameraIntro')}</p>
      <Camera ref={camera} label={t('apply.cameraLabel')} onProblem={(p) => setProblem(t(p === 'denied' ? 'apply.cameraDenied' : 'apply.cameraMissing'))} />
      {!challenge ? (
        <p><button type="button" className="primary" onClick={() => void start()} data-testid="capture-start">{t('apply.startCapture')}</button></p>
      ) : prompt ? (
        <div className="prompt" aria-live="polite">
          <p className="step-count">{t('apply.promptCount', { n: frames.length + 1, total: challenge.prompts.length })}</p>
          <p className="prompt-text" data-testid="capture-prompt" data-prompt={prompt}>{t(`apply.prompt_${prompt}`)}</p>
          <p className="hint">{t('apply.code', { code: challenge.code })}</p>
          <button type="button" className="primary" onClick={take} data-testid="capture-take">{t('apply.takePicture')}</button>
        </div>
      ) : (
        <div aria-live="polite">
          <p className="ok">{t('apply.framesDone')}</p>
          <h3>{t('apply.idPhotoTitle')}</h3>
          <p>{t('apply.idPhotoIntro')}</p>
          <div className="actions">
            <button type="button" onClick={take} data-testid="capture-id">{t('apply.photographId')}</button>
          </div>
          <div className="field">
            <label htmlFor={fileId}>{t('apply.idPhotoFile')}</label>
            <input id={fileId} type="file" accept="image/jpeg,image/png" onChange={(e) => void chooseFile(e.target.files?.[0])} />
          </div>
          {idPhoto ? <img className="thumb" src={`data:image/jpeg;base64,${idPhoto}`} alt={t('apply.idPhotoPreview')} /> : null}
          <p>
            <button type="button" className="primary" disabled={!idPhoto || busy} onClick={() => void send()} data-testid="capture-send">{busy ? t('apply.sending') : t('apply.send')}</button>
          </p>
        </div>
      )}
      {problem ? <p role="alert" className="error">{problem}</p> : null}
    </section>
  );
}

/** The application's state; once issued, the key files are written here under the person's password. */
export function ApplicationStatus({ id }: { id: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const passwordId = useId();
  const [capturing, setCapturing] = useState(false);
  const [password, setPassword] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [files, setFiles] = useState<{ auth: Uint8Array; sign: Uint8Array } | null>(null);
  const [busy, setBusy] = useState(false);
  const query = useQuery({
    queryKey: ['application', id],
    queryFn: () => api<ApplicationState>(`/v1/pki/applications/${id}`),
    refetchInterval: (q) => (q.state.data?.status === 'pending_review' ? 5000 : false),
  });
  const waiting = loadWaiting(id);
  if (query.isPending) return <p role="status">{t('app.loading')}</p>;
  if (query.isError) return <p role="alert" className="error">{problemText(t, query.error)}</p>;
  const application = query.data;
  if (capturing) return <Capture applicationId={id} onDone={() => { setCapturing(false); void query.refetch(); }} />;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!waiting) return;
    setBusy(true);
    setProblem(null);
    try {
      const keys = await openSealedKeys(password, waiting.keys);
      setFiles(await deliverPair({ certificates: application.certificates, keys, password }));
    } catch (err) {
      setProblem(err instanceof WrongPasswordError ? t('apply.wrongPassword') : problemText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="narrow" data-testid="application-status" data-status={application.status}>
      <StepHeading>{t('apply.statusTitle')}</StepHeading>
      <dl>
        <dt>{t('apply.number')}</dt>
        <dd className="mono">{application.id}</dd>
        <dt>{t('apply.sent')}</dt>
        <dd>{f.dateTime(application.createdAt)}</dd>
      </dl>
      {application.status === 'pending_review' ? (
        application.captured ? (
          <p role="status">{t('apply.waiting')}</p>
        ) : (
          <>
            <p role="status">{t('apply.needsCapture')}</p>
            <button type="button" className="primary" onClick={() => setCapturing(true)}>{t('apply.continueCapture')}</button>
          </>
        )
      ) : application.status === 'rejected' ? (
        <>
          <p role="status" className="error">{t('apply.rejected')}</p>
          <p>{t('apply.reason', { reason: application.decisionReason ?? '—' })}</p>
          <p><Link to="/apply/new">{t('apply.again')}</Link></p>
        </>
      ) : files ? (
        <>
          <KeyFiles files={files} />
          <p><Link to="/signin" className="button">{t('app.signIn')}</Link></p>
        </>
      ) : !waiting ? (
        <p role="alert" className="error">{t('apply.keysNotHere')}</p>
      ) : (
        <form onSubmit={(e) => void save(e)} noValidate>
          <p role="status" className="ok">{t('apply.issued')}</p>
          <div className="field">
            <label htmlFor={passwordId}>{t('apply.passwordAgain')}</label>
            <input id={passwordId} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
          {problem ? <p role="alert" className="error">{problem}</p> : null}
          <button type="submit" className="primary" disabled={busy} data-testid="download-keys">{busy ? t('apply.writing') : t('apply.download')}</button>
        </form>
      )}
    </section>
  );
}

/** /apply: get a certificate with a web camera and an ID card, nothing installed. */
export function Apply({ id }: { id?: string }) {
  const { t } = useTranslation();
  const { go } = useRoute();
  const [applied, setApplied] = useState<string | null>(null);
  const last = lastWaitingId();
  return (
    <section>
      <h1>{t('apply.title')}</h1>
      <p className="lead">{t('apply.intro')}</p>
      {id ? (
        <ApplicationStatus id={id} />
      ) : applied ? (
        <Capture applicationId={applied} onDone={() => go(`/apply/${applied}`)} />
      ) : (
        <>
          {last ? <p><Link to={`/apply/${last}`}>{t('apply.followLast')}</Link></p> : null}
          <ol className="steps">
            <li>{t('apply.how1')}</li>
            <li>{t('apply.how2')}</li>
            <li>{t('apply.how3')}</li>
          </ol>
          <Details onApplied={setApplied} />
        </>
      )}
    </section>
  );
}
