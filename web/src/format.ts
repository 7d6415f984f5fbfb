import { useTranslation } from 'react-i18next';

const LOCALES: Record<string, string> = { kk: 'kk-KZ', ru: 'ru-KZ', en: 'en-GB' };

/** Dates, numbers and tenge amounts the way each language writes them (Intl). */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = LOCALES[i18n.resolvedLanguage ?? 'en'] ?? 'en-GB';
  // Browsers' Kazakh calendar data often lacks month names ("2026 М11 29"); Kazakhstan writes
  // dates as 29.11.2026 in either language, so Kazakh gets that form.
  const kazakh = locale === 'kk-KZ';
  const dateOptions: Intl.DateTimeFormatOptions = kazakh ? { day: '2-digit', month: '2-digit', year: 'numeric' } : { day: 'numeric', month: 'long', year: 'numeric' };
  const dateLocale = kazakh ? 'ru-KZ' : locale;
  return {
    locale,
    date: (iso: string | Date | null | undefined) => (iso ? new Intl.DateTimeFormat(dateLocale, dateOptions).format(new Date(iso)) : '—'),
    dateTime: (iso: string | Date | null | undefined) =>
      iso ? new Intl.DateTimeFormat(dateLocale, { ...dateOptions, hour: '2-digit', minute: '2-digit' }).format(new Date(iso)) : '—',
    number: (n: number) => new Intl.NumberFormat(locale).format(n),
    tenge: (n: number) => new Intl.NumberFormat(locale, { style: 'currency', currency: 'KZT', maximumFractionDigits: 0 }).format(n),
  };
}
