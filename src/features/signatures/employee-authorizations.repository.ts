import type { Insertable, Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import { inForceAt } from './employments.repository.js';
import type { EmployeeCertificateAuthorizationsTable, EmployeeCertificateRequestsTable } from './signatures.tables.js';

/**
 * The SQL of an organization's authorizations of employee certificate pairs, and of its record
 * of who had each pair made for whom (`employee_certificate_requests`).
 */
export class EmployeeAuthorizationsRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Withdraws the open authorizations of (BIN, IIN) that expired by `at`: they no longer hold the place of the open one. */
  async withdrawExpired(trx: Transaction<DB>, bin: string, iin: string, at: Date): Promise<void> {
    await trx
      .updateTable('employee_certificate_authorizations')
      .set({ status: 'withdrawn', closed_at: at })
      .where('bin', '=', bin)
      .where('iin', '=', iin)
      .where('status', '=', 'open')
      .where('expires_at', '<=', at)
      .execute();
  }

  async openId(trx: Transaction<DB>, bin: string, iin: string): Promise<string | undefined> {
    const row = await trx.selectFrom('employee_certificate_authorizations').select('id').where('bin', '=', bin).where('iin', '=', iin).where('status', '=', 'open').executeTakeFirst();
    return row?.id;
  }

  async insert(trx: Transaction<DB>, row: Insertable<EmployeeCertificateAuthorizationsTable>) {
    return trx.insertInto('employee_certificate_authorizations').values(row).returningAll().executeTakeFirstOrThrow();
  }

  /** Withdraws an open authorization; undefined when there is none open by that id for (BIN, IIN). */
  async withdraw(bin: string, iin: string, id: string, at: Date) {
    return this.db
      .updateTable('employee_certificate_authorizations')
      .set({ status: 'withdrawn', closed_at: at })
      .where('id', '=', id)
      .where('bin', '=', bin)
      .where('iin', '=', iin)
      .where('status', '=', 'open')
      .returningAll()
      .executeTakeFirst();
  }

  async statusOf(bin: string, iin: string, id: string) {
    return (await this.db.selectFrom('employee_certificate_authorizations').select('status').where('id', '=', id).where('bin', '=', bin).where('iin', '=', iin).executeTakeFirst())?.status;
  }

  /** The employee's authorizations, newest first. */
  async of(bin: string, iin: string) {
    return this.db.selectFrom('employee_certificate_authorizations').selectAll().where('bin', '=', bin).where('iin', '=', iin).orderBy('authorized_at', 'desc').execute();
  }

  /**
   * The open, unexpired authorization of (BIN, IIN) for an employment in force at `at` (a
   * person who left is authorized no more), with the organization's name; `trx` locks it.
   */
  async openFor(bin: string, iin: string, at: Date, trx?: Transaction<DB>) {
    let query = (trx ?? this.db)
      .selectFrom('employee_certificate_authorizations as a')
      .innerJoin('employments as e', 'e.id', 'a.employment_id')
      .innerJoin('enrolled_organizations as o', 'o.bin', 'a.bin')
      .select(['a.id', 'a.bin', 'a.iin', 'a.roles', 'a.expires_at', 'o.name'])
      .where('a.bin', '=', bin)
      .where('a.iin', '=', iin)
      .where('a.status', '=', 'open')
      .where('a.expires_at', '>', at)
      .where(inForceAt(at, 'e'));
    if (trx) query = query.forUpdate();
    return query.executeTakeFirst();
  }

  /** Marks an open authorization used by an issuance; undefined if it was used or withdrawn meanwhile. */
  async markUsed(trx: Transaction<DB>, id: string, issued: { applicationId: string; pairId: string }, at: Date) {
    return trx
      .updateTable('employee_certificate_authorizations')
      .set({ status: 'used', closed_at: at, application_id: issued.applicationId, pair_id: issued.pairId })
      .where('id', '=', id)
      .where('status', '=', 'open')
      .returning(['employment_id', 'authorized_by'])
      .executeTakeFirst();
  }

  async recordRequest(trx: Transaction<DB>, row: Insertable<EmployeeCertificateRequestsTable>): Promise<void> {
    await trx.insertInto('employee_certificate_requests').values(row).execute();
  }

  /** Who authorized the pairs issued to the employee, newest first. */
  async requestsOf(bin: string, iin: string) {
    return this.db
      .selectFrom('employee_certificate_requests')
      .select(['pair_id', 'roles', 'requested_by', 'requested_at'])
      .where('bin', '=', bin)
      .where('iin', '=', iin)
      .orderBy('requested_at', 'desc')
      .execute();
  }
}
