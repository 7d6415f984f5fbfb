import { AppError } from '../../errors/app-error.js';
import type { OffenderCategory } from './usage.tables.js';

export const OFFENDER_CATEGORIES = ['individual', 'official', 'medium', 'large'] as const satisfies readonly OffenderCategory[];

/** Parses the configured MCI values, "2025:3932,2026:4325", into tenge per year. */
export function parseMciTable(text: string): Map<number, number> {
  const table = new Map<number, number>();
  for (const part of text.split(',')) {
    const [year, tenge] = part.split(':');
    table.set(Number(year), Number(tenge));
  }
  return table;
}

export interface ScheduleEntry {
  minMci: number;
  maxMci: number;
}

export interface ComputedFine {
  mci: number;
  year: number;
  mciTenge: number;
  tenge: number;
}

/**
 * A fine in MCI units, within the schedule's range for the violation and offender category,
 * and its value in tenge at the MCI of the year of the decision. Without an amount the
 * schedule's minimum applies (for article 640 the minimum and maximum are the same sum).
 */
export function computeFine(entry: ScheduleEntry, mciTable: Map<number, number>, year: number, amountMci?: number): ComputedFine {
  const mci = amountMci ?? entry.minMci;
  if (mci < entry.minMci || mci > entry.maxMci) {
    throw AppError.unprocessable('FINE_OUT_OF_RANGE', `The schedule allows ${entry.minMci} to ${entry.maxMci} MCI for this violation and offender`, { minMci: entry.minMci, maxMci: entry.maxMci });
  }
  const mciTenge = mciTable.get(year);
  if (mciTenge === undefined) {
    throw AppError.unprocessable('MCI_UNKNOWN_YEAR', `No MCI value is configured for ${year} (QORGAU_MCI_TENGE knows ${[...mciTable.keys()].join(', ')})`);
  }
  // Tenge to the tiyn: MCI values and fines may carry fractions.
  return { mci, year, mciTenge, tenge: Math.round(mci * mciTenge * 100) / 100 };
}
