import type { KzRegion } from './regions.js';

/** Names as the regions write them in Kazakh, Russian and English. */
export const KZ_REGION_NAMES_I18N: Record<KzRegion, { kk: string; ru: string; en: string }> = {
  'almaty-city': { kk: 'Алматы қаласы', ru: 'город Алматы', en: 'Almaty (city)' },
  astana: { kk: 'Астана қаласы', ru: 'город Астана', en: 'Astana (city)' },
  shymkent: { kk: 'Шымкент қаласы', ru: 'город Шымкент', en: 'Shymkent (city)' },
  abai: { kk: 'Абай облысы', ru: 'область Абай', en: 'Abai Region' },
  akmola: { kk: 'Ақмола облысы', ru: 'Акмолинская область', en: 'Akmola Region' },
  aktobe: { kk: 'Ақтөбе облысы', ru: 'Актюбинская область', en: 'Aktobe Region' },
  'almaty-region': { kk: 'Алматы облысы', ru: 'Алматинская область', en: 'Almaty Region' },
  atyrau: { kk: 'Атырау облысы', ru: 'Атырауская область', en: 'Atyrau Region' },
  'east-kazakhstan': { kk: 'Шығыс Қазақстан облысы', ru: 'Восточно-Казахстанская область', en: 'East Kazakhstan Region' },
  zhambyl: { kk: 'Жамбыл облысы', ru: 'Жамбылская область', en: 'Zhambyl Region' },
  zhetisu: { kk: 'Жетісу облысы', ru: 'область Жетісу', en: 'Zhetisu Region' },
  'west-kazakhstan': { kk: 'Батыс Қазақстан облысы', ru: 'Западно-Казахстанская область', en: 'West Kazakhstan Region' },
  karaganda: { kk: 'Қарағанды облысы', ru: 'Карагандинская область', en: 'Karaganda Region' },
  kostanay: { kk: 'Қостанай облысы', ru: 'Костанайская область', en: 'Kostanay Region' },
  kyzylorda: { kk: 'Қызылорда облысы', ru: 'Кызылординская область', en: 'Kyzylorda Region' },
  mangystau: { kk: 'Маңғыстау облысы', ru: 'Мангистауская область', en: 'Mangystau Region' },
  pavlodar: { kk: 'Павлодар облысы', ru: 'Павлодарская область', en: 'Pavlodar Region' },
  'north-kazakhstan': { kk: 'Солтүстік Қазақстан облысы', ru: 'Северо-Казахстанская область', en: 'North Kazakhstan Region' },
  turkistan: { kk: 'Түркістан облысы', ru: 'Туркестанская область', en: 'Turkistan Region' },
  ulytau: { kk: 'Ұлытау облысы', ru: 'область Ұлытау', en: 'Ulytau Region' },
};
