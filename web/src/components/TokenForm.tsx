import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';

export function TokenForm({ label, hint, onSave }: { label: string; hint: string; onSave: (token: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) onSave(value);
  };
  return (
    <form className="card narrow" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input id={id} type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
      </div>
      <p className="hint">{hint}</p>
      <button type="submit" className="primary">{t('office.use')}</button>
    </form>
  );
}
