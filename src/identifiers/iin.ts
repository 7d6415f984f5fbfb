import { controlDigit, TWELVE_DIGITS } from './check-digit.js';

/** Why an IIN was refused; each reason is also a stable error code suffix. */
export type IinProblem = 'IIN_FORMAT' | 'IIN_BIRTH_DATE' | 'IIN_CENTURY_DIGIT' | 'IIN_INVALID_CHECKSUM' | 'IIN_NEVER_ISSUED';

export interface IinFacts {
  iin: string;
  birthDate: string; // YYYY-MM-DD
  sex: 'male' | 'female';
}

export type IinCheck = { ok: true; facts: IinFacts } | { ok: false; problem: IinProblem; message: string };

const CENTURY: Record<string, number> = { '1': 1800, '2': 1800, '3': 1900, '4': 1900, '5': 2000, '6': 2000 };

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/**
 * Validates an IIN: YYMMDD + C + SSSS + K. C gives the century (1/2 = 1800s,
 * 3/4 = 1900s, 5/6 = 2000s) and sex (odd = male); K is the control digit.
 */
export function checkIin(value: string): IinCheck {
  if (typeof value !== 'string' || !TWELVE_DIGITS.test(value)) {
    return { ok: false, problem: 'IIN_FORMAT', message: 'An IIN is exactly 12 digits' };
  }
  const c = value[6];
  const base = CENTURY[c];
  if (base === undefined) {
    return { ok: false, problem: 'IIN_CENTURY_DIGIT', message: `The 7th digit (century and sex) must be 1 to 6, not ${c}` };
  }
  const year = base + Number(value.slice(0, 2));
  const month = Number(value.slice(2, 4));
  const day = Number(value.slice(4, 6));
  if (!isRealDate(year, month, day)) {
    return { ok: false, problem: 'IIN_BIRTH_DATE', message: `The first six digits are not a real birth date (${value.slice(0, 6)})` };
  }
  const k = controlDigit(value.slice(0, 11));
  if (k === null) return { ok: false, problem: 'IIN_NEVER_ISSUED', message: 'No IIN is issued with these first eleven digits' };
  if (k !== value.charCodeAt(11) - 48) {
    return { ok: false, problem: 'IIN_INVALID_CHECKSUM', message: 'The check digit of the IIN does not match' };
  }
  const birthDate = `${year}-${value.slice(2, 4)}-${value.slice(4, 6)}`;
  return { ok: true, facts: { iin: value, birthDate, sex: Number(c) % 2 === 1 ? 'male' : 'female' } };
}

export function isValidIin(value: string): boolean {
  return checkIin(value).ok;
}

/** Builds a valid IIN from a birth date, sex and serial (for tests, fixtures and benchmarks). */
export function makeIin(birth: Date, sex: 'male' | 'female', serial: number): string | null {
  const year = birth.getUTCFullYear();
  const centuryIndex = year < 1900 ? 1 : year < 2000 ? 3 : 5;
  const c = sex === 'male' ? centuryIndex : centuryIndex + 1;
  const yy = String(year % 100).padStart(2, '0');
  const mm = String(birth.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(birth.getUTCDate()).padStart(2, '0');
  const first11 = `${yy}${mm}${dd}${c}${String(serial % 10000).padStart(4, '0')}`;
  const k = controlDigit(first11);
  return k === null ? null : first11 + k;
}
