import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../../db/types.js';
import { AppError } from '../../../errors/app-error.js';
import type { FaceMatch } from './face-match.js';
import { CaptureSeal } from './proofing-capture-seal.js';

/** What the person is asked to do in front of the camera, one frame each. */
export const LIVENESS_PROMPTS = ['turn-left', 'turn-right', 'blink', 'smile', 'look-up'] as const;
export type LivenessPrompt = (typeof LIVENESS_PROMPTS)[number];
/** Prompts per challenge: enough that a recording made for another challenge rarely fits. */
const PROMPTS_PER_CHALLENGE = 3;
const CHALLENGE_MINUTES = 10;
export const FRAME_MAX_BYTES = 600 * 1024;
export const ID_PHOTO_MAX_BYTES = 2 * 1024 * 1024;

type ImageType = 'image/jpeg' | 'image/png';

/** What the server keeps of the capture secret a submission returns. */
export function captureSecretHash(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** The type the bytes say, whatever the sender claims. */
function imageTypeOf(bytes: Buffer): ImageType | null {
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length > 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return null;
}

function decodeImage(text: string, what: string, max: number): { bytes: Buffer; type: ImageType } {
  const body = text.replace(/^data:image\/[a-z]+;base64,/, '');
  if (!/^[A-Za-z0-9+/=\s]+$/.test(body)) throw AppError.badRequest('CAPTURE_MALFORMED', `${what} is not base64`);
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length > max) throw new AppError('too_large', 'CAPTURE_TOO_LARGE', `${what} is larger than ${Math.round(max / 1024)} KiB: take a smaller picture`);
  const type = imageTypeOf(bytes);
  if (!type) throw new AppError('unsupported_media', 'CAPTURE_NOT_AN_IMAGE', `${what} is not a JPEG or PNG picture`);
  return { bytes, type };
}

export interface CaptureInput {
  code: string;
  idPhoto: string;
  frames: { prompt: string; image: string }[];
}

interface SealedImages {
  idPhoto: { type: ImageType; data: string };
  frames: { prompt: string; type: ImageType; data: string }[];
}

export interface CaptureForReview {
  prompts: string[];
  capturedAt: string;
  idPhoto: { mediaType: ImageType; data: string };
  frames: { prompt: string; mediaType: ImageType; data: string }[];
  faceMatch: { score: number | null; liveness: string | null; provider: string | null; testDouble: boolean };
}

/** Which applications a capture may be given to, and who they are (the CA's own table). */
type CapturableApplication = { id: string; iin: string; id_document_number: string | null; status: string; capture_secret_sha256: Buffer | null };

/**
 * The browser's identity proofing: a liveness challenge per application (prompts in a random
 * order and a code), one capture answering it (an ID photo and one live frame per prompt),
 * its face-match score, and the operator's view of it. A live frame accepted once is refused
 * for any other application (CAPTURE_REPLAYED).
 */
export class ProofingCaptures {
  private readonly seal: CaptureSeal;
  constructor(
    private readonly db: Kysely<DB>,
    pseudonymKey: Buffer,
    /** Replaceable, like identity proofing: the default is the test double (face-match.ts says why). */
    public faceMatch: FaceMatch,
  ) {
    this.seal = new CaptureSeal(pseudonymKey);
  }

  private async application(id: string): Promise<CapturableApplication> {
    const row = await this.db.selectFrom('certificate_applications').select(['id', 'iin', 'id_document_number', 'status', 'capture_secret_sha256']).where('id', '=', id).executeTakeFirst();
    if (!row) throw AppError.notFound('APPLICATION_NOT_FOUND', `No certificate application ${id}`);
    return row;
  }

  /**
   * Only the browser that submitted the application gives its pictures: it holds the secret the
   * submission returned. Checked before anything is written; an application submitted before the
   * secret existed has none and is proofed in person.
   */
  private static requireSecret(row: CapturableApplication, secret: string | undefined) {
    if (!secret) throw AppError.unauthorized('CAPTURE_SECRET_MISSING', 'Send the captureSecret the submission returned, in the Qorgau-Capture-Secret header');
    const expected = row.capture_secret_sha256 ? Buffer.from(row.capture_secret_sha256) : null;
    if (!expected || !timingSafeEqual(captureSecretHash(secret), expected)) {
      throw AppError.forbidden('CAPTURE_SECRET_MISMATCH', 'This is not the secret given when this application was submitted');
    }
  }

  private static requireCapturable(row: CapturableApplication) {
    if (row.status !== 'pending_review') throw AppError.conflict('APPLICATION_NOT_PENDING', `Application ${row.id} is not waiting for review (it is ${row.status.replace('_', ' ')})`);
    if (row.id_document_number === null) throw AppError.conflict('CAPTURE_NOT_NEEDED', `Application ${row.id} was signed with the applicant's own certificate`);
  }

