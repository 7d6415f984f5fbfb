import { AppError } from '../../errors/app-error.js';
import { isKzRegion, KZ_REGIONS, type KzRegion } from '../../identifiers/regions.js';
import { AGE_GROUPS, LANGUAGES, SEXES, type AgeGroup, type Language, type Sex } from './items.js';

/**
 * Checks the declared region, age group and sex against the shared lists, with stable codes:
 * a cell the population table does not know would silently fall out of the index.
 */
export function checkRegion(region: string): KzRegion {
  if (!isKzRegion(region)) {
    throw AppError.badRequest('LITERACY_REGION_UNKNOWN', `"${region}" is not a region of Kazakhstan in our list; use one of: ${KZ_REGIONS.join(', ')}`);
  }
  return region;
}

export function checkAgeGroup(ageGroup: string): AgeGroup {
  if (!(AGE_GROUPS as readonly string[]).includes(ageGroup)) {
    throw AppError.badRequest('LITERACY_AGE_GROUP_UNKNOWN', `"${ageGroup}" is not an age group; use one of: ${AGE_GROUPS.join(', ')} (the assessment is for people aged 15 and over)`);
  }
  return ageGroup as AgeGroup;
}

export function checkSex(sex: string): Sex {
  if (!(SEXES as readonly string[]).includes(sex)) throw AppError.badRequest('LITERACY_SEX_UNKNOWN', `Sex is "female" or "male"`);
  return sex as Sex;
}

export function checkLanguage(language: string): Language {
  if (!(LANGUAGES as readonly string[]).includes(language)) throw AppError.badRequest('LITERACY_LANGUAGE_UNKNOWN', `The language is one of ${LANGUAGES.join(', ')}`);
  return language as Language;
}

/** Index periods are calendar quarters, "2026-Q4". */
export const PERIOD_PATTERN = '^[0-9]{4}-Q[1-4]$';

export function periodOf(at: Date): string {
  return `${at.getUTCFullYear()}-Q${Math.floor(at.getUTCMonth() / 3) + 1}`;
}
