import { describe, expect, it } from 'vitest';
import { NOTICE_KINDS, NOTICE_LANGUAGES, renderMessage, type NoticeKind } from './messages.js';

/** A payload of each kind as its producer writes it. Typed by kind: a new kind without a sample does not compile. */
const SAMPLES: Record<NoticeKind, Record<string, unknown>> = {
  'restriction.placed': { restrictionId: 'r1', products: ['bank_loan', 'microcredit'], channels: ['online', 'in_person'] },
  'restriction.created': { restrictionId: 'r2', breachId: 'b1', products: ['microcredit'], channels: ['online'], since: '2026-11-24T10:00:00.000Z', until: '2027-11-24T10:00:00.000Z' },
  'lift.requested': { liftId: 'l1', scope: 'lender', lenderBin: '940140000385', effectiveAt: '2026-11-25T10:00:00.000Z' },
  'lift.effective': { liftId: 'l1', scope: 'until', liftedUntil: '2026-12-01T00:00:00.000Z' },
  'lift.cancelled': { liftId: 'l1', scope: 'entire' },
  'check.denied': { checkId: 'c1', lenderBin: '940140000385', lenderName: 'Bank', product: 'microcredit', channel: 'online', checkedAt: '2026-11-24T09:59:00.000Z' },
  'contact.added': { channel: 'email' },
  'signature.alert': { alertId: 'a9', rule: 'used-after-departure', certificateSerial: '01ab', organizationBin: '940140000385' },
  'signature.new-device': { certificateSerial: '7f3a', deviceId: 'laptop-42', purpose: 'signin', at: '2026-11-24T09:59:00.000Z' },
  'fraud.report-status': { reportId: 'f1', status: 'under_investigation' },
  'contact.verification': { code: '042917', minutes: 15 },
};

const CYRILLIC = /[\u0400-\u04FF]/;
/** Letters only Kazakh uses (ә, ғ, қ, ң, ө, ұ, ү, һ, і): a "Kazakh" text without one is likely Russian. */
const KAZAKH = /[әғқңөұүһіӘҒҚҢӨҰҮҺІ]/;
/** Codes that must reach the reader as words. */
const CODES = /\b(bank_loan|in_person|under_investigation|signin|entire)\b/;

describe('notice texts', () => {
  it('has every notice kind in Kazakh, Russian and English, in words and without blanks', () => {
    for (const kind of NOTICE_KINDS) {
      const texts = Object.fromEntries(NOTICE_LANGUAGES.map((lang) => [lang, renderMessage('n', kind, new Date(), SAMPLES[kind], lang)]));
      for (const lang of NOTICE_LANGUAGES) {
        const m = texts[lang];
        const where = `${kind} in ${lang}`;
        expect(m.language, where).toBe(lang);
        expect(m.subject, where).toMatch(/^Qorgau: \S/);
        expect(m.text.length, where).toBeGreaterThan(20);
        expect(`${m.subject} ${m.text}`, where).not.toMatch(/undefined|null|\[object|NaN/);
        expect(m.text, where).not.toMatch(CODES);
        if (lang !== 'en') {
          expect(m.subject, where).not.toBe(texts.en.subject);
          expect(m.text, where).toMatch(CYRILLIC);
        }
      }
      expect(texts.kk.text, kind).toMatch(KAZAKH);
      expect(texts.kk.text, kind).not.toBe(texts.ru.text);
    }
  });

  it('writes times in Astana time (UTC+5), day first', () => {
    const m = renderMessage('n', 'check.denied', new Date(), SAMPLES['check.denied'], 'ru');
    expect(m.text).toContain('24.11.2026 14:59 (время Астаны)');
    expect(renderMessage('n', 'lift.requested', new Date(), SAMPLES['lift.requested'], 'kk').text).toContain('25.11.2026 15:00 (Астана уақыты)');
  });

  it('tells a holder about a new device with what to do', () => {
    const m = renderMessage('n1', 'signature.new-device', new Date('2026-11-24T10:00:00Z'), SAMPLES['signature.new-device'], 'en');
    expect(m.subject).toMatch(/new device/);
    expect(m.text).toContain('7f3a');
    expect(m.text).toContain('laptop-42');
    expect(m.text).toMatch(/revoke/);
  });

  it('names the rule and the certificate of a misuse alert', () => {
    for (const lang of NOTICE_LANGUAGES) {
      const m = renderMessage('n2', 'signature.alert', new Date(), SAMPLES['signature.alert'], lang);
      expect(m.text).toContain('used-after-departure');
      expect(m.text).toContain('940140000385');
    }
  });

  it('falls back to a plain text in the language for an event it does not know', () => {
    expect(renderMessage('n3', 'something.else', new Date(), {}, 'en').text).toBe('Something changed: something.else.');
    expect(renderMessage('n3', 'something.else', new Date(), {}, 'ru').subject).toBe('Qorgau: Произошло изменение');
  });
});
