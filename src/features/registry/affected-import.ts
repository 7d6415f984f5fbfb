import type { Database, BulkSession } from '../../db/database.js';
import type { Pseudonymizer } from '../../privacy/pseudonym.js';
import { AppError } from '../../errors/app-error.js';
import { AffectedLineParser, LINE_TOO_LONG, splitLines, TOO_LONG, type ImportFormat, type InvalidLine } from './affected-lines.js';

export interface ImportProgress {
  phase: 'staging' | 'merging' | 'done';
  bytes: number;
  lines: number;
  staged: number;
  invalid: number;
}

export interface ImportOptions {
  /** Rows per COPY into the stage. */
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

/*
 * How an import writes (see BENCHMARKS.md for the measurements behind it):
 *
 * 1. Staging. Pseudonyms are COPYed in chunks into an UNLOGGED table of this import
 *    alone, with no index: no WAL, no index maintenance, and the database takes each
 *    chunk while the next one is parsed and hashed.
 * 2. Merging. One transaction locks the breach (publishing waits; a breach published
 *    meanwhile refuses the import), inserts the distinct staged pseudonyms not yet in
 *    the breach, ordered by pseudonym, and adds the count to the breach. Inserting
 *    in key order walks the primary-key index once, leaf after leaf, where rows in file
 *    order would touch a random leaf (and log a full page image) for nearly every row.
 *
 * Nothing of the import is visible before the merge commits. A killed import leaves
 * at most a stage table, which the next import of the breach drops, and re-running it
 * ends exactly as an uninterrupted run: the merge adds only persons not yet in the
 * breach (and the primary key (person, breach) guards that), so re-importing a file
 * adds nothing.
 */
function stageTable(importId: number): string {
  return `import_stage_${importId}`;
}

async function createStage(session: BulkSession, importId: number): Promise<void> {
  await session.query(`create unlogged table ${stageTable(importId)} (person_hash bytea not null, categories text[])`);
}

async function merge(session: BulkSession, importId: number, breachSeq: number): Promise<{ inserted: number }> {
  await session.query('begin');
  try {
    // The lock serializes merges into one breach and makes publishing wait for this one.
    const { rows: breach } = await session.query<{ status: string; affected_count: number }>(
      'select status, affected_count from breaches where seq = $1 for no key update',
      [breachSeq],
    );
    if (breach[0]?.status !== 'draft') {
      throw AppError.conflict('BREACH_NOT_DRAFT', 'Only a draft breach accepts affected persons; this one was published meanwhile');
    }
    const stage = stageTable(importId);
    // Under the lock no other merge can add persons to this breach, so the persons
    // already there are known exactly and ON CONFLICT (speculative insertion, which
    // measured 1.4x slower here) is not needed. An empty breach needs no anti-join.
    const existing = Number(breach[0].affected_count) > 0
      ? 'where not exists (select 1 from breach_affected a where a.person_hash = s.person_hash and a.breach_seq = $1)'
      : '';
    await session.query("set local work_mem = '64MB'");
    const inserted = await session.query(
      `insert into breach_affected (person_hash, breach_seq, categories)
       select distinct on (s.person_hash) s.person_hash, $1::int, s.categories from ${stage} s
       ${existing}
       order by s.person_hash`,
      [breachSeq],
    );
    await session.query('update breaches set affected_count = affected_count + $2, updated_at = now() where seq = $1', [breachSeq, inserted.rowCount]);
    await session.query(`drop table ${stage}`);
    await session.query('commit');
    return { inserted: inserted.rowCount };
  } catch (err) {
    await session.query('rollback').catch(() => {});
    throw err;
  }
}

/**
 * Drops the stages that killed imports left behind: their heartbeat stopped minutes
 * ago (a live import beats at every chunk), and marks those imports abandoned.
 */
export async function dropAbandonedStages(database: Database): Promise<void> {
  await database.withBulkSession(async (session) => {
    const { rows } = await session.query<{ id: number }>(
      `update breach_imports set status = 'failed', error = 'abandoned: the import stopped without finishing', finished_at = now()
       where status = 'running' and heartbeat_at < now() - interval '5 minutes'
       returning id`,
    );
    for (const { id } of rows) await session.query(`drop table if exists ${stageTable(id)}`);
  });
}

/** A growing buffer of COPY text-format lines: `\\x<hex pseudonym>\t<categories or \N>`. */
class CopyBuffer {
  private buf: Buffer;
  private at = 0;
  rows = 0;

