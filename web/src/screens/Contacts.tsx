import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiProblem, type Contact } from '../api';
import { Loaded } from '../components/Query';

type Language = Contact['language'];
const NOTICE_LANGUAGES: Language[] = ['kk', 'ru', 'en'];

/** A problem in the person's language when the portal knows its code, else the server's words. */
function useProblemText() {
  const { t, i18n } = useTranslation();
  return (error: unknown) => {
    if (error instanceof ApiProblem && i18n.exists(`contacts.error_${error.code}`)) return t(`contacts.error_${error.code}`);
    return (error as Error).message;
  };
}

/** An e-mail address not yet confirmed: the code from the letter, or a new code. */
function ConfirmContact({ contact }: { contact: Contact }) {
  const { t } = useTranslation();
  const id = useId();
  const client = useQueryClient();
  const problemText = useProblemText();
  const [code, setCode] = useState('');
  const confirm = useMutation({
    mutationFn: () => api<Contact>(`/v1/me/contacts/${contact.id}/confirm`, { method: 'POST', body: { code: code.trim() } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['me', 'contacts'] }),
  });
  const resend = useMutation({ mutationFn: () => api(`/v1/me/contacts/${contact.id}/code`, { method: 'POST' }), onSuccess: () => setCode('') });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    confirm.mutate();
  };
  const error = confirm.error ?? resend.error;
  return (
    <form className="confirm" onSubmit={submit} noValidate data-testid={`confirm-${contact.address}`}>
      <p>{t('contacts.waiting')}</p>
      <div className="field">
        <label htmlFor={`${id}-code`}>{t('contacts.code')}</label>
        <input id={`${id}-code`} inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))} />
      </div>
      {error ? <p role="alert" className="error">{problemText(error)}</p> : null}
      {resend.isSuccess && !confirm.error ? <p role="status">{t('contacts.resent')}</p> : null}
      <button type="submit" className="primary" disabled={confirm.isPending || code.length !== 6}>{t('contacts.confirm')}</button>{' '}
      <button type="button" onClick={() => resend.mutate()} disabled={resend.isPending}>{t('contacts.resend')}</button>
    </form>
  );
}

export function Contacts() {
  const { t, i18n } = useTranslation();
  const id = useId();
  const client = useQueryClient();
  const problemText = useProblemText();
  const query = useQuery({ queryKey: ['me', 'contacts'], queryFn: () => api<Contact[]>('/v1/me/contacts') });
  const [channel, setChannel] = useState<'email' | 'webhook'>('email');
  const [address, setAddress] = useState('');
  const [language, setLanguage] = useState<Language>((NOTICE_LANGUAGES as string[]).includes(i18n.language) ? (i18n.language as Language) : 'kk');
  const refresh = () => client.invalidateQueries({ queryKey: ['me', 'contacts'] });
  const add = useMutation({
    mutationFn: () => api<Contact>('/v1/me/contacts', { method: 'POST', body: { channel, address, language } }),
    onSuccess: async () => {
      setAddress('');
      await refresh();
    },
    // The address is stored even when its letter could not be sent: show it, with its confirm step.
    onError: (error) => error instanceof ApiProblem && error.status >= 429 && refresh(),
  });
  const remove = useMutation({ mutationFn: (contactId: string) => api(`/v1/me/contacts/${contactId}`, { method: 'DELETE' }), onSuccess: refresh });
  const relanguage = useMutation({ mutationFn: (change: { id: string; language: Language }) => api(`/v1/me/contacts/${change.id}`, { method: 'PATCH', body: { language: change.language } }), onSuccess: refresh });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <section>
      <h1>{t('contacts.title')}</h1>
      <p className="lead">{t('contacts.intro')}</p>
      <Loaded query={query}>
        {(items) =>
          items.length === 0 ? (
            <p>{t('contacts.none')}</p>
          ) : (
            <ul className="cards" data-testid="contacts">
              {items.map((c) => (
                <li key={c.id} className="card">
                  <div className="row">
                    <span>
                      {t(`contacts.channel_${c.channel}`)}: <strong>{c.address}</strong>
                      {c.verified ? <> · <span className="confirmed">{t('contacts.confirmed')}</span></> : null}
                    </span>
                    <button type="button" onClick={() => remove.mutate(c.id)}>{t('contacts.remove')}<span className="sr-only"> {c.address}</span></button>
                  </div>
                  <div className="field">
                    <label htmlFor={`${id}-${c.id}-language`}>{t('contacts.language')}<span className="sr-only"> {c.address}</span></label>
                    <select id={`${id}-${c.id}-language`} value={c.language} onChange={(e) => relanguage.mutate({ id: c.id, language: e.target.value as Language })}>
                      {NOTICE_LANGUAGES.map((l) => <option key={l} value={l}>{t(`contacts.language_${l}`)}</option>)}
                    </select>
                  </div>
                  {c.verified ? null : <ConfirmContact contact={c} />}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <form className="card" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-channel`}>{t('contacts.channel')}</label>
          <select id={`${id}-channel`} value={channel} onChange={(e) => setChannel(e.target.value as 'email' | 'webhook')}>
            <option value="email">{t('contacts.channel_email')}</option>
            <option value="webhook">{t('contacts.channel_webhook')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-address`}>{t('contacts.address')}</label>
          <input id={`${id}-address`} type={channel === 'email' ? 'email' : 'url'} value={address} onChange={(e) => setAddress(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-language`}>{t('contacts.language')}</label>
          <select id={`${id}-language`} value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
            {NOTICE_LANGUAGES.map((l) => <option key={l} value={l}>{t(`contacts.language_${l}`)}</option>)}
          </select>
        </div>
        {add.isError ? <p role="alert" className="error">{problemText(add.error)}</p> : null}
        {add.isSuccess && add.data && !add.data.verified ? <p role="status">{t('contacts.codeSent', { address: add.data.address })}</p> : null}
        <button type="submit" className="primary" disabled={add.isPending}>{t('contacts.add')}</button>
      </form>
    </section>
  );
}
