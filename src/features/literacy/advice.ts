import type { Area, Language, Text } from './items.js';

/** What to learn next for an area below its target, in the person's language. */
export const NEXT_STEPS: Record<Area, Text> = {
  information: {
    kk: 'Ақпарат көзін тексеруді үйреніңіз: ресми сайттар (gov.kz, egov.kz), домен атауын оқу, хабарламаны таратпас бұрын тексеру.',
    ru: 'Научитесь проверять источники: официальные сайты (gov.kz, egov.kz), чтение адреса сайта, проверка сообщения до пересылки.',
    en: 'Learn to check sources: official sites (gov.kz, egov.kz), reading a web address, checking a message before forwarding it.',
  },
  communication: {
    kk: 'Мессенджер мен бейнеқоңырауды қауіпсіз пайдалануды, профильдің құпиялылық баптауларын меңгеріңіз.',
    ru: 'Освойте мессенджеры и видеозвонки, настройки приватности профиля, как пожаловаться и заблокировать.',
    en: 'Practise messengers and video calls, profile privacy settings, and how to report and block.',
  },
  content_creation: {
    kk: 'Құжат жасау, PDF-ке сақтау, фотодағы жеке деректерді жасыру және авторлық құқық туралы біліңіз.',
    ru: 'Научитесь создавать документы, сохранять в PDF, скрывать личные данные на фото; узнайте об авторском праве.',
    en: 'Learn to create documents, save as PDF, hide personal data in photos, and the basics of copyright.',
  },
  safety: {
    kk: 'Алаяқтықтың белгілерін (SMS-кодты сұрау, «қауіпсіз шот», жалған сілтемелер) тануды, ЭЦҚ-ны қорғауды және несиеге тыйым қоюды үйреніңіз.',
    ru: 'Научитесь узнавать мошенников (просьба кода из SMS, «безопасный счёт», поддельные ссылки), защищать ЭЦП и ставить запрет на кредиты.',
    en: 'Learn the signs of fraud (asking for an SMS code, a "safe account", look-alike links), protecting your e-signature, and placing a loan restriction.',
  },
  problem_solving: {
    kk: 'Телефон мен қосымшаларды жаңартуды, құпиясөзді ресми жолмен қалпына келтіруді, ұрланған телефон кезіндегі әрекеттерді үйреніңіз.',
    ru: 'Научитесь обновлять телефон и приложения, восстанавливать пароли официальным путём и действовать при краже телефона.',
    en: 'Learn to update your phone and apps, restore passwords the official way, and what to do when a phone is stolen.',
  },
};

export function nextStepsFor(areas: { area: Area; share: number }[], language: Language, target = 0.6): { area: Area; advice: string }[] {
  return [...areas]
    .filter((a) => a.share < target)
    .sort((a, b) => a.share - b.share)
    .map((a) => ({ area: a.area, advice: NEXT_STEPS[a.area][language] }));
}
