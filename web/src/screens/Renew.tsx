import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiProblem } from '../api';
import { buildCsr, deliverPair, generateKeys, subjectOf, toBase64, type NameAttribute } from '../crypto/enrol';
import { KeyFileError, openKeyFile } from '../crypto/keyfile';
import { judgePassword } from '../crypto/password';
import type { ApplicationState } from './Apply';

/**
 * Renewal before expiry: the person opens their current AUTH key file here (its certificate
 * names them), new keys and requests are made in this page, and the server, which knows them by
 * the session opened with that AUTH key, issues a new pair without a new identity proofing. The
 * new key files are written here under a new password; the old pair is revoked at once.
 */
export function Renew({ serial, onDone }: { serial: string; onDone: (files: { auth: Uint8Array; sign: Uint8Array }) => void }) {
  const { t } = useTranslation();
  const ids = { file: useId(), current: useId(), password: useId(), repeat: useId() };
  const [file, setFile] = useState<File | null>(null);
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    if (!file) return setProblem(t('signin.noFile'));
    if (password !== repeat) return setProblem(t('apply.passwordsDiffer'));
    setBusy(true);
    try {
      let subject: NameAttribute[];
      try {
        subject = subjectOf((await openKeyFile(new Uint8Array(await file.arrayBuffer()), current)).certificate);
      } catch (err) {
        if (err instanceof KeyFileError && err.problem === 'BAD_PASSWORD') return setProblem(t('signin.BAD_PASSWORD'));
        throw err;
      }
      const verdict = await judgePassword(password, subject.map((a) => a.value.replace(/^IIN/, '')));
      if (!verdict.ok) return setProblem([verdict.tooShort ? t('apply.passwordShort') : null, verdict.tooGuessable ? t('apply.passwordGuessable') : null].filter(Boolean).join(' '));
      const auth = await generateKeys();
      const sign = await generateKeys();
      const renewed = await api<ApplicationState>(`/v1/me/certificates/${serial}/renew`, {
        method: 'POST',
        body: { authCsr: toBase64(await buildCsr(auth, subject)), signCsr: toBase64(await buildCsr(sign, subject)) },
      });
      const keys = {
        auth: new Uint8Array(await crypto.subtle.exportKey('pkcs8', auth.privateKey)),
        sign: new Uint8Array(await crypto.subtle.exportKey('pkcs8', sign.privateKey)),
      };
      onDone(await deliverPair({ certificates: renewed.certificates, keys, password }));
    } catch (err) {
      setProblem(err instanceof ApiProblem ? t('apply.serverRefused', { detail: err.detail }) : t('app.error', { message: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="card narrow" data-testid="renew-form">
      <h3>{t('renew.title')}</h3>
      <p>{t('renew.intro')}</p>
      <div className="field"><label htmlFor={ids.file}>{t('renew.file')}</label><input id={ids.file} type="file" accept=".p12,.pfx,application/x-pkcs12" onChange={(e) => setFile(e.target.files?.[0] ?? null)} /></div>
      <div className="field"><label htmlFor={ids.current}>{t('renew.current')}</label><input id={ids.current} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} /></div>
      <p className="hint">{t('apply.passwordIntro')}</p>
      <div className="field"><label htmlFor={ids.password}>{t('renew.password')}</label><input id={ids.password} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} /></div>
      <div className="field"><label htmlFor={ids.repeat}>{t('apply.repeat')}</label><input id={ids.repeat} type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} /></div>
      {problem ? <p role="alert" className="error" data-testid="renew-problem">{problem}</p> : null}
      <button type="submit" className="primary" disabled={busy} data-testid="renew-submit">{busy ? t('apply.writing') : t('renew.submit')}</button>
    </form>
  );
}
