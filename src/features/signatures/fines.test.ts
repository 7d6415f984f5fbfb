import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/app-error.js';
import { computeFine, parseMciTable } from './fines.js';

describe('fines', () => {
  const mci = parseMciTable('2025:3932,2026:4325');

  it('reads the MCI per year', () => {
    expect(mci.get(2025)).toBe(3932);
    expect(mci.get(2026)).toBe(4325);
  });

  it('prices a fine in MCI and in tenge at the year of the decision', () => {
    expect(computeFine({ minMci: 100, maxMci: 100 }, mci, 2026)).toEqual({ mci: 100, year: 2026, mciTenge: 4325, tenge: 432_500 });
    expect(computeFine({ minMci: 10, maxMci: 10 }, mci, 2025).tenge).toBe(39_320);
    expect(computeFine({ minMci: 10, maxMci: 30 }, mci, 2025, 20).tenge).toBe(78_640);
  });

  it('refuses an amount outside the schedule and a year without an MCI value', () => {
    const outside = (() => { try { computeFine({ minMci: 10, maxMci: 30 }, mci, 2025, 31); } catch (err) { return err; } })();
    expect(outside).toBeInstanceOf(AppError);
    expect((outside as AppError).code).toBe('FINE_OUT_OF_RANGE');
    expect(() => computeFine({ minMci: 10, maxMci: 10 }, mci, 2024)).toThrow(/2024/);
  });
});
