import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { AppError } from '../../errors/app-error.js';
import type { Pseudonymizer } from '../../privacy/pseudonym.js';
import { normalizeIdentifier, type IdentifierInputType } from './identifiers.js';
import { lockLinking, stopLinkingOn } from './linking.repository.js';
import type { NotifyStatus } from './ports.js';
import { cardHasher, statusChangesToNotices } from './reports.service.js';
import type { Investigator } from './investigation.service.js';

const hashOf = (code: string) => createHash('sha256').update(code).digest();
type AppealRow = { id: string; kind: string; display: string; status: 'pending' | 'upheld' | 'rejected'; answer: string | null; created_at: Date; decided_at: Date | null };
const present = (r: AppealRow) => ({
  id: r.id,
  kind: r.kind as never,
  display: r.display,
  status: r.status,
  answer: r.answer,
  createdAt: new Date(r.created_at).toISOString(),
  decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
});

/**
 * Appeals by someone whose number or account was named wrongly. An investigator upholds (the
 * identifier is cleared: it stops linking and looks up as not risky) or rejects; the answer is
 * kept and shown to the appellant with their tracking code.
 */
export class Appeals {
  constructor(
    private readonly database: Database,
    private readonly pseudonymizer: Pseudonymizer,
    private readonly notify: NotifyStatus,
  ) {}

  async file(input: { type: IdentifierInputType; value: string; contact: string; statement: string }) {
    const r = normalizeIdentifier(input.type, input.value, { cardHash: cardHasher(this.pseudonymizer) });
    if (!r.ok) throw AppError.unprocessable(r.code, r.message);
    const id = randomUUID();
    const trackingCode = randomBytes(18).toString('base64url');
    await this.database.db
      .insertInto('fraud_appeals')
      .values({ id, tracking_hash: hashOf(trackingCode), kind: r.identifier.kind, value: r.identifier.value, display: r.identifier.display, contact: input.contact, statement: input.statement })
      .execute();
    return { id, trackingCode, status: 'pending' as const };
  }

  async forAppellant(id: string, trackingCode: string) {
    const row = await this.database.db.selectFrom('fraud_appeals').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || !timingSafeEqual(hashOf(trackingCode), row.tracking_hash)) throw AppError.notFound('FRAUD_APPEAL_NOT_FOUND', 'No such appeal for this tracking code');
    return present(row);
  }

  async list(status: 'pending' | 'upheld' | 'rejected' | undefined) {
    const rows = await this.database.db
      .selectFrom('fraud_appeals')
      .select(['id', 'kind', 'display', 'status', 'answer', 'created_at', 'decided_at', 'contact', 'statement'])
      .$if(!!status, (q) => q.where('status', '=', status!))
      .orderBy('created_at')
      .limit(500)
      .execute();
    return rows.map((r) => ({ ...present(r), contact: r.contact, statement: r.statement }));
  }

  async decide(who: Investigator, id: string, decision: 'upheld' | 'rejected', answer: string) {
    return this.database.db.transaction().execute(async (trx) => {
      await lockLinking(trx);
      const row = await trx.selectFrom('fraud_appeals').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!row) throw AppError.notFound('FRAUD_APPEAL_NOT_FOUND', `No appeal ${id}`);
      if (row.status !== 'pending') throw AppError.conflict('FRAUD_APPEAL_DECIDED', `The appeal was already ${row.status}`);
      const decidedBy = `${who.name} (token ${who.tokenId})`;
      const updated = await trx
        .updateTable('fraud_appeals')
        .set({ status: decision, answer, decided_by: decidedBy, decided_at: new Date() })
        .where('id', '=', id)
        .returning(['id', 'kind', 'display', 'status', 'answer', 'created_at', 'decided_at'])
        .executeTakeFirstOrThrow();
      if (decision === 'upheld') {
        const identifier = await trx
          .updateTable('fraud_identifiers')
          .set({ cleared_at: new Date() })
          .where('kind', '=', row.kind)
          .where('value', '=', row.value)
          .returning(sql<string>`id::text`.as('id'))
          .executeTakeFirst();
        if (identifier) {
          const changes = await stopLinkingOn(trx, identifier.id, 'cleared', `cleared on appeal ${id}: listed wrongly, not linked`);
          await this.notify(trx, new Date(), statusChangesToNotices(changes));
        }
      }
      await trx.insertInto('fraud_access_log').values({ actor: decidedBy, action: 'appeal.decide', subject: `appeal:${id}`, detail: JSON.stringify({ decision }) }).execute();
      return present(updated);
    });
  }
}
