import { useTranslation } from 'react-i18next';

const LOCALES: Record<string, string> = { kk: 'kk-KZ', ru: 'ru-KZ', en: 'en-GB' };

/** Dates, numbers and tenge amounts the way each language writes them (Intl). */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = LOCALES[i18n.resolvedLanguage ?? 'en'] ?? 'en-GB';
  return {
    locale,
    date: (iso: string | Date | null | undefined) => (iso ? new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(new Date(iso)) : '—'),
    dateTime: (iso: string | Date | null | undefined) =>
      iso ? new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso)) : '—',
    number: (n: number) => new Intl.NumberFormat(locale).format(n),
    tenge: (n: number) => new Intl.NumberFormat(locale, { style: 'currency', currency: 'KZT', maximumFractionDigits: 0 }).format(n),
  };
}
