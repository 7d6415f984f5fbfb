import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { kk } from './kk';
import { ru } from './ru';
import { enPortalroles } from './en.portalroles';
import { kkPortalroles } from './kk.portalroles';
import { ruPortalroles } from './ru.portalroles';
import { enPortalops } from './en.portalops';
import { kkPortalops } from './kk.portalops';
import { ruPortalops } from './ru.portalops';

export const LANGUAGES = [
  { code: 'kk', name: 'Қазақша' },
  { code: 'ru', name: 'Русский' },
  { code: 'en', name: 'English' },
] as const;

const STORAGE_KEY = 'qorgau.language';

/** The language the person chose before, else the browser's first language we speak, else Kazakh. */
export function initialLanguage(stored: string | null, browser: readonly string[]): string {
  const supported = LANGUAGES.map((l) => l.code as string);
  if (stored && supported.includes(stored)) return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0];
    if (supported.includes(base)) return base;
  }
  return 'kk';
}

export function setupI18n() {
  const language = initialLanguage(localStorage.getItem(STORAGE_KEY), navigator.languages ?? [navigator.language]);
  void i18n.use(initReactI18next).init({
    resources: {
      en: { translation: { ...en, ...enPortalroles, ...enPortalops } },
      ru: { translation: { ...ru, ...ruPortalroles, ...ruPortalops } },
      kk: { translation: { ...kk, ...kkPortalroles, ...kkPortalops } },
    },
    lng: language,
    fallbackLng: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = language;
  i18n.on('languageChanged', (lng) => {
    localStorage.setItem(STORAGE_KEY, lng);
    document.documentElement.lang = lng;
  });
  return i18n;
}
