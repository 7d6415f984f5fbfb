import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import { canonicalJson } from '../trust/index.js';
import { AssessmentsRepository } from './assessments.repository.js';
import { checkRegion } from './demographics.js';
import { LANGUAGES, type Text } from './items.js';
import { VolunteersRepository } from './volunteers.repository.js';

/** Training a digital volunteer goes through, each recorded by center staff. */
export const VOLUNTEER_MODULES: Record<string, Text> = {
  'fraud-schemes': { kk: 'Алаяқтық схемалары және оларды тану', ru: 'Мошеннические схемы и как их распознать', en: 'Fraud schemes and how to recognize them' },
  'esign-and-egov': { kk: 'ЭЦҚ, eGov және QR арқылы кіру', ru: 'ЭЦП, eGov и вход по QR', en: 'E-signature, eGov and QR sign-in' },
  'helping-older-people': { kk: 'Егде адамдарға құрметпен көмектесу', ru: 'Как помогать пожилым людям с уважением', en: 'Helping older people with respect' },
  'reporting-fraud': { kk: 'Жәбірленушінің атынан алаяқтық туралы хабарлау', ru: 'Как подать сообщение о мошенничестве от имени пострадавшего', en: 'Reporting fraud on a victim\'s behalf' },
};

/** The assessment a volunteer must pass: a good overall score, at least basic everywhere, strong on safety. */
export const VOLUNTEER_PASS = { score: 70, safety: 0.8 };

/** Signs canonical JSON as CMS SignedData with the platform's certificate (a port: the CA does the signing). */
export type SignDocument = (content: Uint8Array) => Promise<Buffer>;

export interface VolunteerApplication {
  region: string;
  languages: string[];
  motivation: string;
}

/** Volunteers' commands: apply, complete modules, receive the signed certificate of completion. */
export class VolunteersService {
  readonly repository: VolunteersRepository;
  private readonly assessments: AssessmentsRepository;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly signDocument: SignDocument | undefined,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.repository = new VolunteersRepository(db);
    this.assessments = new AssessmentsRepository(db);
  }

  async apply(personHash: Buffer, displayName: string, application: VolunteerApplication) {
    const region = checkRegion(application.region);
    const unknown = application.languages.filter((l) => !(LANGUAGES as readonly string[]).includes(l));
    if (unknown.length || application.languages.length === 0) {
      throw AppError.badRequest('LITERACY_LANGUAGE_UNKNOWN', `Languages are one or more of ${LANGUAGES.join(', ')}`);
    }
    const created = await this.repository.insert({
      id: randomUUID(),
      person_hash: personHash,
      display_name: displayName,
      region,
      languages: [...new Set(application.languages)],
      motivation: application.motivation,
    });
    if (!created) throw AppError.conflict('LITERACY_ALREADY_APPLIED', 'You have already applied to volunteer; see GET /v1/literacy/volunteers/me');
    return this.status(personHash);
  }

  async status(personHash: Buffer) {
    const volunteer = await this.repository.byPerson(personHash);
    if (!volunteer) throw AppError.notFound('LITERACY_NOT_A_VOLUNTEER', 'You have not applied to volunteer yet: POST /v1/literacy/volunteers');
    return this.statusOf(volunteer);
  }

  private async statusOf(volunteer: NonNullable<Awaited<ReturnType<VolunteersRepository['byId']>>>) {
    const [modules, best, certificate] = await Promise.all([
      this.repository.modules(volunteer.id),
      this.assessments.bestResultOf(volunteer.person_hash),
      this.repository.latestCertificate(volunteer.id),
    ]);
    const done = new Set(modules.map((m) => m.module));
    return {
      volunteer,
      modules: Object.keys(VOLUNTEER_MODULES).map((module) => ({ module, completedAt: modules.find((m) => m.module === module)?.completed_at ?? null })),
      remainingModules: Object.keys(VOLUNTEER_MODULES).filter((m) => !done.has(m)),
      passingResult: best && passes(best) ? best : null,
      certificate: certificate ?? null,
    };
  }

  async recordModule(volunteerId: string, module: string, recordedBy: string) {
    if (!(module in VOLUNTEER_MODULES)) {
      throw AppError.badRequest('LITERACY_MODULE_UNKNOWN', `"${module}" is not a training module; modules: ${Object.keys(VOLUNTEER_MODULES).join(', ')}`);
    }
    const volunteer = await this.repository.byId(volunteerId);
    if (!volunteer) throw AppError.notFound('LITERACY_VOLUNTEER_NOT_FOUND', 'No volunteer has this id');
    await this.repository.recordModule(volunteerId, module, recordedBy);
    return this.statusOf(volunteer);
  }

  /**
   * Issues the certificate of completion: canonical JSON describing the completion, signed as
   * CMS SignedData by the platform's certificate, so anyone can check it with `qorgau verify`,
   * POST /v1/signatures/verify or `openssl cms -verify` against Qorgau's root.
   */
  async issueCertificate(personHash: Buffer) {
    if (!this.signDocument) throw new AppError('unavailable', 'LITERACY_SIGNING_UNAVAILABLE', 'This instance has no CA to sign certificates of completion');
    const state = await this.status(personHash);
    if (state.remainingModules.length) {
      throw AppError.conflict('LITERACY_TRAINING_INCOMPLETE', `Complete these training modules at a center first: ${state.remainingModules.join(', ')}`);
    }
    if (!state.passingResult) {
      throw AppError.conflict(
        'LITERACY_ASSESSMENT_NOT_PASSED',
        `Pass an assessment while signed in first: a score of at least ${VOLUNTEER_PASS.score}, at least basic in every area and ${VOLUNTEER_PASS.safety * 100}% in safety`,
      );
    }
    const id = randomUUID();
    const issuedAt = this.clock();
    const result = state.passingResult;
    const document = canonicalJson({
      type: 'qorgau/volunteer-certificate-of-completion',
      version: 1,
      certificateId: id,
      volunteerId: state.volunteer.id,
      name: state.volunteer.display_name,
      region: state.volunteer.region,
      modules: state.modules.map((m) => ({ module: m.module, title: VOLUNTEER_MODULES[m.module].en, completedAt: new Date(m.completedAt!).toISOString() })),
      assessment: { id: result.assessment_id, bankVersion: result.version, score: Math.round(result.score * 10) / 10, safety: Math.round(result.safety * 1000) / 1000 },
      issuedAt: issuedAt.toISOString(),
      issuer: 'Qorgau digital literacy programme',
    });
    const cms = await this.signDocument(Buffer.from(document, 'utf8'));
    await this.repository.insertCertificate({ id, volunteer_id: state.volunteer.id, assessment_id: result.assessment_id, document, cms, issued_at: issuedAt });
    return { id, document, cms, issuedAt };
  }

  isTrained(personHash: Buffer): Promise<boolean> {
    return this.repository.isTrained(personHash);
  }
}

function passes(result: { score: number; all_basic: boolean; safety: number }): boolean {
  return result.score >= VOLUNTEER_PASS.score - 1e-9 && result.all_basic && result.safety >= VOLUNTEER_PASS.safety - 1e-9;
}
