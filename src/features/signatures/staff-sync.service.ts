import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import { checkIin } from '../../identifiers/iin.js';
import { EmploymentsRepository } from './employments.repository.js';
import type { StaffListJsonInput, StaffSyncResultType } from './staff-sync.schema.js';
import { presentTermination, type TerminationService } from './termination.service.js';

const malformed = (code: string, message: string, extras?: Record<string, unknown>) => AppError.badRequest(code, message, extras);

function checkedIin(raw: string, where: string): string {
  const iin = raw.trim();
  const check = checkIin(iin);
  if (!check.ok) throw malformed('STAFF_FILE_INVALID_IIN', `${where}: "${iin.slice(0, 32)}" is not a valid IIN (${check.problem})`, { problem: check.problem });
  return iin;
}

/** Splits one CSV line (RFC 4180 quoting) on the separator. */
function cells(line: string, separator: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      }
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === separator) {
      out.push(cell);
      cell = '';
    }
    else cell += ch;
  }
  if (quoted) throw malformed('STAFF_FILE_MALFORMED_CSV', 'A quoted field is not closed');
  out.push(cell);
  return out.map((c) => c.trim());
}

/**
 * The staff list as CSV: a header row naming an `iin` column (HR exports from Excel use `;`,
 * others `,`), then one employee per line. Every IIN is checked; the first bad one is named.
 */
export function parseStaffCsv(text: string): string[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0) throw malformed('STAFF_FILE_EMPTY', 'The staff file is empty');
  const headerLine = lines[headerIndex];
  const separator = headerLine.includes(';') && !headerLine.includes(',') ? ';' : headerLine.includes('\t') && !headerLine.includes(',') ? '\t' : ',';
  const header = cells(headerLine, separator).map((h) => h.toLowerCase());
  const column = header.findIndex((h) => h === 'iin' || h === 'иин' || h === 'жсн');
  if (column < 0) throw malformed('STAFF_FILE_NO_IIN_COLUMN', `The first line must be a header naming an "iin" column; it has ${header.slice(0, 10).map((h) => `"${h.slice(0, 40)}"`).join(', ')}`);
  const iins: string[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const row = cells(lines[i], separator);
    if (row.length <= column) throw malformed('STAFF_FILE_MALFORMED_CSV', `Line ${i + 1} has no iin field`, { line: i + 1 });
    iins.push(checkedIin(row[column], `Line ${i + 1}`));
  }
  return iins;
}

export function parseStaffJson(body: StaffListJsonInput): string[] {
  return body.staff.map((entry, i) => checkedIin(entry.iin, `staff[${i}]`));
}

/**
 * Staff sync: the HR system uploads everyone currently employed. A dry run shows who would be
 * terminated (employed here, absent from the list); a confirmed sync terminates them all in
 * one transaction. An empty list is refused: it would terminate everyone.
 */
export class StaffSyncService {
  private readonly employments: EmploymentsRepository;

  constructor(db: Kysely<DB>, private readonly termination: TerminationService) {
    this.employments = new EmploymentsRepository(db);
  }

  async sync(bin: string, body: StaffListJsonInput | string, options: { confirm: boolean; expectTerminations?: number; actor: string }): Promise<StaffSyncResultType> {
    const listed = [...new Set(typeof body === 'string' ? parseStaffCsv(body) : parseStaffJson(body))];
    if (listed.length === 0) throw malformed('STAFF_FILE_EMPTY', 'The staff list names nobody; a sync with it would terminate every employee');
    const notRecorded = await this.employments.listedNotInForce(bin, listed, new Date());
    const base = { listed: listed.length, notRecorded };
    if (!options.confirm) {
      return { dryRun: true, ...base, wouldTerminate: await this.termination.wouldTerminate(bin, listed), terminated: [] };
    }
    const terminated = await this.termination.terminateAllBut(bin, listed, { actor: options.actor, expected: options.expectTerminations });
    return { dryRun: false, ...base, wouldTerminate: [], terminated: terminated.map((t) => presentTermination(bin, t)) };
  }
}
