import { zxcvbn, zxcvbnOptions } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { AppError } from '../errors/app-error.js';

zxcvbnOptions.setOptions({
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
});

export const MIN_PASSWORD_LENGTH = 12;
export const MIN_PASSWORD_SCORE = 3;

export interface PasswordVerdict {
  ok: boolean;
  score: number;
  reasons: string[];
  suggestions: string[];
}

/**
 * Judges the password of a .p12 file: it guards the person's signature key, so it must
 * reach zxcvbn score 3 ("safely unguessable") and 12 characters. The person's own IIN,
 * names and document number are given as user inputs, so a password built from them
 * scores low.
 */
export function judgePassword(password: string, personal: string[] = []): PasswordVerdict {
  const result = zxcvbn(password, personal.filter(Boolean));
  const reasons: string[] = [];
  if ([...password].length < MIN_PASSWORD_LENGTH) reasons.push(`It has ${[...password].length} characters; at least ${MIN_PASSWORD_LENGTH} are needed`);
  if (result.score < MIN_PASSWORD_SCORE) {
    reasons.push(`It is too easy to guess (strength ${result.score} of 4; at least ${MIN_PASSWORD_SCORE} is needed)${result.feedback.warning ? `: ${result.feedback.warning}` : ''}`);
  }
  const suggestions = [...result.feedback.suggestions];
  if (reasons.length && suggestions.length === 0) suggestions.push('Use a few unrelated words, or a longer phrase only you would think of');
  return { ok: reasons.length === 0, score: result.score, reasons, suggestions };
}

export function assertStrongPassword(password: string, personal: string[] = []): void {
  const verdict = judgePassword(password, personal);
  if (!verdict.ok) {
    throw AppError.unprocessable('PASSWORD_TOO_WEAK', `The password is refused: ${verdict.reasons.join('; ')}. ${verdict.suggestions.join(' ')}`, {
      reasons: verdict.reasons,
      suggestions: verdict.suggestions,
      score: verdict.score,
    });
  }
}
