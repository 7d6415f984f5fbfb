import { randomInt } from 'node:crypto';
import type { ReportInputType } from './schema.js';

/** Factories for fraud tests: random, valid identifiers (tests share a database) written several ways. */

/** A Kazakh mobile number (Kcell/Beeline ranges 701, 705, 707, 747, 777), as 10 national digits. */
export function buildKzMobile(): string {
  const operator = ['701', '702', '705', '707', '747', '771', '777'][randomInt(7)];
  return operator + String(randomInt(10_000_000)).padStart(7, '0');
}

/** The same national number written as people write it. */
export function phoneForms(national: string): string[] {
  const [a, b, c, d] = [national.slice(0, 3), national.slice(3, 6), national.slice(6, 8), national.slice(8)];
  return [`8 ${a} ${b} ${c} ${d}`, `+7 (${a}) ${b}-${c}-${d}`, `8${national}`, `+7${national}`, `7${national}`];
}

/** The Luhn check digit, computed here independently of the code under test. */
function luhnDigit(partial: string): string {
  const digits = partial.split('').reverse().map(Number);
  const sum = digits.reduce((s, d, i) => s + (i % 2 === 0 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
  return String((10 - (sum % 10)) % 10);
}

export function buildCard(bin = '440043'): string {
  const body = bin + String(randomInt(1_000_000_000)).padStart(9, '0');
  return body + luhnDigit(body);
}

/** ISO 13616 check digits by mod 97 over the rearranged IBAN (letters as 10..35), computed here with BigInt. */
export function buildKzIban(): string {
  const bban = `125KZT${String(randomInt(1_000_000_000)).padStart(10, '0')}`;
  const numeric = (bban + 'KZ00').replace(/[A-Z]/g, (ch) => String(ch.charCodeAt(0) - 55));
  const check = 98n - (BigInt(numeric) % 97n);
  return `KZ${String(check).padStart(2, '0')}${bban}`;
}

export function ibanForms(iban: string): string[] {
  return [iban, iban.toLowerCase().replace(/(.{4})/g, '$1 ').trim(), `IBAN ${iban.replace(/(.{4})/g, '$1 ').trim()}`];
}

export function buildDomain(): string {
  return `kaspi-bonus-${randomInt(1_000_000_000).toString(36)}.kz`;
}

export function buildHandle(): string {
  return `scam_${randomInt(1_000_000_000).toString(36)}`;
}

export function buildReport(overrides: Partial<ReportInputType> = {}): ReportInputType {
  return {
    occurredAt: new Date(Date.now() - randomInt(30) * 86_400_000).toISOString(),
    region: 'almaty-city',
    channel: 'call',
    scheme: 'fake_bank_or_police_call',
    amount: 150_000,
    currency: 'KZT',
    paymentMethod: 'card_transfer',
    identifiers: [{ type: 'phone', value: `+7${buildKzMobile()}` }],
    narrative: 'A man who said he was from the bank security service asked me to move my savings to a "safe account".',
    contact: 'victim@example.kz',
    ...overrides,
  };
}