  /** A new challenge; it replaces an unanswered one. A capture, once given, is final. */
  async challenge(applicationId: string, secret: string | undefined): Promise<{ prompts: LivenessPrompt[]; code: string; expiresAt: string }> {
    const row = await this.application(applicationId);
    ProofingCaptures.requireSecret(row, secret);
    ProofingCaptures.requireCapturable(row);
    const pool = [...LIVENESS_PROMPTS];
    const prompts: LivenessPrompt[] = [];
    while (prompts.length < PROMPTS_PER_CHALLENGE) prompts.push(pool.splice(randomInt(pool.length), 1)[0]);
    const code = String(randomInt(1_000_000)).padStart(6, '0');
    const expiresAt = new Date(Date.now() + CHALLENGE_MINUTES * 60_000);
    const values = { prompts: JSON.stringify(prompts), code, challenge_expires_at: expiresAt };
    const written = await this.db
      .insertInto('proofing_captures')
      .values({ application_id: applicationId, ...values })
      .onConflict((oc) => oc.column('application_id').doUpdateSet(values).where('proofing_captures.captured_at', 'is', null))
      .executeTakeFirst();
    if (Number(written.numInsertedOrUpdatedRows ?? 0) === 0) throw AppError.conflict('CAPTURE_ALREADY_GIVEN', `Application ${applicationId} already has its capture`);
    return { prompts, code, expiresAt: expiresAt.toISOString() };
  }

