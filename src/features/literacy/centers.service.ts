import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { AppError } from '../../errors/app-error.js';
import { CentersRepository } from './centers.repository.js';
import { checkLanguage, checkRegion } from './demographics.js';
import type { CenterBody } from './schema.js';

/** Center staff's commands: centers, sessions, enrolment and attendance. */
export class CentersService {
  readonly repository: CentersRepository;

  constructor(db: Kysely<DB>) {
    this.repository = new CentersRepository(db);
  }

  async create(body: CenterBody) {
    const region = checkRegion(body.region);
    body.languages.forEach(checkLanguage);
    const id = randomUUID();
    await this.repository.insert({ id, ...body, region, languages: [...new Set(body.languages)] });
    return (await this.repository.find(id))!;
  }

  async list(query: { region?: string; latitude?: number; longitude?: number }) {
    if (query.region) checkRegion(query.region);
    if ((query.latitude === undefined) !== (query.longitude === undefined)) throw AppError.badRequest('LITERACY_LOCATION_PARTIAL', 'Send both latitude and longitude, or neither');
    if (query.latitude !== undefined) return this.repository.nearest({ latitude: query.latitude, longitude: query.longitude! }, 10);
    return this.repository.list(query.region);
  }

  async addSession(centerId: string, body: { topic: string; language: string; startsAt: string; capacity: number }) {
    if (!(await this.repository.find(centerId))) throw AppError.notFound('LITERACY_CENTER_NOT_FOUND', 'No center has this id');
    const language = checkLanguage(body.language);
    const id = randomUUID();
    await this.repository.insertSession({ id, center_id: centerId, topic: body.topic, language, starts_at: new Date(body.startsAt), capacity: body.capacity });
    return (await this.repository.sessions(centerId)).find((s) => s.id === id)!;
  }

  async sessions(centerId: string) {
    if (!(await this.repository.find(centerId))) throw AppError.notFound('LITERACY_CENTER_NOT_FOUND', 'No center has this id');
    return this.repository.sessions(centerId);
  }

  async enrol(sessionId: string, personHash: Buffer) {
    const id = randomUUID();
    const outcome = await this.repository.enrol(sessionId, personHash, id);
    if (outcome === 'no-session') throw AppError.notFound('LITERACY_SESSION_NOT_FOUND', 'No session has this id');
    if (outcome === 'already') throw AppError.conflict('LITERACY_ALREADY_ENROLLED', 'You are already enrolled in this session');
    if (outcome === 'full') throw AppError.conflict('LITERACY_SESSION_FULL', 'This session is full; choose another session of the center');
    return { enrolmentId: id, sessionId };
  }

  /** Records attendance for all the given enrolments or, when one is not of this session, for none. */
  async recordAttendance(sessionId: string, enrolmentIds: string[], attended: boolean) {
    const ids = [...new Set(enrolmentIds)];
    const known = new Set((await this.repository.enrolmentsOf(sessionId)).map((e) => e.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) throw AppError.unprocessable('LITERACY_ENROLMENT_UNKNOWN', `Not enrolments of this session: ${unknown.join(', ')}; nothing was recorded`);
    await this.repository.recordAttendance(sessionId, ids, attended);
    return this.repository.enrolmentsOf(sessionId);
  }
}
