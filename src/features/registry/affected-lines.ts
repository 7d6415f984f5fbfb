import { StringDecoder } from 'node:string_decoder';
import { checkIin } from '../../identifiers/iin.js';
import { AppError } from '../../errors/app-error.js';

/**
 * Reads an upload of affected persons line by line, from any number of chunks,
 * without holding more than one line in memory. Two formats:
 *  - text/csv with a header row naming an `iin` column and, optionally, `categories`
 *    (values separated by `;` or `|`);
 *  - application/x-ndjson with one `{"iin": "...", "categories": [...]}` per line.
 */
export type ImportFormat = 'csv' | 'ndjson';

export interface AffectedRow {
  iin: string;
  categories: string[] | null;
}

export interface InvalidLine {
  line: number;
  code: string;
  reason: string;
}

export type LineOutcome = { row: AffectedRow } | { invalid: Omit<InvalidLine, 'line'> } | null;

const MAX_LINE_CHARS = 64 * 1024;

/** Stands for a line longer than MAX_LINE_CHARS, which is cut and reported, never buffered. */
export const LINE_TOO_LONG = null;

/**
 * Splits a byte stream into lines (LF or CRLF), a batch per incoming chunk: one await
 * per chunk rather than per line. UTF-8 sequences split across chunks are joined.
 */
export async function* splitLines(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<(string | typeof LINE_TOO_LONG)[]> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let skipping = false;
  const finish = (line: string) => (line.length > MAX_LINE_CHARS ? LINE_TOO_LONG : line.endsWith('\r') ? line.slice(0, -1) : line);
  for await (const piece of source) {
    const text = typeof piece === 'string' ? piece : decoder.write(piece);
    const batch: (string | null)[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      if (skipping) skipping = false;
      else {
        batch.push(finish(pending ? pending + text.slice(start, nl) : text.slice(start, nl)));
        pending = '';
      }
      start = nl + 1;
    }
    if (!skipping && start < text.length) {
      pending += text.slice(start);
      if (pending.length > MAX_LINE_CHARS) {
        pending = '';
        skipping = true;
        batch.push(LINE_TOO_LONG);
      }
    }
    if (batch.length) yield batch;
  }
  pending += decoder.end();
  if (!skipping && pending) yield [finish(pending)];
}

/** Splits one CSV record (RFC 4180 quoting, no line breaks inside fields). Null when a quote is unterminated. */
export function splitCsvRecord(line: string): string[] | null {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) return null;
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      if (i >= line.length) return fields;
      if (line[i] !== ',') return null;
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c === -1) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

function validateCategories(raw: string[], known: Set<string>): { categories: string[] } | { invalid: Omit<InvalidLine, 'line'> } {
  const categories = [...new Set(raw.map((c) => c.trim()).filter((c) => c.length > 0))];
  const unknown = categories.find((c) => !known.has(c));
  if (unknown !== undefined) {
    return { invalid: { code: 'CATEGORY_UNKNOWN', reason: `Unknown data category "${unknown.slice(0, 40)}"` } };
  }
  return { categories };
}

function checkRowIin(iin: string): Omit<InvalidLine, 'line'> | null {
  const check = checkIin(iin);
  return check.ok ? null : { code: check.problem, reason: check.message };
}

/** A parser for one upload: the header (CSV) decides the columns; each later line gives a row or a reason. */
export class AffectedLineParser {
  private iinColumn = -1;
  private categoriesColumn = -1;
  private headerSeen = false;

  constructor(
    readonly format: ImportFormat,
    private readonly knownCategories: Set<string>,
  ) {}

  /** True while the CSV header has not been read yet. */
  get awaitingHeader(): boolean {
    return this.format === 'csv' && !this.headerSeen;
  }

  /** Reads the CSV header; a file without an `iin` column is refused as a whole before anything is written. */
  readHeader(line: string): void {
    const fields = splitCsvRecord(line.replace(/^\uFEFF/, ''));
    const names = (fields ?? []).map((f) => f.trim().toLowerCase());
    this.iinColumn = names.indexOf('iin');
    this.categoriesColumn = names.indexOf('categories');
    if (!fields || this.iinColumn === -1) {
      throw AppError.badRequest('MALFORMED_CSV', 'The first line of the CSV must be a header naming an "iin" column (and optionally "categories")');
    }
    this.headerSeen = true;
  }

  parse(line: string): LineOutcome {
    if (line.trim() === '') return null;
    return this.format === 'csv' ? this.parseCsv(line) : this.parseNdjson(line);
  }

  private parseCsv(line: string): LineOutcome {
    // Fast path: a bare IIN column, which is what most registry files are.
    if (this.iinColumn === 0 && this.categoriesColumn === -1 && line.length === 12) {
      const problem = checkRowIin(line);
      return problem ? { invalid: problem } : { row: { iin: line, categories: null } };
    }
    const fields = splitCsvRecord(line);
    if (!fields) return { invalid: { code: 'CSV_UNTERMINATED_QUOTE', reason: 'A quoted field is not closed on this line' } };
    const iin = fields[this.iinColumn]?.trim();
    if (iin === undefined) return { invalid: { code: 'CSV_MISSING_FIELD', reason: 'The line has fewer fields than the header' } };
    const problem = checkRowIin(iin);
    if (problem) return { invalid: problem };
    const rawCategories = this.categoriesColumn >= 0 ? (fields[this.categoriesColumn] ?? '') : '';
    if (rawCategories.trim() === '') return { row: { iin, categories: null } };
    const categories = validateCategories(rawCategories.split(/[;|]/), this.knownCategories);
    return 'invalid' in categories ? categories : { row: { iin, categories: categories.categories.length ? categories.categories : null } };
  }

  private parseNdjson(line: string): LineOutcome {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { invalid: { code: 'NDJSON_MALFORMED', reason: 'The line is not valid JSON' } };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { invalid: { code: 'NDJSON_NOT_OBJECT', reason: 'Each line must be a JSON object such as {"iin": "880515300120"}' } };
    }
    const record = value as Record<string, unknown>;
    if (typeof record.iin !== 'string') {
      return {
        invalid: {
          code: 'NDJSON_IIN_NOT_STRING',
          reason: typeof record.iin === 'number' ? 'The iin must be a string: as a number it loses leading zeros' : 'The line has no "iin" string',
        },
      };
    }
    const problem = checkRowIin(record.iin);
    if (problem) return { invalid: problem };
    if (record.categories === undefined || record.categories === null) return { row: { iin: record.iin, categories: null } };
    if (!Array.isArray(record.categories) || record.categories.some((c) => typeof c !== 'string')) {
      return { invalid: { code: 'CATEGORY_UNKNOWN', reason: '"categories" must be an array of category codes' } };
    }
    const categories = validateCategories(record.categories as string[], this.knownCategories);
    return 'invalid' in categories ? categories : { row: { iin: record.iin, categories: categories.categories.length ? categories.categories : null } };
  }
}

export const TOO_LONG: Omit<InvalidLine, 'line'> = { code: 'LINE_TOO_LONG', reason: `The line is longer than ${MAX_LINE_CHARS} characters` };
