import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import type { CertificateHoldings, EmployeeAuthorization, EmployeeAuthorizations, EmployeeRole, ProvenHead } from '../ca/index.js';
import type { AuthorizationCreateInput, AuthorizationViewType } from './employees.schema.js';
import type { Employment } from './employees.service.js';
import { EmploymentService, toEmployment } from './employees.service.js';
import { EmployeeAuthorizationsRepository } from './employee-authorizations.repository.js';
import { EmploymentsRepository } from './employments.repository.js';
import { OrganizationsRepository } from './organizations.repository.js';

const DAY = 86_400_000;

/** The roles an employee certificate carries, from the employment record. */
export function rolesOf(employment: Employment): EmployeeRole[] {
  const roles: EmployeeRole[] = ['employee'];
  // Recorded only from a proof of headship: a head who lost their pair is authorized a new one with the role.
  if (employment.roles.firstHead) roles.push('first-head');
  if (employment.roles.maySign) roles.push('may-sign');
  if (employment.roles.maySignFinancial) roles.push('may-sign-financial');
  if (employment.roles.hr) roles.push('hr');
  return roles;
}

/** How the employee applies once authorized: their own keys, their own proof. */
export const howToApply = (bin: string) =>
  `The employee makes their keys on their own machine and applies, signing the application with their own individual AUTH certificate: ` +
  `qorgau keygen request --iin <IIN> --surname <S> --given-name <N> --bin ${bin} --signed-with <individual auth.p12> --out <dir> --password-file <file> --url <server> ` +
  `(POST /v1/pki/applications/signed), or with identity proofing (POST /v1/pki/applications with holder "employee" and bin ${bin}).`;

type AuthorizationRow = {
  id: string; bin: string; iin: string; roles: string[]; authorized_by: string; authorized_at: Date; expires_at: Date;
  status: 'open' | 'used' | 'withdrawn'; closed_at: Date | null; application_id: string | null; pair_id: string | null;
};

