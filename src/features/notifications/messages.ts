import type { NotificationMessage } from './channels.js';
import { NOTIFICATION_EVENTS, type NotificationEvent } from './outbox.js';

/** The languages of notices: the portal's three. A contact carries the one its person chose. */
export const NOTICE_LANGUAGES = ['kk', 'ru', 'en'] as const;
export type NoticeLanguage = (typeof NOTICE_LANGUAGES)[number];

/** What is rendered: every outbox event, and the confirmation code (sent at once, never stored in the outbox). */
export type NoticeKind = NotificationEvent | 'contact.verification';
export const NOTICE_KINDS: readonly NoticeKind[] = [...NOTIFICATION_EVENTS, 'contact.verification'];

type Data = Record<string, unknown>;
type Render = (d: Data) => { subject: string; text: string };

/** Words for the codes a payload carries, per language; an unknown code is shown as it is. */
const WORDS: Record<NoticeLanguage, Record<string, Record<string, string>>> = {
  en: {
    products: { bank_loan: 'bank loans', microcredit: 'microcredits' },
    product: { bank_loan: 'a bank loan', microcredit: 'a microcredit' },
    channels: { online: 'online', in_person: 'in person' },
    scope: { entire: 'all of it', until: 'until a date', lender: 'for one lender' },
    channel: { email: 'e-mail address', webhook: 'web address' },
    rule: {
      'used-after-departure': 'it was used after the employee left',
      'two-devices': 'it was used from two devices at nearly the same time',
      'unrevoked-after-departure': 'it was not revoked after the employee left',
      'signed-after-departure': 'a document was signed with it after the employee left',
      'unusual-hours': 'it was used at unusual hours',
    },
    purpose: { signin: 'to sign in', verify: 'to check a signature', sign: 'to sign a document', other: 'for another purpose' },
    status: { received: 'received', linked: 'linked with other reports', under_investigation: 'being investigated', solved: 'solved', closed: 'closed' },
  },
  ru: {
    products: { bank_loan: 'банковские кредиты', microcredit: 'микрокредиты' },
    product: { bank_loan: 'банковский кредит', microcredit: 'микрокредит' },
    channels: { online: 'онлайн', in_person: 'лично' },
    scope: { entire: 'полностью', until: 'до даты', lender: 'для одного кредитора' },
    channel: { email: 'адрес электронной почты', webhook: 'веб-адрес' },
    rule: {
      'used-after-departure': 'им воспользовались после увольнения сотрудника',
      'two-devices': 'им воспользовались с двух устройств почти одновременно',
      'unrevoked-after-departure': 'его не отозвали после увольнения сотрудника',
      'signed-after-departure': 'им подписали документ после увольнения сотрудника',
      'unusual-hours': 'им воспользовались в необычное время',
    },
    purpose: { signin: 'для входа', verify: 'для проверки подписи', sign: 'для подписи документа', other: 'для другой цели' },
    status: { received: 'получено', linked: 'связано с другими сообщениями', under_investigation: 'расследуется', solved: 'раскрыто', closed: 'закрыто' },
  },
  kk: {
    products: { bank_loan: 'банк несиелерін', microcredit: 'микрокредиттерді' },
    product: { bank_loan: 'банк несиесі', microcredit: 'микрокредит' },
    channels: { online: 'онлайн', in_person: 'жеке келіп' },
    scope: { entire: 'толық', until: 'белгілі бір күнге дейін', lender: 'бір несие беруші үшін' },
    channel: { email: 'электрондық пошта мекенжайына', webhook: 'веб-мекенжайға' },
    rule: {
      'used-after-departure': 'қызметкер кеткеннен кейін пайдаланылды',
      'two-devices': 'екі құрылғыдан бір мезгілде дерлік пайдаланылды',
      'unrevoked-after-departure': 'қызметкер кеткеннен кейін кері қайтарылмады',
      'signed-after-departure': 'қызметкер кеткеннен кейін онымен құжатқа қол қойылды',
      'unusual-hours': 'әдеттен тыс уақытта пайдаланылды',
    },
    purpose: { signin: 'кіру үшін', verify: 'қолтаңбаны тексеру үшін', sign: 'құжатқа қол қою үшін', other: 'басқа мақсатта' },
    status: { received: 'қабылданды', linked: 'басқа хабарламалармен байланыстырылды', under_investigation: 'тергелуде', solved: 'ашылды', closed: 'жабылды' },
  },
};

const ZONE: Record<NoticeLanguage, string> = { en: 'Astana time', ru: 'время Астаны', kk: 'Астана уақыты' };

