import { useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, type Contact } from '../api';
import { Loaded } from '../components/Query';

export function Contacts() {
  const { t } = useTranslation();
  const id = useId();
  const client = useQueryClient();
  const query = useQuery({ queryKey: ['me', 'contacts'], queryFn: () => api<Contact[]>('/v1/me/contacts') });
  const [channel, setChannel] = useState<'email' | 'webhook'>('email');
  const [address, setAddress] = useState('');
  const refresh = () => client.invalidateQueries({ queryKey: ['me', 'contacts'] });
  const add = useMutation({ mutationFn: () => api('/v1/me/contacts', { method: 'POST', body: { channel, address } }), onSuccess: async () => { setAddress(''); await refresh(); } });
  const remove = useMutation({ mutationFn: (contactId: string) => api(`/v1/me/contacts/${contactId}`, { method: 'DELETE' }), onSuccess: refresh });
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
                <li key={c.id} className="card row">
                  <span>{t(`contacts.channel_${c.channel}`)}: <strong>{c.address}</strong></span>
                  <button type="button" onClick={() => remove.mutate(c.id)}>{t('contacts.remove')}<span className="sr-only"> {c.address}</span></button>
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
        {add.isError ? <p role="alert" className="error">{(add.error as Error).message}</p> : null}
        <button type="submit" className="primary" disabled={add.isPending}>{t('contacts.add')}</button>
      </form>
    </section>
  );
}
