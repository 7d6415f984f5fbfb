import type { Database, BulkSession } from '../../db/database.js';
import type { Pseudonymizer } from '../../privacy/pseudonym.js';
import { AppError } from '../../errors/app-error.js';
import { AffectedLineParser, splitLines, TOO_LONG, type ImportFormat, type InvalidLine } from './affected-lines.js';

export interface ImportProgress {
  bytes: number;
  lines: number;
  accepted: number;
  duplicate: number;
  invalid: number;
}

export interface ImportOptions {
  /** Rows per transaction. Each chunk commits on its own, so a killed import keeps what it wrote. */
  chunkRows?: number;
  /** Refuse the upload with 413 past this many bytes (HTTP); unlimited when unset (CLI). */
  maxBytes?: number;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportCounts {
  lines: number;
  accepted: number;
  duplicate: number;
  invalid: number;
  invalidLines: InvalidLine[];
}

const INVALID_LINES_KEPT = 100;

/**
 * Copies one chunk of pseudonyms into the breach: COPY into a session-local staging
 * table, then one set-based INSERT ... ON CONFLICT DO NOTHING. Re-importing a file,
 * or re-running a killed import, adds nothing twice: the primary key is
 * (person, breach). The breach row is locked first so that publishing waits for the
 * chunk, and a chunk arriving after publication is refused.
 */
async function writeChunk(session: BulkSession, breachSeq: number, data: Buffer, rows: number): Promise<number> {
  await session.query(
    'create temp table if not exists import_staging (person_hash bytea not null, categories text[]) on commit delete rows',
  );
  await session.query('begin');
  try {
    const { rows: status } = await session.query<{ status: string }>('select status from breaches where seq = $1 for no key update', [breachSeq]);
    if (status[0]?.status !== 'draft') {
      throw AppError.conflict('BREACH_NOT_DRAFT', 'Only a draft breach accepts affected persons; this one was published meanwhile');
    }
    await session.copyFrom('copy import_staging (person_hash, categories) from stdin', data);
    const inserted = await session.query(
      `insert into breach_affected (person_hash, breach_seq, categories)
       select distinct on (person_hash) person_hash, $1::int, categories from import_staging
       order by person_hash
       on conflict do nothing`,
      [breachSeq],
    );
    await session.query('update breaches set affected_count = affected_count + $2, updated_at = now() where seq = $1', [
      breachSeq,
      inserted.rowCount,
    ]);
    await session.query('commit');
    if (inserted.rowCount > rows) throw new Error('inserted more rows than staged');
    return inserted.rowCount;
  } catch (err) {
    await session.query('rollback').catch(() => {});
    throw err;
  }
}

/** A growing buffer of COPY text-format lines: `\\x<hex pseudonym>\t<categories or \N>`. */
class CopyBuffer {
  private buf: Buffer;
  private at = 0;
  rows = 0;

  constructor(capacityRows: number) {
    this.buf = Buffer.allocUnsafe(capacityRows * 72 + 1024);
  }

  add(pseudonym: Buffer, categories: string[] | null): void {
    const tail = categories ? `{${categories.join(',')}}` : '\\N';
    const need = 3 + 64 + 1 + Buffer.byteLength(tail) + 1;
    if (this.at + need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2 + need);
      this.buf.copy(bigger, 0, 0, this.at);
      this.buf = bigger;
    }
    // COPY's text format unescapes backslashes, so bytea's "\x" prefix is written "\\x".
    this.buf[this.at++] = 0x5c;
    this.buf[this.at++] = 0x5c;
    this.buf[this.at++] = 0x78;
    this.at += this.buf.write(pseudonym.toString('hex'), this.at, 'latin1');
    this.buf[this.at++] = 0x09;
    this.at += this.buf.write(tail, this.at, 'utf8');
    this.buf[this.at++] = 0x0a;
    this.rows++;
  }

  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.at));
    this.at = 0;
    this.rows = 0;
    return out;
  }
}