/** A moment as people in Kazakhstan read it: day.month.year hour:minute in Astana time (UTC+5 since March 2024). */
function when(value: unknown, lang: NoticeLanguage): string {
  const at = new Date(String(value));
  if (value === null || value === undefined || Number.isNaN(at.getTime())) return String(value ?? '');
  const local = new Date(at.getTime() + 5 * 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(local.getUTCDate())}.${two(local.getUTCMonth() + 1)}.${local.getUTCFullYear()} ${two(local.getUTCHours())}:${two(local.getUTCMinutes())} (${ZONE[lang]})`;
}

function word(lang: NoticeLanguage, group: string, code: unknown): string {
  return WORDS[lang][group]?.[String(code)] ?? String(code ?? '');
}

function words(lang: NoticeLanguage, group: string, codes: unknown): string {
  const list = Array.isArray(codes) ? codes : [codes];
  return list.map((c) => word(lang, group, c)).join(', ');
}

function scope(lang: NoticeLanguage, d: Data): string {
  const base = word(lang, 'scope', d.scope);
  if (!d.lenderBin) return base;
  return { en: `${base}, BIN ${d.lenderBin}`, ru: `${base}, БИН ${d.lenderBin}`, kk: `${base}, БСН ${d.lenderBin}` }[lang];
}

/**
 * Every notice in every language, in plain words: what happened, and what to do if it was
 * not you. Typed by kind and language, so a notice without one of the three does not compile;
 * messages.test.ts renders each one.
 */
const TEXTS: Record<NoticeKind, Record<NoticeLanguage, Render>> = {
  'restriction.placed': {
    en: (d) => ({ subject: 'Qorgau: your ban on loans is in force', text: `You placed a restriction: no one can take ${words('en', 'products', d.products)} in your name (${words('en', 'channels', d.channels)}). It stays until you lift it.` }),
    ru: (d) => ({ subject: 'Qorgau: ваш запрет на кредиты действует', text: `Вы установили ограничение: никто не сможет получить ${words('ru', 'products', d.products)} на ваше имя (${words('ru', 'channels', d.channels)}). Оно действует, пока вы его не снимете.` }),
    kk: (d) => ({ subject: 'Qorgau: несиеге тыйымыңыз күшіне енді', text: `Сіз шектеу қойдыңыз: сіздің атыңызға ешкім ${words('kk', 'products', d.products)} ала алмайды (${words('kk', 'channels', d.channels)}). Ол сіз алып тастағанша күшінде болады.` }),
  },
  'restriction.created': {
    en: (d) => ({
      subject: 'Qorgau: we protected you after a data leak',
      text: `Your personal data were in a data leak. To protect you, no one can take ${words('en', 'products', d.products)} in your name${d.until ? ` until ${when(d.until, 'en')}` : ''}. You do not need to do anything. If you need a loan yourself, you can lift the restriction in Qorgau.`,
    }),
    ru: (d) => ({
      subject: 'Qorgau: мы защитили вас после утечки данных',
      text: `Ваши личные данные попали в утечку. Чтобы защитить вас, никто не сможет получить ${words('ru', 'products', d.products)} на ваше имя${d.until ? ` до ${when(d.until, 'ru')}` : ''}. Вам ничего не нужно делать. Если кредит нужен вам самим, ограничение можно снять в Qorgau.`,
    }),
    kk: (d) => ({
      subject: 'Qorgau: деректеріңіз тарап кеткендіктен сізді қорғадық',
      text: `Жеке деректеріңіз бөгде адамдарға тарап кетті. Сізді қорғау үшін${d.until ? ` ${when(d.until, 'kk')} дейін` : ''} сіздің атыңызға ешкім ${words('kk', 'products', d.products)} ала алмайды. Сізге ештеңе істеудің қажеті жоқ. Несие өзіңізге керек болса, шектеуді Qorgau-да алып тастай аласыз.`,
    }),
  },
  'lift.requested': {
    en: (d) => ({ subject: 'Qorgau: you asked to lift a restriction', text: `We received a request to lift your restriction (${scope('en', d)}). It takes effect on ${when(d.effectiveAt, 'en')}. If it was not you, or someone talked you into it, cancel it before then.` }),
    ru: (d) => ({ subject: 'Qorgau: вы попросили снять ограничение', text: `Мы получили просьбу снять ваше ограничение (${scope('ru', d)}). Она вступит в силу ${when(d.effectiveAt, 'ru')}. Если это были не вы или вас уговорили это сделать, отмените её до этого времени.` }),
    kk: (d) => ({ subject: 'Qorgau: сіз шектеуді алып тастауды сұрадыңыз', text: `Шектеуіңізді алып тастау туралы өтініш алдық (${scope('kk', d)}). Ол ${when(d.effectiveAt, 'kk')} күшіне енеді. Егер бұл сіз болмасаңыз немесе біреу сізді көндірсе, оған дейін өтінішті болдырмаңыз.` }),
  },
  'lift.effective': {
    en: (d) => ({ subject: 'Qorgau: your restriction is lifted now', text: `Your restriction is lifted (${scope('en', d)})${d.liftedUntil ? ` until ${when(d.liftedUntil, 'en')}` : ''}. Lenders can now give loans in your name.` }),
    ru: (d) => ({ subject: 'Qorgau: ваше ограничение снято', text: `Ваше ограничение снято (${scope('ru', d)})${d.liftedUntil ? ` до ${when(d.liftedUntil, 'ru')}` : ''}. Теперь кредиторы могут выдавать кредиты на ваше имя.` }),
    kk: (d) => ({ subject: 'Qorgau: шектеуіңіз алынды', text: `Шектеуіңіз алынды (${scope('kk', d)})${d.liftedUntil ? `, ${when(d.liftedUntil, 'kk')} дейін` : ''}. Енді несие берушілер сіздің атыңызға несие бере алады.` }),
  },
  'lift.cancelled': {
    en: (d) => ({ subject: 'Qorgau: lift cancelled', text: `Your request to lift the restriction (${scope('en', d)}) is cancelled. Your protection stays in force.` }),
    ru: (d) => ({ subject: 'Qorgau: снятие ограничения отменено', text: `Ваша просьба снять ограничение (${scope('ru', d)}) отменена. Ваша защита продолжает действовать.` }),
    kk: (d) => ({ subject: 'Qorgau: шектеуді алу болдырылмады', text: `Шектеуді алып тастау туралы өтінішіңіз (${scope('kk', d)}) болдырылмады. Қорғауыңыз күшінде қалады.` }),
  },
  'check.denied': {
    en: (d) => ({
      subject: 'Qorgau: someone tried to get a loan in your name',
      text: `${d.lenderName ?? 'A lender'} (BIN ${d.lenderBin ?? '?'}) asked on ${when(d.checkedAt, 'en')} whether it may give ${word('en', 'product', d.product)} in your name. Your restriction stopped it. If it was you, first lift the restriction in Qorgau. If it was not you, you need do nothing: you are protected.`,
    }),
    ru: (d) => ({
      subject: 'Qorgau: кто-то пытался получить кредит на ваше имя',
      text: `${d.lenderName ?? 'Кредитор'} (БИН ${d.lenderBin ?? '?'}) ${when(d.checkedAt, 'ru')} спросил, можно ли выдать на ваше имя ${word('ru', 'product', d.product)}. Ваше ограничение не дало это сделать. Если это были вы, сначала снимите ограничение в Qorgau. Если не вы, ничего делать не нужно: вы защищены.`,
    }),
    kk: (d) => ({
      subject: 'Qorgau: біреу сіздің атыңызға несие алмақ болды',
      text: `${d.lenderName ?? 'Несие беруші'} (БСН ${d.lenderBin ?? '?'}) ${when(d.checkedAt, 'kk')} сіздің атыңызға ${word('kk', 'product', d.product)} беруге бола ма деп сұрады. Шектеуіңіз бұған жол бермеді. Егер бұл сіз болсаңыз, алдымен Qorgau-да шектеуді алып тастаңыз. Егер сіз болмасаңыз, ештеңе істемеңіз: сіз қорғалғансыз.`,
    }),
  },
  'contact.added': {
    en: (d) => ({ subject: 'Qorgau: notices are on', text: `From now on, notices about your protection come to this ${word('en', 'channel', d.channel)}.` }),
    ru: (d) => ({ subject: 'Qorgau: уведомления включены', text: `Теперь уведомления о вашей защите будут приходить на этот ${word('ru', 'channel', d.channel)}.` }),
    kk: (d) => ({ subject: 'Qorgau: хабарламалар қосылды', text: `Енді қорғауыңыз туралы хабарламалар осы ${word('kk', 'channel', d.channel)} келеді.` }),
  },
  'signature.alert': {
    en: (d) => ({
      subject: 'Qorgau: possible misuse of an e-signature',
      text: `Certificate ${d.certificateSerial}${d.organizationBin ? ` of the organization with BIN ${d.organizationBin}` : ''}: ${word('en', 'rule', d.rule)} (rule ${d.rule}). Please look at alert ${d.alertId} in Qorgau.`,
    }),
    ru: (d) => ({
      subject: 'Qorgau: возможно, ЭЦП используют неправомерно',
      text: `Сертификат ${d.certificateSerial}${d.organizationBin ? ` организации с БИН ${d.organizationBin}` : ''}: ${word('ru', 'rule', d.rule)} (правило ${d.rule}). Проверьте сигнал ${d.alertId} в Qorgau.`,
    }),
    kk: (d) => ({
      subject: 'Qorgau: ЭЦҚ заңсыз пайдаланылуы мүмкін',
      text: `${d.organizationBin ? `БСН ${d.organizationBin} ұйымының ` : ''}${d.certificateSerial} сертификаты ${word('kk', 'rule', d.rule)} (${d.rule} ережесі). Qorgau-да ${d.alertId} дабылын тексеріңіз.`,
    }),
  },
  'signature.new-device': {
    en: (d) => ({
      subject: 'Qorgau: your e-signature was used on a new device',
      text: `Your certificate ${d.certificateSerial} was used ${word('en', 'purpose', d.purpose)} on a device we have not seen before (${d.deviceId}) on ${when(d.at, 'en')}. If it was not you, revoke the certificate at once and apply for a new one.`,
    }),
    ru: (d) => ({
      subject: 'Qorgau: вашей ЭЦП воспользовались на новом устройстве',
      text: `Вашим сертификатом ${d.certificateSerial} воспользовались ${word('ru', 'purpose', d.purpose)} на устройстве, которого мы раньше не видели (${d.deviceId}), ${when(d.at, 'ru')}. Если это были не вы, сразу отзовите сертификат и получите новый.`,
    }),
    kk: (d) => ({
      subject: 'Qorgau: ЭЦҚ-ңыз жаңа құрылғыда пайдаланылды',
      text: `${d.certificateSerial} сертификатыңыз ${when(d.at, 'kk')} бұрын көрмеген құрылғыда (${d.deviceId}) ${word('kk', 'purpose', d.purpose)} пайдаланылды. Егер бұл сіз болмасаңыз, сертификатты дереу кері қайтарып, жаңасын алыңыз.`,
    }),
  },
  'fraud.report-status': {
    en: (d) => ({ subject: 'Qorgau: news about your fraud report', text: `Your report about fraud (${d.reportId}) is now: ${word('en', 'status', d.status)}. You can see it in Qorgau.` }),
    ru: (d) => ({ subject: 'Qorgau: новости по вашему сообщению о мошенничестве', text: `Ваше сообщение о мошенничестве (${d.reportId}) теперь: ${word('ru', 'status', d.status)}. Подробности — в Qorgau.` }),
    kk: (d) => ({ subject: 'Qorgau: алаяқтық туралы хабарламаңыз бойынша жаңалық', text: `Алаяқтық туралы хабарламаңыз (${d.reportId}) қазір: ${word('kk', 'status', d.status)}. Толығын Qorgau-дан көріңіз.` }),
  },
  'contact.verification': {
    en: (d) => ({
      subject: 'Qorgau: confirm your e-mail address',
      text: `Your code is ${d.code}. Type it in Qorgau to confirm this address. It works for ${d.minutes} minutes. If you did not ask for it, ignore this letter: nothing will be sent to this address.`,
    }),
    ru: (d) => ({
      subject: 'Qorgau: подтвердите адрес электронной почты',
      text: `Ваш код: ${d.code}. Введите его в Qorgau, чтобы подтвердить этот адрес. Код действует ${d.minutes} минут. Если вы его не запрашивали, не обращайте внимания на это письмо: на этот адрес ничего не придёт.`,
    }),
    kk: (d) => ({
      subject: 'Qorgau: электрондық пошта мекенжайын растаңыз',
      text: `Кодыңыз: ${d.code}. Осы мекенжайды растау үшін оны Qorgau-ға енгізіңіз. Код ${d.minutes} минут жарамды. Егер сіз оны сұрамасаңыз, бұл хатқа назар аудармаңыз: бұл мекенжайға ештеңе жіберілмейді.`,
    }),
  },
};

const FALLBACK: Record<NoticeLanguage, string> = { en: 'Something changed', ru: 'Произошло изменение', kk: 'Өзгеріс болды' };

export function isNoticeLanguage(value: unknown): value is NoticeLanguage {
  return (NOTICE_LANGUAGES as readonly unknown[]).includes(value);
}

export function renderMessage(id: string, event: string, createdAt: Date, data: Record<string, unknown>, language: NoticeLanguage = 'kk'): NotificationMessage {
  const render = TEXTS[event as NoticeKind]?.[language] ?? (() => ({ subject: `Qorgau: ${FALLBACK[language]}`, text: `${FALLBACK[language]}: ${event}.` }));
  return { id, event, occurredAt: createdAt.toISOString(), data, language, ...render(data) };
}
