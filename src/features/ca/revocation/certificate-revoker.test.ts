import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors/app-error.js';
import { normalizeSerial } from './certificate-revoker.js';

describe('serial numbers as operators type them', () => {
  it('becomes the INTEGER contents in lower-case hex, as the certificates table stores them', () => {
    expect(normalizeSerial('4A0B')).toBe('4a0b');
    expect(normalizeSerial('0x4a0b')).toBe('4a0b');
    expect(normalizeSerial('4a:0b')).toBe('4a0b');
    expect(normalizeSerial('a0b')).toBe('0a0b');
    expect(normalizeSerial('80ff')).toBe('0080ff');
  });

  it('refuses what is not a serial with INVALID_SERIAL', () => {
    for (const bad of ['', 'xyz', '12345678901234567890123456789012345678901234567890']) {
      expect(() => normalizeSerial(bad)).toThrow(AppError);
      try {
        normalizeSerial(bad);
      } catch (err) {
        expect((err as AppError).code).toBe('INVALID_SERIAL');
      }
    }
  });
});
