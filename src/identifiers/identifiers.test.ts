import { describe, expect, it } from 'vitest';
import { checkIin, isValidIin, makeIin } from './iin.js';
import { checkBin, isValidBin, makeBin } from './bin.js';
import { controlDigit } from './check-digit.js';

const firstSum = (n: string) => [...n.slice(0, 11)].reduce((s, d, i) => s + Number(d) * (i + 1), 0) % 11;
const secondSum = (n: string) => [...n.slice(0, 11)].reduce((s, d, i) => s + Number(d) * [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2][i], 0) % 11;

/** Independent reading of DESIGN.md's rule: the check digit of the first eleven digits, or null. */
function referenceCheckDigit(n: string): number | null {
  const first = firstSum(n);
  if (first !== 10) return first;
  const second = secondSum(n);
  return second === 10 ? null : second;
}

/**
 * Every single-digit corruption of a valid number must be refused unless the rule
 * itself cannot see it: a change to the 11th digit on the first weight set (its weight,
 * 11, is 0 mod 11) or a change that moves the sum onto the second weight set. Those
 * exceptions must agree with the independent reference.
 */
function classifyCorruptions(valid: string, isValid: (n: string) => boolean) {
  let refused = 0;
  let exceptions = 0;
  for (const [position, bad] of singleDigitCorruptions(valid).map((b) => [firstDiff(valid, b), b] as const)) {
    const blind = position === 10 || firstSum(bad) === 10;
    if (position === 11 || !blind) {
      expect(isValid(bad), bad).toBe(false);
      refused++;
    } else {
      const referenceSaysValid = referenceCheckDigit(bad) === Number(bad[11]);
      if (!referenceSaysValid) expect(isValid(bad), bad).toBe(false);
      if (isValid(bad)) exceptions++;
      else refused++;
    }
  }
  return { refused, exceptions };
}

const firstDiff = (a: string, b: string) => [...a].findIndex((c, i) => c !== b[i]);

/** Every number that differs from `valid` in exactly one digit. */
function singleDigitCorruptions(valid: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < valid.length; i++) {
    for (let d = 0; d <= 9; d++) {
      if (String(d) !== valid[i]) out.push(valid.slice(0, i) + d + valid.slice(i + 1));
    }
  }
  return out;
}

