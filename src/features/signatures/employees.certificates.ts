import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import type { CaHierarchy } from '../ca/index.js';
import { assertCsrSubjectMatches, checkCsr, decodeCsrText } from '../ca/index.js';
import { CertificateIssuer } from '../ca/index.js';
import type { CertificateHoldings } from '../ca/index.js';
import type { EmployeeRole } from '../ca/index.js';
import type { EmployeeCertificateRequestInput } from './employees.schema.js';
import type { Employment } from './employees.service.js';
import { toEmployment } from './employees.service.js';

function pem(der: Uint8Array): string {
  return `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

/** The roles an employee certificate carries, from the employment record. */
export function rolesOf(employment: Employment): EmployeeRole[] {
  const roles: EmployeeRole[] = ['employee'];
  if (employment.roles.maySign) roles.push('may-sign');
  if (employment.roles.maySignFinancial) roles.push('may-sign-financial');
  if (employment.roles.hr) roles.push('hr');
  return roles;
}

/**
 * HR requests an AUTH/SIGN pair for a named employee. The certificate is bound to
 * (BIN, employee IIN): the subject is built from the employment record's IIN, and both CSRs
 * must already name that IIN, so HR cannot obtain a certificate naming anyone else. One
 * active pair per employee per organization: the employment row is locked while checking.
 */
export class EmployeeCertificates {
  private readonly issuer: CertificateIssuer;

  constructor(
    private readonly db: Kysely<DB>,
    hierarchy: CaHierarchy,
    publicUrl: string,
    private readonly holdings: CertificateHoldings,
  ) {
    this.issuer = new CertificateIssuer(db, hierarchy, publicUrl);
  }

  async request(bin: string, organizationName: string, iin: string, input: EmployeeCertificateRequestInput, requestedBy: string) {
    const auth = await checkCsr(decodeCsrText(input.authCsr, 'authCsr'), 'authCsr');
    const sign = await checkCsr(decodeCsrText(input.signCsr, 'signCsr'), 'signCsr');
    if (auth.spki.equals(sign.spki)) throw AppError.unprocessable('CSR_SAME_KEY', 'The AUTH and SIGN requests must use two different keys');

    return this.db.transaction().execute(async (trx) => {
      const now = new Date();
      const row = await trx
        .selectFrom('employments')
        .selectAll()
        .where('bin', '=', bin)
        .where('iin', '=', iin)
        .where('started_at', '<=', now)
        .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', now)]))
        .orderBy('started_at', 'desc')
        .limit(1)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw AppError.notFound('EMPLOYEE_NOT_EMPLOYED', `${iin} is not currently employed by ${bin}: record the employment first (PUT /v1/orgs/${bin}/employees/${iin})`);
      const employment = toEmployment(row);
      const surname = input.surname?.trim() ?? employment.surname;
      const givenName = input.givenName?.trim() ?? employment.givenName;
      if (!surname || !givenName) throw AppError.badRequest('EMPLOYEE_NAME_REQUIRED', 'Give the surname and given name (or record them on the employment)');
      if ([...`${surname} ${givenName}`].length > 64) throw AppError.unprocessable('NAME_TOO_LONG', 'Surname and given name together must fit the 64 characters of a certificate CN');
      // The CSRs must name the employee: a key pair made for someone else is refused.
      assertCsrSubjectMatches(auth, 'authCsr', { iin, surname, givenName });
      assertCsrSubjectMatches(sign, 'signCsr', { iin, surname, givenName });

      const active = await this.holdings.unrevokedOf(iin, bin, trx, now);
      if (active.length > 0) {
        throw AppError.conflict('EMPLOYEE_CERTIFICATE_ACTIVE', `${iin} already holds an active certificate pair of ${bin}: revoke it before requesting another`, {
          serials: active.map((c) => c.serial),
        });
      }
      const roles = rolesOf(employment);
      const pair = await this.issuer.issuePair(
        {
          holder: 'employee',
          person: { iin, surname, givenName, patronymic: (input.patronymic ?? employment.patronymic) || undefined, organization: organizationName, bin },
          authKey: auth.spki,
          signKey: sign.spki,
          // HR identifies its own employee in person.
          proofing: 'in-person',
          employeeRoles: roles,
        },
        trx,
      );
      await trx.insertInto('employee_certificate_requests').values({ pair_id: pair.pairId, bin, iin, employment_id: employment.id, roles, requested_by: requestedBy }).execute();
      return {
        pairId: pair.pairId,
        roles,
        certificates: (['auth', 'sign'] as const).map((kind) => ({ kind, serial: pair[kind].serial, notAfter: pair[kind].notAfter.toISOString(), pem: pem(pair[kind].der) })),
      };
    });
  }

  /** Who requested the employee's pairs, newest first. */
  async requestsOf(bin: string, iin: string) {
    const rows = await this.db
      .selectFrom('employee_certificate_requests')
      .select(['pair_id', 'roles', 'requested_by', 'requested_at'])
      .where('bin', '=', bin)
      .where('iin', '=', iin)
      .orderBy('requested_at', 'desc')
      .execute();
    return rows.map((r) => ({ pairId: r.pair_id, roles: r.roles, requestedBy: r.requested_by, requestedAt: new Date(r.requested_at).toISOString() }));
  }
}
