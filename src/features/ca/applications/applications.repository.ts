import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB } from '../../../db/types.js';
import type { CertificateApplicationsTable } from '../ca.tables.js';

export type NewApplication = Insertable<CertificateApplicationsTable>;

/** The SQL of certificate applications. */
export class ApplicationsRepository {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly readDb: Kysely<DB> = db,
  ) {}

  async insert(row: NewApplication, trx: Kysely<DB> | Transaction<DB> = this.db): Promise<void> {
    await trx.insertInto('certificate_applications').values(row).execute();
  }

  /** Reads from the primary: an applicant polls right after submitting, before a replica may have it. */
  async byId(id: string) {
    return this.db.selectFrom('certificate_applications').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async certificatesOf(id: string) {
    return this.db
      .selectFrom('certificates')
      .select(['serial', 'issuer', 'profile', 'not_before', 'not_after', 'der', 'revoked_at'])
      .where('application_id', '=', id)
      .orderBy('profile')
      .execute();
  }

  async pendingReview(limit: number) {
    return this.readDb
      .selectFrom('certificate_applications')
      .select(['id', 'holder', 'iin', 'id_document_number', 'surname', 'given_name', 'patronymic', 'organization', 'bin', 'review_reason', 'registration_extract', 'proof', 'created_at'])
      .where('status', '=', 'pending_review')
      .orderBy('created_at')
      .limit(limit)
      .execute();
  }

  /**
   * Moves a pending application to its decision; false when it was not pending (already
   * decided, or decided concurrently by another operator), which the row lock makes exact.
   */
  async decide(
    trx: Transaction<DB>,
    id: string,
    decision: { status: 'issued' | 'rejected'; decided_by: string; decision_reason: string | null; proofing_method?: string; pair_id?: string },
  ): Promise<boolean> {
    const result = await trx
      .updateTable('certificate_applications')
      .set({ ...decision, decided_at: new Date(), updated_at: new Date() })
      .where('id', '=', id)
      .where('status', '=', 'pending_review')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async setPair(trx: Transaction<DB>, id: string, pairId: string): Promise<void> {
    await trx.updateTable('certificate_applications').set({ pair_id: pairId, updated_at: new Date() }).where('id', '=', id).execute();
  }

  /** The roles an operator granted a head's application, with the proof they checked. */
  async setHeadship(trx: Transaction<DB>, id: string, roles: string[], proof: string): Promise<void> {
    await trx.updateTable('certificate_applications').set({ employee_roles: roles, headship_proof: proof }).where('id', '=', id).execute();
  }

  /** Whether a pending or issued application holds the registration extract (a rejected one frees it). */
  async extractHeld(extract: string): Promise<boolean> {
    const holder = await this.db.selectFrom('certificate_applications').select('id').where('registration_extract', '=', extract).where('status', '<>', 'rejected').executeTakeFirst();
    return holder !== undefined;
  }
}
