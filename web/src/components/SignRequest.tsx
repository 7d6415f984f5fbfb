import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { api } from '../api';
import { signCms, toBase64 } from '../crypto/cms';
import { requestDocument, type ProtectionRequest } from '../crypto/requests';
import { openAndCheck, refusalOf } from '../crypto/signin';
import { useFormat } from '../format';
import { useSession } from '../session';
import { download } from './Query';
import { certificateFacts } from '../crypto/certificate';

/**
 * Shows a request in plain words, signs its canonical JSON here with the person's SIGN key and
 * sends it; afterwards the signed document (CMS) can be downloaded.
 */
export function SignRequest({ summary, request, endpoint, onClose }: { summary: string; request: ProtectionRequest; endpoint: string; onClose: () => void }) {
  const { t } = useTranslation();
  const f = useFormat();
  const client = useQueryClient();
  const { signKey, setSignKey } = useSession();
  const heading = useRef<HTMLHeadingElement>(null);
  const fileId = useId();
  const passwordId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [signed, setSigned] = useState<Uint8Array | null>(null);
  useEffect(() => heading.current?.focus(), []);

  const facts = signKey ? certificateFacts(signKey.certificate) : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    setBusy(true);
    try {
      let key = signKey;
      if (!key) {
        if (!file) throw new Error(t('signin.noFile'));
        key = (await openAndCheck(new Uint8Array(await file.arrayBuffer()), password, 'SIGN', (d) => f.date(d))).key;
      }
      const keyFacts = certificateFacts(key.certificate);
      const document = requestDocument(request, keyFacts.iin ?? '');
      const cms = await signCms(key, new TextEncoder().encode(document));
      await api(endpoint, { method: 'POST', body: { document: toBase64(cms) } });
      setSignKey(key);
      setSigned(cms);
      await client.invalidateQueries({ queryKey: ['me'] });
    } catch (err) {
      const refusal = refusalOf(err, undefined, (d) => f.date(d));
      setProblem(refusal.messageKey === 'signin.FAILED' ? (err as Error).message : t(refusal.messageKey, refusal.values));
      if (refusal.messageKey !== 'signin.FAILED') setSignKey(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="sign-panel" aria-labelledby={`${fileId}-title`}>
      <h2 id={`${fileId}-title`} ref={heading} tabIndex={-1}>{t('sign.title')}</h2>
      <p>{t('sign.intro')}</p>
      <blockquote className="summary" data-testid="sign-summary">{summary}</blockquote>
      {signed ? (
        <>
          <p role="status" className="ok">{t('sign.done')}</p>
          <p className="actions">
            <button type="button" onClick={() => download(`qorgau-${request.action}.p7s`, signed)}>{t('sign.download')}</button>
            <button type="button" onClick={onClose}>{t('app.back')}</button>
          </p>
        </>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate>
          {signKey && facts ? (
            <p>
              {t('sign.keyLoaded', { name: facts.commonName, date: f.date(facts.notAfter) })}{' '}
              <button type="button" onClick={() => setSignKey(null)}>{t('sign.otherKey')}</button>
            </p>
          ) : (
            <>
              <div className="field">
                <label htmlFor={fileId}>{t('sign.keyFile')}</label>
                <input id={fileId} type="file" accept=".p12,.pfx,application/x-pkcs12" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
              </div>
              <div className="field">
                <label htmlFor={passwordId}>{t('sign.password')}</label>
                <input id={passwordId} type="password" autoComplete="off" value={password} onChange={(e) => setPassword(e.target.value)} />
              </div>
            </>
          )}
          {problem ? <p role="alert" className="error" data-testid="sign-problem">{problem}</p> : null}
          <p className="actions">
            <button type="submit" className="primary" disabled={busy}>{busy ? t('sign.working') : t('sign.submit')}</button>
            <button type="button" onClick={onClose}>{t('sign.cancel')}</button>
          </p>
        </form>
      )}
    </section>
  );
}
