import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/app-error.js';
import { HTTP_STATUS_OF_KIND } from '../../errors/http-errors.js';
import { parseStaffCsv, parseStaffJson } from './staff-sync.service.js';

const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (err) {
    if (err instanceof AppError) return `${HTTP_STATUS_OF_KIND[err.kind]} ${err.code}`;
    throw err;
  }
  return undefined;
};

describe('staff list parsing', () => {
  it('reads the iin column of comma, semicolon or tab separated CSV, with quotes, a BOM and blank lines', () => {
    expect(parseStaffCsv('iin,position\n880515300120,driver\n')).toEqual(['880515300120']);
    expect(parseStaffCsv('\uFEFFФИО;ИИН\r\n"Смагулов; А.";880515300120\r\n\r\n')).toEqual(['880515300120']);
    expect(parseStaffCsv('name\tIIN\nA\t 880515300120 \n')).toEqual(['880515300120']);
    expect(parseStaffCsv('name,iin\n"Said ""Boss"", Jr",880515300120\n')).toEqual(['880515300120']);
  });

  it('names what is wrong with a malformed file', () => {
    expect(codeOf(() => parseStaffCsv(''))).toBe('400 STAFF_FILE_EMPTY');
    expect(codeOf(() => parseStaffCsv('name,position\nA,B\n'))).toBe('400 STAFF_FILE_NO_IIN_COLUMN');
    expect(codeOf(() => parseStaffCsv('name,iin\nA\n'))).toBe('400 STAFF_FILE_MALFORMED_CSV');
    expect(codeOf(() => parseStaffCsv('iin\n"880515300120\n'))).toBe('400 STAFF_FILE_MALFORMED_CSV');
    expect(codeOf(() => parseStaffCsv('iin\n880515300121\n'))).toBe('400 STAFF_FILE_INVALID_IIN');
    expect(codeOf(() => parseStaffJson({ staff: [{ iin: '880515300120' }, { iin: 'x' }] }))).toBe('400 STAFF_FILE_INVALID_IIN');
  });
});