async function* countingBytes(source: AsyncIterable<Buffer | string>, counter: { bytes: number }, maxBytes?: number) {
  for await (const piece of source) {
    counter.bytes += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
    if (maxBytes !== undefined && counter.bytes > maxBytes) {
      throw new AppError(413, 'PAYLOAD_TOO_LARGE', `The upload is larger than ${maxBytes} bytes; import large files with "qorgau breach import"`);
    }
    yield piece;
  }
}

export async function importAffected(
  database: Database,
  pseudonymizer: Pseudonymizer,
  breachSeq: number,
  knownCategories: Set<string>,
  format: ImportFormat,
  source: AsyncIterable<Buffer | string>,
  options: ImportOptions = {},
): Promise<ImportCounts> {
  const chunkRows = options.chunkRows ?? 50_000;
  const parser = new AffectedLineParser(format, knownCategories);
  const counts: ImportCounts = { lines: 0, accepted: 0, duplicate: 0, invalid: 0, invalidLines: [] };
  const meter = { bytes: 0 };
  let copy = new CopyBuffer(chunkRows);
  let valid = 0;
  // One chunk is written while the next is parsed: the database works on the other core.
  let inFlight: Promise<void> = Promise.resolve();
  let lineNumber = 0;
  let lastProgress = 0;

  const report = () => options.onProgress?.({ bytes: meter.bytes, lines: counts.lines, accepted: counts.accepted, duplicate: counts.duplicate, invalid: counts.invalid });
  const flush = async () => {
    if (copy.rows === 0) return;
    const rows = copy.rows;
    const data = copy.take();
    const stagedValid = rows;
    await inFlight;
    inFlight = database
      .withBulkSession((session) => writeChunk(session, breachSeq, data, rows))
      .then((inserted) => {
        counts.accepted += inserted;
        counts.duplicate += stagedValid - inserted;
        report();
      });
    // Surface a failure at once rather than at the next flush.
    inFlight.catch(() => {});
  };
  const invalid = (problem: Omit<InvalidLine, 'line'>) => {
    counts.invalid++;
    if (counts.invalidLines.length < INVALID_LINES_KEPT) counts.invalidLines.push({ line: lineNumber, ...problem });
  };

  for await (const { text, tooLong } of splitLines(countingBytes(source, meter, options.maxBytes))) {
    lineNumber++;
    if (parser.awaitingHeader) {
      if (tooLong) throw AppError.badRequest('MALFORMED_CSV', 'The CSV header line is too long');
      if (text.trim() === '') continue;
      parser.readHeader(text);
      continue;
    }
    if (tooLong) {
      counts.lines++;
      invalid(TOO_LONG);
      continue;
    }
    const outcome = parser.parse(text);
    if (outcome === null) continue;
    counts.lines++;
    if ('invalid' in outcome) {
      invalid(outcome.invalid);
      continue;
    }
    valid++;
    copy.add(pseudonymizer.of(outcome.row.iin), outcome.row.categories);
    if (copy.rows >= chunkRows) {
      await flush();
      const now = Date.now();
      if (now - lastProgress > 250) {
        lastProgress = now;
        report();
      }
    }
  }
  if (parser.awaitingHeader) throw AppError.badRequest('EMPTY_UPLOAD', 'The upload is empty: send a CSV header line with an "iin" column, then one IIN per line');
  await flush();
  await inFlight;
  report();
  if (counts.lines === 0) throw AppError.badRequest('EMPTY_UPLOAD', 'The upload has no data lines');
  if (valid === 0) {
    throw AppError.unprocessable('IMPORT_NOTHING_VALID', 'No line of the upload holds a valid IIN; nothing was imported', {
      lines: counts.lines,
      invalid: counts.invalid,
      invalidLines: counts.invalidLines,
    });
  }
  return counts;
}