describe('IIN', () => {
  it('accepts the known valid IIN and reads its facts', () => {
    const check = checkIin('880515300120');
    expect(check).toEqual({ ok: true, facts: { iin: '880515300120', birthDate: '1988-05-15', sex: 'male' } });
  });

  it('refuses single-digit corruptions, except where the check digit provably cannot see them', () => {
    const { refused, exceptions } = classifyCorruptions('880515300120', isValidIin);
    expect(refused).toBeGreaterThan(95);
    expect(exceptions).toBeLessThan(13);
    // Known exceptions: 880515306120 (first sum 10, valid through the second set) and
    // 880515300100 (the 11th digit weighs 11, which is 0 mod 11 on the first set).
    expect(isValidIin('880515306120')).toBe(true);
    expect(isValidIin('880515300100')).toBe(true);
  });

  it('names the reason', () => {
    expect(checkIin('88051530012')).toMatchObject({ ok: false, problem: 'IIN_FORMAT' });
    expect(checkIin('88051530012a')).toMatchObject({ ok: false, problem: 'IIN_FORMAT' });
    expect(checkIin('880515700120')).toMatchObject({ ok: false, problem: 'IIN_CENTURY_DIGIT' });
    expect(checkIin('880231300120')).toMatchObject({ ok: false, problem: 'IIN_BIRTH_DATE' });
    expect(checkIin('880515300121')).toMatchObject({ ok: false, problem: 'IIN_INVALID_CHECKSUM' });
  });

  it('knows leap years through the century digit', () => {
    // 29 February 2000 exists (century digit 5/6); 29 February 1900 does not (3/4).
    const in2000 = makeIin(new Date(Date.UTC(2000, 1, 29)), 'female', 17)!;
    expect(checkIin(in2000)).toMatchObject({ ok: true, facts: { birthDate: '2000-02-29', sex: 'female' } });
    const first11 = '000229312340';
    const k = controlDigit(first11.slice(0, 11));
    if (k !== null) expect(checkIin(first11.slice(0, 11) + k)).toMatchObject({ ok: false, problem: 'IIN_BIRTH_DATE' });
  });

  it('uses the second weight set when the first gives 10, and refuses numbers never issued', () => {
    let secondSet = 0;
    let neverIssued = 0;
    for (let serial = 0; serial < 3000; serial++) {
      const first11 = `9001013${String(serial).padStart(4, '0')}`;
      const digits = [...first11].map(Number);
      const first = digits.reduce((s, d, i) => s + d * (i + 1), 0) % 11;
      const k = controlDigit(first11);
      if (first === 10) {
        const second = digits.reduce((s, d, i) => s + d * [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2][i], 0) % 11;
        if (second === 10) {
          neverIssued++;
          expect(k).toBeNull();
          for (let last = 0; last <= 9; last++) expect(checkIin(first11 + last)).toMatchObject({ ok: false });
        } else {
          secondSet++;
          expect(k).toBe(second);
          expect(isValidIin(first11 + second)).toBe(true);
        }
      }
    }
    expect(secondSet).toBeGreaterThan(0);
    expect(neverIssued).toBeGreaterThan(0);
  });

  it('validates generated IINs across centuries and sexes', () => {
    let made = 0;
    for (let i = 0; i < 2000; i++) {
      const birth = new Date(Date.UTC(1890 + (i % 130), i % 12, 1 + (i % 28)));
      const sex = i % 2 ? 'male' : 'female';
      const iin = makeIin(birth, sex, i * 7);
      if (!iin) continue;
      made++;
      const check = checkIin(iin);
      expect(check.ok, iin).toBe(true);
      if (check.ok) {
        expect(check.facts.sex).toBe(sex);
        expect(check.facts.birthDate).toBe(birth.toISOString().slice(0, 10));
      }
    }
    expect(made).toBeGreaterThan(1500);
  });
});

describe('BIN', () => {
  it('accepts the known valid BIN and reads its facts', () => {
    expect(checkBin('940140000385')).toEqual({
      ok: true,
      facts: { bin: '940140000385', registered: '1994-01', type: 'resident_legal_entity', attribute: 'head_office' },
    });
  });

  it('refuses single-digit corruptions, except where the check digit provably cannot see them', () => {
    const { refused, exceptions } = classifyCorruptions('940140000385', isValidBin);
    expect(refused).toBeGreaterThan(95);
    expect(exceptions).toBeLessThan(13);
  });

  it('names the reason', () => {
    expect(checkBin('94014000038')).toMatchObject({ ok: false, problem: 'BIN_FORMAT' });
    expect(checkBin('941340000385')).toMatchObject({ ok: false, problem: 'BIN_REGISTRATION_DATE' });
    expect(checkBin('940170000385')).toMatchObject({ ok: false, problem: 'BIN_TYPE_DIGIT' });
    expect(checkBin('940148000385')).toMatchObject({ ok: false, problem: 'BIN_ATTRIBUTE_DIGIT' });
    expect(checkBin('940140000386')).toMatchObject({ ok: false, problem: 'BIN_INVALID_CHECKSUM' });
  });

  it('validates generated BINs of every type and attribute', () => {
    let made = 0;
    for (const type of ['4', '5', '6'] as const) {
      for (const attribute of ['0', '1', '2', '3'] as const) {
        for (let serial = 0; serial < 100; serial++) {
          const bin = makeBin('1207', type, attribute, serial * 31);
          if (!bin) continue;
          made++;
          expect(checkBin(bin)).toMatchObject({ ok: true });
        }
      }
    }
    expect(made).toBeGreaterThan(1000);
  });
});
