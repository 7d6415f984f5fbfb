/**
 * The control digit shared by IIN and BIN (DESIGN.md, "Identifiers"):
 * sum(d_i * i, i = 1..11) mod 11; if that is 10, the second weight set
 * 3,4,5,6,7,8,9,10,11,1,2; if it is 10 again, no number with these first
 * eleven digits is ever issued.
 */
const FIRST_WEIGHTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_WEIGHTS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

function weightedMod11(digits: string, weights: number[]): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum += (digits.charCodeAt(i) - 48) * weights[i];
  return sum % 11;
}

/** The check digit for the first eleven digits, or null when no valid number exists. */
export function controlDigit(first11: string): number | null {
  const first = weightedMod11(first11, FIRST_WEIGHTS);
  if (first !== 10) return first;
  const second = weightedMod11(first11, SECOND_WEIGHTS);
  return second === 10 ? null : second;
}

export const TWELVE_DIGITS = /^\d{12}$/;
