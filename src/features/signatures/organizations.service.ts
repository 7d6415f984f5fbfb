import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import { checkBin } from '../../identifiers/bin.js';
import { checkIin } from '../../identifiers/iin.js';
import { actorLabel, type OrgActor } from './organizations.auth.js';
import type { EnrolmentInput, OrganizationViewType } from './organizations.schema.js';
import { FIRST_HEAD_POSITION } from './employees.service.js';
import { createHrCredential, listHrCredentials, revokeHrCredential } from './organizations.credentials.js';
import { OrganizationsRepository } from './organizations.repository.js';
import { EmploymentsRepository } from './employments.repository.js';

/** What an actor wants to do with an organization. */
export type OrgAction = 'administer' | 'manage-credentials';

export function requireValidBin(bin: string): void {
  const check = checkBin(bin);
  if (!check.ok) throw AppError.badRequest(check.problem, check.message);
}

export function requireValidIin(iin: string): void {
  const check = checkIin(iin);
  if (!check.ok) throw AppError.badRequest(check.problem, check.message);
}

/**
 * Enrolled organizations and who may administer them: the first head (.2.1) and HR staff
 * (.2.4) whose Qorgau employee certificate carries the BIN, the organization's HR system for
 * its own BIN, and admin operators.
 */
export class OrganizationsService {
  private readonly organizations: OrganizationsRepository;
  private readonly employments: EmploymentsRepository;

  constructor(private readonly db: Kysely<DB>, private readonly readDb: Kysely<DB> = db) {
    this.organizations = new OrganizationsRepository(db, readDb);
    this.employments = new EmploymentsRepository(db, readDb);
  }

  async enrol(input: EnrolmentInput, actor: OrgActor): Promise<OrganizationViewType> {
    requireValidBin(input.bin);
    if (actor.kind === 'hr-system') throw AppError.forbidden('ORG_FORBIDDEN', 'An HR system cannot enrol an organization');
    if (actor.kind === 'person' && !(actor.bin === input.bin && actor.roles.includes('first-head'))) {
      throw AppError.forbidden('ORG_ENROL_FORBIDDEN', `Only the first head of ${input.bin}, signed in with an employee certificate carrying that BIN, may enrol it`);
    }
    await this.db.transaction().execute(async (trx) => {
      if (!(await this.organizations.enrol({ bin: input.bin, name: input.name.trim(), enrolled_by: actorLabel(actor) }, trx))) {
        throw AppError.conflict('ORG_ALREADY_ENROLLED', `Organization ${input.bin} is already enrolled`);
      }
      // The head who enrols is the organization's first employee record: in the staff list, under termination and staff sync like anyone.
      if (actor.kind === 'person') {
        await this.employments.insert(trx, {
          bin: input.bin,
          iin: actor.iin,
          position: FIRST_HEAD_POSITION,
          first_head: true,
          surname: actor.names.surname,
          given_name: actor.names.givenName,
          patronymic: actor.names.patronymic,
          started_at: new Date(),
          ended_by: null,
          end_reason: null,
        });
      }
    });
    return this.view(input.bin);
  }

  /** Whether the organization is enrolled: then its employees' certificates go through its HR. */
  async isEnrolled(bin: string): Promise<boolean> {
    return this.organizations.isEnrolled(bin);
  }

  async view(bin: string): Promise<OrganizationViewType> {
    requireValidBin(bin);
    const row = await this.organizations.withHeadCount(bin, new Date());
    if (!row) throw AppError.notFound('ORG_NOT_ENROLLED', `Organization ${bin} is not enrolled`);
    return { bin: row.bin, name: row.name, enrolledAt: new Date(row.enrolled_at).toISOString(), currentEmployees: Number(row.current_employees ?? 0) };
  }

  async nameOf(bin: string): Promise<string> {
    const name = await this.organizations.nameOf(bin);
    if (name === undefined) throw AppError.notFound('ORG_NOT_ENROLLED', `Organization ${bin} is not enrolled`);
    return name;
  }

  /**
   * Refuses unless the actor may act on the organization: a bad BIN is 400, one not enrolled
   * 404, someone else's organization 403. Returns the organization's name.
   */
  async authorize(actor: OrgActor | null, bin: string, action: OrgAction = 'administer'): Promise<string> {
    requireValidBin(bin);
    if (!actor) throw AppError.unauthorized('AUTH_REQUIRED', 'Sign in first');
    const name = await this.nameOf(bin);
    if (actor.kind === 'operator') return name;
    if (actor.kind === 'hr-system') {
      if (actor.bin !== bin) throw AppError.forbidden('ORG_FORBIDDEN', `This HR-system credential belongs to another organization, not ${bin}`);
      if (action === 'manage-credentials') throw AppError.forbidden('ORG_FORBIDDEN', 'An HR system cannot manage credentials');
      return name;
    }
    if (actor.bin !== bin) throw AppError.forbidden('ORG_FORBIDDEN', `Your certificate is not one of ${bin}'s employees: you cannot administer it`);
    const allowed = action === 'manage-credentials' ? ['first-head'] : ['first-head', 'hr'];
    if (!(await this.rolesOf(actor, bin)).some((r) => allowed.includes(r))) {
      throw AppError.forbidden('ORG_ROLE_REQUIRED', `This needs a certificate with the role ${allowed.join(' or ')} of ${bin}`);
    }
    return name;
  }

  /**
   * What a person may do for the organization: the roles their certificate of the BIN carries,
   * and those the organization's record of their current employment gives (HR granted by the
   * head, the first head recorded at enrolment), so a role granted later needs no new pair.
   * The record counts only with a certificate of the same BIN: it adds roles, never a BIN.
   */
  async rolesOf(actor: OrgActor, bin: string): Promise<string[]> {
    if (actor.kind !== 'person' || actor.bin !== bin) return [];
    // From the primary: a role just granted or taken off counts at once.
    const record = await this.employments.inForce(bin, actor.iin, new Date());
    const roles = new Set(actor.roles);
    if (record?.hr) roles.add('hr');
    if (record?.first_head) roles.add('first-head');
    return [...roles];
  }

  /** Whether the actor acts as the organization's first head (or is an admin operator). */
  async isHead(actor: OrgActor, bin: string): Promise<boolean> {
    return actor.kind === 'operator' || (await this.rolesOf(actor, bin)).includes('first-head');
  }

  createCredential(bin: string, name: string) {
    return createHrCredential(this.db, bin, name);
  }

  async credentials(bin: string) {
    return (await listHrCredentials(this.readDb, bin)).map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: new Date(r.created_at).toISOString(),
      revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
      lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
    }));
  }

  async revokeCredential(bin: string, id: string): Promise<void> {
    if (!(await revokeHrCredential(this.db, bin, id))) throw AppError.notFound('CREDENTIAL_NOT_FOUND', `No active credential ${id} of ${bin}`);
  }
}