  constructor(capacityRows: number) {
    this.buf = Buffer.allocUnsafe(capacityRows * 72 + 1024);
  }

  add(pseudonymizer: Pseudonymizer, iin: string, categories: string[] | null): void {
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
    this.at = pseudonymizer.writeHex(iin, this.buf, this.at);
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

async function* countingBytes(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, counter: { bytes: number }, maxBytes?: number) {
  for await (const piece of source) {
    counter.bytes += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
    if (maxBytes !== undefined && counter.bytes > maxBytes) {
      throw new AppError('too_large', 'PAYLOAD_TOO_LARGE', `The upload is larger than ${maxBytes} bytes; import large files with "qorgau breach import"`);
    }
    yield piece;
  }
}

export async function importAffected(
  database: Database,
  pseudonymizer: Pseudonymizer,
  importId: number,
  breachSeq: number,
  knownCategories: Set<string>,
  format: ImportFormat,
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: ImportOptions = {},
): Promise<ImportCounts> {
  const chunkRows = options.chunkRows ?? 50_000;
  const parser = new AffectedLineParser(format, knownCategories);
  const counts: ImportCounts = { lines: 0, accepted: 0, duplicate: 0, invalid: 0, invalidLines: [] };
  const meter = { bytes: 0 };
  const copy = new CopyBuffer(chunkRows);
  let staged = 0;
  let stageCreated = false;
  // One chunk is copied while the next is parsed: the database works on the other core.
  let inFlight: Promise<void> = Promise.resolve();
  let lineNumber = 0;
  let lastProgress = 0;

  const report = (phase: ImportProgress['phase']) =>
    options.onProgress?.({ phase, bytes: meter.bytes, lines: counts.lines, staged, invalid: counts.invalid });
  const flush = async () => {
    if (copy.rows === 0) return;
    const rows = copy.rows;
    const data = copy.take();
    await inFlight;
    inFlight = database.withBulkSession(async (session) => {
      if (!stageCreated) {
        await createStage(session, importId);
        stageCreated = true;
      }
      await session.copyFrom(`copy ${stageTable(importId)} (person_hash, categories) from stdin`, data);
      await session.query('update breach_imports set heartbeat_at = now() where id = $1', [importId]);
      staged += rows;
    });
    inFlight.catch(() => {}); // awaited at the next flush or at the end
  };
  const invalid = (problem: Omit<InvalidLine, 'line'>) => {
    counts.invalid++;
    if (counts.invalidLines.length < INVALID_LINES_KEPT) counts.invalidLines.push({ line: lineNumber, ...problem });
  };

  try {
    for await (const batch of splitLines(countingBytes(source, meter, options.maxBytes))) {
      for (const text of batch) {
        lineNumber++;
        if (parser.awaitingHeader) {
          if (text === LINE_TOO_LONG) throw AppError.badRequest('MALFORMED_CSV', 'The CSV header line is too long');
          if (text.trim() === '') continue;
          parser.readHeader(text);
          continue;
        }
        if (text === LINE_TOO_LONG) {
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
        copy.add(pseudonymizer, outcome.row.iin, outcome.row.categories);
      }
      if (copy.rows >= chunkRows) {
        await flush();
        const now = Date.now();
        if (now - lastProgress > 250) {
          lastProgress = now;
          report('staging');
        }
      }
    }
    if (parser.awaitingHeader) {
      throw AppError.badRequest('EMPTY_UPLOAD', 'The upload is empty: send a CSV header line with an "iin" column, then one IIN per line');
    }
    await flush();
    await inFlight;
    if (counts.lines === 0) throw AppError.badRequest('EMPTY_UPLOAD', 'The upload has no data lines');
    if (staged === 0) {
      throw AppError.unprocessable('IMPORT_NOTHING_VALID', 'No line of the upload holds a valid IIN; nothing was imported', {
        lines: counts.lines,
        invalid: counts.invalid,
        invalidLines: counts.invalidLines,
      });
    }
    report('merging');
    const { inserted } = await database.withBulkSession((session) => merge(session, importId, breachSeq));
    counts.accepted = inserted;
    counts.duplicate = staged - inserted;
    report('done');
    return counts;
  } catch (err) {
    await inFlight.catch(() => {});
    if (stageCreated) {
      await database.withBulkSession((s) => s.query(`drop table if exists ${stageTable(importId)}`)).catch(() => {});
    }
    throw err;
  }
}