function present(r: AuthorizationRow, now = new Date()): AuthorizationViewType {
  const expired = r.status === 'open' && new Date(r.expires_at) <= now;
  return {
    id: r.id,
    bin: r.bin,
    iin: r.iin,
    roles: r.roles,
    authorizedBy: r.authorized_by,
    authorizedAt: new Date(r.authorized_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    status: expired ? 'expired' : r.status,
    closedAt: r.closed_at ? new Date(r.closed_at).toISOString() : null,
    applicationId: r.application_id,
    pairId: r.pair_id,
    next: r.status === 'open' && !expired ? howToApply(r.bin) : null,
  };
}

/**
 * The organization's side of employee certificates. HR (or the head) authorizes a pair for a
 * current employee, with the employment's roles, for a few days; it never sends key material.
 * The employee applies to the CA and proves who they are; the CA asks here (the
 * EmployeeAuthorizations port) whether the (BIN, IIN) is authorized, and reports the pair issued.
 */
export class EmployeeCertificates implements EmployeeAuthorizations {
  private readonly employments: EmploymentsRepository;
  private readonly authorizations: EmployeeAuthorizationsRepository;
  private readonly organizations: OrganizationsRepository;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly holdings: CertificateHoldings,
  ) {
    this.employments = new EmploymentsRepository(db);
    this.authorizations = new EmployeeAuthorizationsRepository(db);
    this.organizations = new OrganizationsRepository(db);
  }

  async authorize(bin: string, iin: string, input: AuthorizationCreateInput, authorizedBy: string): Promise<AuthorizationViewType> {
    return this.db.transaction().execute(async (trx) => {
      const now = new Date();
      // The employment row is locked: racing authorizations for one employee create one.
      const row = await this.employments.inForce(bin, iin, now, { executor: trx, lock: true });
      if (!row) throw AppError.notFound('EMPLOYEE_NOT_EMPLOYED', `${iin} is not currently employed by ${bin}: record the employment first (PUT /v1/orgs/${bin}/employees/${iin})`);
      const active = await this.holdings.unrevokedOf(iin, bin, trx, now);
      if (active.length > 0) {
        throw AppError.conflict('EMPLOYEE_CERTIFICATE_ACTIVE', `${iin} already holds an active certificate pair of ${bin}: revoke it before authorizing another`, {
          serials: active.map((c) => c.serial),
        });
      }
      await this.authorizations.withdrawExpired(trx, bin, iin, now);
      const open = await this.authorizations.openId(trx, bin, iin);
      if (open) {
        throw AppError.conflict('EMPLOYEE_AUTHORIZATION_OPEN', `${iin} already has an open authorization (${open}): the employee applies under it, or withdraw it first`, { id: open });
      }
      const employment = toEmployment(row);
      const inserted = await this.authorizations.insert(trx, {
        id: randomUUID(),
        bin,
        iin,
        employment_id: employment.id,
        roles: rolesOf(employment),
        authorized_by: authorizedBy,
        authorized_at: now,
        expires_at: new Date(now.getTime() + (input.validDays ?? 7) * DAY),
      });
      return present(inserted as AuthorizationRow, now);
    });
  }

  async withdraw(bin: string, iin: string, id: string): Promise<AuthorizationViewType> {
    const now = new Date();
    const row = await this.authorizations.withdraw(bin, iin, id, now);
    if (row) return present(row as AuthorizationRow, now);
    const status = await this.authorizations.statusOf(bin, iin, id);
    if (!status) throw AppError.notFound('AUTHORIZATION_NOT_FOUND', `No authorization ${id} for ${iin} at ${bin}`);
    throw AppError.conflict('AUTHORIZATION_CLOSED', `Authorization ${id} is already ${status}`);
  }

  /** The employee's authorizations, newest first. */
  async authorizationsOf(bin: string, iin: string): Promise<AuthorizationViewType[]> {
    const now = new Date();
    const rows = await this.authorizations.of(bin, iin);
    return rows.map((r) => present(r as AuthorizationRow, now));
  }

  /** Who authorized the pairs issued to the employee, newest first. */
  async requestsOf(bin: string, iin: string) {
    const rows = await this.authorizations.requestsOf(bin, iin);
    return rows.map((r) => ({ pairId: r.pair_id, roles: r.roles, requestedBy: r.requested_by, requestedAt: new Date(r.requested_at).toISOString() }));
  }

  // The EmployeeAuthorizations port, asked by the CA.

  async isEnrolled(bin: string): Promise<boolean> {
    return this.organizations.isEnrolled(bin);
  }

  async openFor(bin: string, iin: string, trx?: Transaction<DB>): Promise<EmployeeAuthorization | null> {
    const row = await this.authorizations.openFor(bin, iin, new Date(), trx);
    return row ? { id: row.id, bin: row.bin, iin: row.iin, organization: row.name, roles: row.roles as EmployeeRole[], expiresAt: new Date(row.expires_at) } : null;
  }

  async use(trx: Transaction<DB>, authorization: EmployeeAuthorization, issued: { applicationId: string; pairId: string }): Promise<void> {
    const used = await this.authorizations.markUsed(trx, authorization.id, issued, new Date());
    if (!used) throw AppError.conflict('EMPLOYEE_AUTHORIZATION_GONE', 'The authorization was used or withdrawn meanwhile: ask HR to authorize again');
    // The organization's record of who had each pair made for whom.
    await this.authorizations.recordRequest(trx, { pair_id: issued.pairId, bin: authorization.bin, iin: authorization.iin, employment_id: Number(used.employment_id), roles: authorization.roles, requested_by: used.authorized_by });
  }

  async organizationName(bin: string, trx?: Transaction<DB>): Promise<string | null> {
    // Inside the issuing transaction when given: the embedded database has one connection.
    if (trx) return this.organizations.nameInTransaction(bin, trx);
    return (await this.organizations.nameOf(bin)) ?? null;
  }

  recordHead(trx: Transaction<DB>, head: ProvenHead): Promise<void> {
    return new EmploymentService(this.db).recordHead(trx, head);
  }

  async employedNow(bin: string, iin: string, trx?: Transaction<DB>): Promise<boolean> {
    return this.employments.isInForce(bin, iin, new Date(), trx);
  }
}
