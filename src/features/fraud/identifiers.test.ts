import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IDENTIFIER_INPUT_TYPES, luhnValid, normalizeIdentifier, type Normalization } from './identifiers.js';
import { buildCard, buildKzIban, buildKzMobile, ibanForms, phoneForms } from './fraud.test-support.js';

const key = Buffer.alloc(32, 7);
const options = { cardHash: (pan: string) => createHmac('sha256', key).update(`card:${pan}`).digest('hex') };
const norm = (type: (typeof IDENTIFIER_INPUT_TYPES)[number], value: string) => normalizeIdentifier(type, value, options);
const ok = (n: Normalization) => {
  if (!n.ok) throw new Error(`refused: ${n.code} ${n.message}`);
  return n.identifier;
};
const code = (n: Normalization) => (n.ok ? 'accepted' : n.code);

describe('normalizing a fraudster’s identifiers', () => {
  it('writes every form of a Kazakh number as one E.164 number in KZ, and a Russian +7 number as RU', () => {
    const national = buildKzMobile();
    const forms = phoneForms(national).map((f) => ok(norm('phone', f)));
    expect(new Set(forms.map((f) => f.value))).toEqual(new Set([`+7${national}`]));
    expect(forms.every((f) => f.country === 'KZ')).toBe(true);
    // +7 9xx belongs to Russia; 8 9xx dialled in Kazakhstan is the same Russian number.
    expect(ok(norm('phone', '8 916 123 45 67'))).toMatchObject({ value: '+79161234567', country: 'RU' });
    expect(ok(norm('phone', '+7 727 258 58 58')).country).toBe('KZ');
  });

  it('refuses numbers that are not phone numbers', () => {
    for (const bad of ['123', '+7 000 000 00 00', 'call me', '8 701 123', '+7 701 123 45 67 89 01']) expect(code(norm('phone', bad))).toBe('FRAUD_PHONE_INVALID');
  });

  it('keeps a card only as BIN, last 4 and a keyed hash, the same for every way of writing it', () => {
    const pan = buildCard();
    const spaced = pan.replace(/(.{4})/g, '$1 ').trim();
    const dashed = pan.replace(/(.{4})(?!$)/g, '$1-');
    const forms = [pan, spaced, dashed].map((f) => ok(norm('card', f)));
    expect(new Set(forms.map((f) => f.value)).size).toBe(1);
    for (const f of forms) {
      expect(f).toMatchObject({ kind: 'card', cardBin: pan.slice(0, 6), cardLast4: pan.slice(-4) });
      expect(JSON.stringify(f)).not.toContain(pan.slice(6, 12));
    }
  });

  it('checks Luhn against published test numbers', () => {
    for (const valid of ['4111111111111111', '5555555555554444', '378282246310005', '6011111111111117']) expect(luhnValid(valid)).toBe(true);
    expect(code(norm('card', '4111 1111 1111 1112'))).toBe('FRAUD_CARD_CHECK_FAILED');
    expect(code(norm('card', '4111'))).toBe('FRAUD_CARD_INVALID');
  });

  it('changing any one digit of a valid card number fails the check', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 9 }), (position, delta) => {
        const pan = buildCard();
        const digit = (Number(pan[position]) + delta) % 10;
        const changed = pan.slice(0, position) + digit + pan.slice(position + 1);
        return !luhnValid(changed);
      }),
    );
  });

  it('validates IBAN check digits and writes every form the same', () => {
    const iban = buildKzIban();
    expect(new Set(ibanForms(iban).map((f) => ok(norm('iban', f)).value))).toEqual(new Set([iban]));
    const wrong = `${iban.slice(0, 2)}${String((Number(iban.slice(2, 4)) + 1) % 100).padStart(2, '0')}${iban.slice(4)}`;
    expect(code(norm('iban', wrong))).toBe('FRAUD_IBAN_INVALID');
  });

  it('links web addresses on the registrable domain and keeps the full URL', () => {
    const forms = ['https://login.kaspi-bonus.kz/cabinet?id=1', 'kaspi-bonus.kz', 'HTTP://WWW.Kaspi-Bonus.KZ/', 'www.kaspi-bonus.kz:8443/pay', '//m.kaspi-bonus.kz'];
    const all = forms.map((f) => ok(norm('url', f)));
    expect(new Set(all.map((a) => a.value))).toEqual(new Set(['kaspi-bonus.kz']));
    expect(all[0].asReported).toBe(forms[0]);
    expect(ok(norm('url', 'https://secure.bank.co.uk/x')).value).toBe('bank.co.uk');
    expect(ok(norm('url', 'https://пример.рф/')).value).toBe('xn--e1afmkfd.xn--p1ai');
  });

  it('refuses script and markup in addresses', () => {
    expect(code(norm('url', 'javascript:alert(1)'))).toBe('FRAUD_URL_SCRIPT');
    expect(code(norm('url', 'data:text/html,<script>alert(1)</script>'))).toBe('FRAUD_URL_SCRIPT');
    expect(code(norm('url', 'https://x.kz/"><script>alert(1)</script>'))).toBe('FRAUD_URL_SCRIPT');
    expect(code(norm('url', 'https://x.kz/%3Cscript%3E'))).toBe('FRAUD_URL_SCRIPT');
    expect(code(norm('url', 'ftp://files.example.kz/'))).toBe('FRAUD_URL_SCHEME');
    expect(code(norm('url', 'https://localhost/'))).toBe('FRAUD_URL_INVALID');
  });

  it('unpacks t.me and wa.me links into the handle or number they name', () => {
    expect(ok(norm('url', 'https://t.me/Kaspi_Support_Bot'))).toMatchObject({ kind: 'handle', value: 'kaspi_support_bot' });
    expect(ok(norm('handle', '@Kaspi_Support_Bot')).value).toBe('kaspi_support_bot');
    expect(ok(norm('handle', 't.me/kaspi_support_bot')).value).toBe('kaspi_support_bot');
    const national = buildKzMobile();
    expect(ok(norm('url', `https://wa.me/7${national}`))).toMatchObject({ kind: 'phone', value: `+7${national}` });
    expect(ok(norm('handle', `wa.me/7${national}`)).value).toBe(`+7${national}`);
  });

  it('lower-cases case-insensitive wallet addresses and keeps base58 ones as written', () => {
    expect(ok(norm('wallet', '0xAbC0000000000000000000000000000000000dEf')).value).toBe('0xabc0000000000000000000000000000000000def');
    expect(ok(norm('wallet', 'TJYeasTPa6gpEEfYBVKnZTaKzb1RfRAYSz')).value).toBe('TJYeasTPa6gpEEfYBVKnZTaKzb1RfRAYSz');
    expect(code(norm('wallet', 'not a wallet'))).toBe('FRAUD_WALLET_INVALID');
  });

  it('answers any input with a normalization or a coded refusal, never an exception', () => {
    fc.assert(
      fc.property(fc.constantFrom(...IDENTIFIER_INPUT_TYPES), fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 80 }), fc.webUrl(), fc.stringMatching(/^[+0-9 ()-]{0,20}$/)), (type, value) => {
        const result = norm(type, value);
        if (result.ok) return typeof result.identifier.value === 'string' && result.identifier.value.length > 0;
        return /^FRAUD_[A-Z_]+$/.test(result.code) && result.message.length > 0;
      }),
      { numRuns: 2000 },
    );
  });
});
