import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { AppError } from '../../errors/app-error.js';
import type { Pseudonymizer } from '../../privacy/pseudonym.js';
import { normalizeIdentifier, type IdentifierInputType } from './identifiers.js';
import { lockLinking, stopLinkingOn } from './linking.repository.js';
import type { NotifyStatus } from './ports.js';
import { cardHasher, statusChangesToNotices } from './reports.service.js';

export interface WarningEntry {
  type: IdentifierInputType;
  value: string;
  owner: string;
  note?: string;
}

/**
 * Legitimate identifiers (banks' official numbers and sites): fraudsters spoof them, so reports
 * naming them are marked, never linked. Importing is idempotent: an entry already listed is
 * updated. A newly listed identifier's existing links are taken back.
 */
export class WarningList {
  constructor(
    private readonly database: Database,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly notify: NotifyStatus,
  ) {}

  async import(entries: WarningEntry[], source: string): Promise<{ listed: number; unlinked: number }> {
    const normalized = entries.map((e, index) => {
      const r = normalizeIdentifier(e.type, e.value, { cardHash: cardHasher(this.pseudonymizer) });
      if (!r.ok) throw AppError.unprocessable(r.code, `Entry ${index + 1}: ${r.message}`, { entry: index });
      return { ...r.identifier, owner: e.owner, note: e.note ?? null };
    });
    return this.database.db.transaction().execute(async (trx) => {
      await lockLinking(trx);
      let unlinked = 0;
      for (const e of normalized) {
        await trx
          .insertInto('fraud_warning_list')
          .values({ kind: e.kind, value: e.value, display: e.display, owner: e.owner, note: e.note, source })
          .onConflict((oc) => oc.columns(['kind', 'value']).doUpdateSet({ owner: e.owner, note: e.note, display: e.display, source }))
          .execute();
        const identifier = await trx.selectFrom('fraud_identifiers').select(sql<string>`id::text`.as('id')).where('kind', '=', e.kind).where('value', '=', e.value).executeTakeFirst();
        if (identifier) {
          const changes = await stopLinkingOn(trx, identifier.id, 'warning', `a legitimate identifier of ${e.owner} (warning list): likely spoofed, not linked`);
          await this.notify(trx, new Date(), statusChangesToNotices(changes));
          unlinked++;
        }
      }
      return { listed: normalized.length, unlinked };
    });
  }

  async list() {
    const rows = await this.database.db.selectFrom('fraud_warning_list').select(['kind', 'display', 'owner', 'note', 'source', 'added_at']).orderBy('owner').orderBy('kind').orderBy('display').execute();
    return rows.map((r) => ({ kind: r.kind, value: r.display, owner: r.owner, note: r.note, source: r.source, addedAt: new Date(r.added_at).toISOString() }));
  }
}

/** Reads a warning list file: CSV lines "type,value,owner[,note]" (a header line is skipped). */
export function parseWarningCsv(text: string): WarningEntry[] {
  const entries: WarningEntry[] = [];
  for (const [n, line] of text.split(/\r?\n/).entries()) {
    if (!line.trim() || line.startsWith('#') || (n === 0 && /^type,/i.test(line))) continue;
    const [type, value, owner, ...note] = line.split(',').map((s) => s.trim());
    if (!type || !value || !owner) throw new Error(`line ${n + 1}: expected "type,value,owner[,note]"`);
    entries.push({ type: type as IdentifierInputType, value, owner, note: note.join(',') || undefined });
  }
  return entries;
}
