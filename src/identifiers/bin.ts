import { controlDigit, TWELVE_DIGITS } from './check-digit.js';

export type BinProblem = 'BIN_FORMAT' | 'BIN_REGISTRATION_DATE' | 'BIN_TYPE_DIGIT' | 'BIN_ATTRIBUTE_DIGIT' | 'BIN_INVALID_CHECKSUM' | 'BIN_NEVER_ISSUED';

export const BIN_TYPES = { '4': 'resident_legal_entity', '5': 'non_resident_legal_entity', '6': 'joint_individual_entrepreneurship' } as const;
export const BIN_ATTRIBUTES = { '0': 'head_office', '1': 'branch', '2': 'representative_office', '3': 'peasant_farm' } as const;

export interface BinFacts {
  bin: string;
  registered: string; // YYYY-MM of registration (century inferred)
  type: (typeof BIN_TYPES)[keyof typeof BIN_TYPES];
  attribute: (typeof BIN_ATTRIBUTES)[keyof typeof BIN_ATTRIBUTES];
}

export type BinCheck = { ok: true; facts: BinFacts } | { ok: false; problem: BinProblem; message: string };

/** Validates a BIN: YYMM + T + A + SSSSS + K (DESIGN.md). */
export function checkBin(value: string): BinCheck {
  if (typeof value !== 'string' || !TWELVE_DIGITS.test(value)) {
    return { ok: false, problem: 'BIN_FORMAT', message: 'A BIN is exactly 12 digits' };
  }
  const month = Number(value.slice(2, 4));
  if (month < 1 || month > 12) {
    return { ok: false, problem: 'BIN_REGISTRATION_DATE', message: `Digits 3-4 must be a registration month, not ${value.slice(2, 4)}` };
  }
  const t = value[4] as keyof typeof BIN_TYPES;
  if (!(t in BIN_TYPES)) {
    return { ok: false, problem: 'BIN_TYPE_DIGIT', message: `The 5th digit (type) must be 4, 5 or 6, not ${t}` };
  }
  const a = value[5] as keyof typeof BIN_ATTRIBUTES;
  if (!(a in BIN_ATTRIBUTES)) {
    return { ok: false, problem: 'BIN_ATTRIBUTE_DIGIT', message: `The 6th digit (attribute) must be 0 to 3, not ${a}` };
  }
  const k = controlDigit(value.slice(0, 11));
  if (k === null) return { ok: false, problem: 'BIN_NEVER_ISSUED', message: 'No BIN is issued with these first eleven digits' };
  if (k !== value.charCodeAt(11) - 48) {
    return { ok: false, problem: 'BIN_INVALID_CHECKSUM', message: 'The check digit of the BIN does not match' };
  }
  // BINs began in the 1990s: a two-digit year above the current one belongs to the 1900s.
  const yy = Number(value.slice(0, 2));
  const currentYy = new Date().getUTCFullYear() % 100;
  const year = yy > currentYy ? 1900 + yy : 2000 + yy;
  return { ok: true, facts: { bin: value, registered: `${year}-${value.slice(2, 4)}`, type: BIN_TYPES[t], attribute: BIN_ATTRIBUTES[a] } };
}

export function isValidBin(value: string): boolean {
  return checkBin(value).ok;
}

/** Builds a valid BIN (for tests, fixtures and benchmarks); null when the serial has no valid check digit. */
export function makeBin(yymm: string, type: '4' | '5' | '6', attribute: '0' | '1' | '2' | '3', serial: number): string | null {
  const first11 = `${yymm}${type}${attribute}${String(serial % 100000).padStart(5, '0')}`;
  const k = controlDigit(first11);
  return k === null ? null : first11 + k;
}
