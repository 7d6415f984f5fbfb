import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { openAndCheck, refusalOf, signIn, type CheckedKey } from '../crypto/signin';
import { useFormat } from '../format';
import { Link, useRoute } from '../router';
import { useSession } from '../session';
import { ORGANIZATION_KEY } from './Organization';

export function SignIn() {
  const { t } = useTranslation();
  const f = useFormat();
  const { go } = useRoute();
  const { refresh } = useSession();
  const fileId = useId();
  const passwordId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    if (!file) {
      setProblem(t('signin.noFile'));
      return;
    }
    setBusy(true);
    let checked: CheckedKey | undefined;
    try {
      checked = await openAndCheck(new Uint8Array(await file.arrayBuffer()), password, 'AUTH', (d) => f.date(d));
      const session = await signIn(checked);
      if (checked.facts.bin) sessionStorage.setItem(ORGANIZATION_KEY, checked.facts.bin);
      else sessionStorage.removeItem(ORGANIZATION_KEY);
      await refresh();
      go(session.holder === 'employee' ? '/org' : '/');
    } catch (err) {
      const refusal = refusalOf(err, checked?.facts, (d) => f.date(d));
      setProblem(t(refusal.messageKey, refusal.values));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="narrow">
      <h1>{t('signin.title')}</h1>
      <p>{t('signin.intro')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div className="field">
          <label htmlFor={fileId}>{t('signin.file')}</label>
          <input id={fileId} type="file" accept=".p12,.pfx,application/x-pkcs12" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        <div className="field">
          <label htmlFor={passwordId}>{t('signin.password')}</label>
          <input id={passwordId} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
        {problem ? <p role="alert" className="error" data-testid="signin-problem">{problem}</p> : null}
        <button type="submit" className="primary" disabled={busy}>{busy ? t('signin.working') : t('signin.submit')}</button>
      </form>
      <p><Link to="/apply">{t('apply.link')}</Link></p>
      <p className="hint">{t('signin.demo')}</p>
    </section>
  );
}