  /** The capture answering the challenge: checked, scored, sealed and stored in one transaction. */
  async capture(applicationId: string, secret: string | undefined, input: CaptureInput): Promise<{ capturedAt: string }> {
    const row = await this.application(applicationId);
    ProofingCaptures.requireSecret(row, secret);
    ProofingCaptures.requireCapturable(row);
    const challenge = await this.db.selectFrom('proofing_captures').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
    if (!challenge) throw AppError.conflict('CAPTURE_NO_CHALLENGE', 'Ask for a liveness challenge first (POST /v1/pki/applications/{id}/liveness-challenge)');
    if (challenge.captured_at) throw AppError.conflict('CAPTURE_ALREADY_GIVEN', `Application ${applicationId} already has its capture`);
    if (new Date(challenge.challenge_expires_at).getTime() < Date.now()) throw AppError.conflict('CAPTURE_CHALLENGE_EXPIRED', 'The liveness challenge has expired: ask for a new one');
    if (input.code !== challenge.code) throw AppError.unprocessable('CAPTURE_CODE_MISMATCH', 'The code is not the one given with this challenge');
    const prompts = JSON.parse(challenge.prompts) as string[];
    if (input.frames.length !== prompts.length || input.frames.some((f, i) => f.prompt !== prompts[i])) {
      throw AppError.unprocessable('CAPTURE_PROMPTS_MISMATCH', `One frame per prompt is needed, in the order given: ${prompts.join(', ')}`);
    }
    const idPhoto = decodeImage(input.idPhoto, 'The ID photo', ID_PHOTO_MAX_BYTES);
    const frames = input.frames.map((f, i) => ({ prompt: f.prompt, ...decodeImage(f.image, `Frame ${i + 1}`, FRAME_MAX_BYTES) }));
    const hashes = frames.map((f) => createHash('sha256').update(f.bytes).digest());
    if (new Set(hashes.map((h) => h.toString('hex'))).size !== hashes.length) {
      throw AppError.unprocessable('CAPTURE_FRAMES_IDENTICAL', 'The frames are the same picture: each prompt needs its own frame from the camera');
    }
    const result = await this.faceMatch.compare({
      applicationId,
      iin: row.iin,
      idDocumentNumber: row.id_document_number!,
      idPhoto: idPhoto.bytes,
      frames: frames.map((f) => ({ prompt: f.prompt, image: f.bytes })),
    });
    const images: SealedImages = {
      idPhoto: { type: idPhoto.type, data: idPhoto.bytes.toString('base64') },
      frames: frames.map((f) => ({ prompt: f.prompt, type: f.type, data: f.bytes.toString('base64') })),
    };
    const capturedAt = new Date();
    await this.db.transaction().execute(async (trx) => {
      // A camera never gives the same bytes twice: a frame already accepted is a replay.
      const seen = await trx.insertInto('proofing_capture_frames').values(hashes.map((sha256) => ({ sha256, application_id: applicationId }))).onConflict((oc) => oc.column('sha256').doNothing()).executeTakeFirst();
      if (Number(seen.numInsertedOrUpdatedRows ?? 0) !== hashes.length) {
        throw AppError.conflict('CAPTURE_REPLAYED', 'These frames were already given for an application: take new ones with the camera');
      }
      const updated = await trx
        .updateTable('proofing_captures')
        .set({
          captured_at: capturedAt,
          images: this.seal.seal(applicationId, Buffer.from(JSON.stringify(images))),
          face_match_score: result.score,
          face_match_provider: this.faceMatch.name,
          liveness: result.liveness,
        })
        .where('application_id', '=', applicationId)
        .where('captured_at', 'is', null)
        .where('code', '=', challenge.code)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) throw AppError.conflict('CAPTURE_ALREADY_GIVEN', `Application ${applicationId} already has its capture`);
    });
    return { capturedAt: capturedAt.toISOString() };
  }

  /** Whether an application has its capture: the approval of a remote proofing needs one. */
  async capturedAt(applicationId: string, trx: Kysely<DB> = this.db): Promise<Date | null> {
    const row = await trx.selectFrom('proofing_captures').select('captured_at').where('application_id', '=', applicationId).executeTakeFirst();
    return row?.captured_at ? new Date(row.captured_at) : null;
  }

  /** The summaries the review queue shows. */
  async summaries(applicationIds: string[]) {
    if (applicationIds.length === 0) return new Map<string, { capturedAt: string; faceMatchScore: number | null; faceMatchProvider: string | null; testDouble: boolean }>();
    const rows = await this.db
      .selectFrom('proofing_captures')
      .select(['application_id', 'captured_at', 'face_match_score', 'face_match_provider'])
      .where('application_id', 'in', applicationIds)
      .where('captured_at', 'is not', null)
      .execute();
    return new Map(
      rows.map((r) => [
        r.application_id,
        {
          capturedAt: new Date(r.captured_at!).toISOString(),
          faceMatchScore: r.face_match_score,
          faceMatchProvider: r.face_match_provider,
          testDouble: r.face_match_provider === 'test-double',
        },
      ]),
    );
  }

  /** The pictures, opened for the operator reviewing the application; the opening is recorded (who, when). */
  async forReview(applicationId: string, viewer: string): Promise<CaptureForReview> {
    await this.application(applicationId);
    const row = await this.db.selectFrom('proofing_captures').selectAll().where('application_id', '=', applicationId).executeTakeFirst();
    if (!row?.captured_at) throw AppError.notFound('CAPTURE_NOT_FOUND', `Application ${applicationId} has no capture`);
    if (!row.images) throw AppError.notFound('CAPTURE_PURGED', `The pictures of application ${applicationId} were deleted after the retention period`);
    // Recorded before the pictures are opened: no view goes unrecorded.
    await this.db.insertInto('proofing_capture_views').values({ application_id: applicationId, viewer }).execute();
    const images = JSON.parse(this.seal.open(applicationId, Buffer.from(row.images)).toString('utf8')) as SealedImages;
    return {
      prompts: JSON.parse(row.prompts) as string[],
      capturedAt: new Date(row.captured_at).toISOString(),
      idPhoto: { mediaType: images.idPhoto.type, data: images.idPhoto.data },
      frames: images.frames.map((f) => ({ prompt: f.prompt, mediaType: f.type, data: f.data })),
      faceMatch: { score: row.face_match_score, liveness: row.liveness, provider: row.face_match_provider, testDouble: row.face_match_provider === 'test-double' },
    };
  }

  /** Who opened applicants' pictures, newest first (of one application, or of all). */
  async views(query: { applicationId?: string; limit: number }): Promise<{ items: { applicationId: string; viewer: string; viewedAt: string }[] }> {
    let q = this.db.selectFrom('proofing_capture_views').select(['application_id', 'viewer', 'viewed_at']).orderBy('viewed_at', 'desc').orderBy('id', 'desc').limit(query.limit);
    if (query.applicationId) q = q.where('application_id', '=', query.applicationId);
    const rows = await q.execute();
    return { items: rows.map((r) => ({ applicationId: r.application_id, viewer: r.viewer, viewedAt: new Date(r.viewed_at).toISOString() })) };
  }

  /**
   * Deletes the pictures of applications decided more than `retentionDays` ago (the scores, the
   * decision and the frames' fingerprints stay). Returns how many captures were purged.
   */
  async purgeDecided(retentionDays: number, now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - retentionDays * 86_400_000);
    const result = await this.db
      .updateTable('proofing_captures')
      .set({ images: null, purged_at: now })
      .where('images', 'is not', null)
      .where('application_id', 'in', (qb) => qb.selectFrom('certificate_applications').select('id').where('decided_at', 'is not', null).where('decided_at', '<', before))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
