import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, getTestDatabase } from '../../../../test/helpers/test-database.js';
import { buildOperatorToken } from '../../../../test/helpers/factories.js';
import { applicationBody, buildCsrPair, buildJpeg, buildPerson, captureBody, giveCapture } from '../../../../test/helpers/pki-factories.js';
import { OperatorReviewProofing } from './identity-proofing.js';
import { FaceMatchTestDouble } from './face-match.js';
import { CaptureSeal } from './proofing-capture-seal.js';
import { LIVENESS_PROMPTS } from './proofing-captures.js';
import { createApiToken } from '../../../auth/api-tokens.js';

let app: FastifyInstance;
let operatorToken: string;

beforeAll(async () => {
  app = await buildTestApp();
  const { database } = await getTestDatabase();
  operatorToken = await buildOperatorToken(database.db, 'ca-operator');
  app.certificateApplications!.proofing = new OperatorReviewProofing();
});
afterAll(async () => {
  await app.close();
});

const operator = () => ({ authorization: `Bearer ${operatorToken}` });
type Reply = { statusCode: number; headers: Record<string, unknown>; json: () => any };
function problem(res: Reply, status: number, code: string) {
  expect(res.json()).toMatchObject({ status, code });
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

/** The secret each application's submission returned, as the applicant's browser keeps it. */
const secrets = new Map<string, string>();
async function apply(person = buildPerson()): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, await buildCsrPair(person)) });
  expect(res.json()).toMatchObject({ status: 'pending_review', captured: false });
  expect(res.json().captureSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  secrets.set(res.json().id, res.json().captureSecret);
  return res.json().id;
}
const withSecret = (id: string, secret = secrets.get(id)) => (secret === undefined ? {} : { 'qorgau-capture-secret': secret });
const challenge = async (id: string, secret?: string) => app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/liveness-challenge`, headers: withSecret(id, secret) });
const capture = async (id: string, payload: object, secret?: string) => app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/capture`, headers: withSecret(id, secret), payload });
const give = (id: string) => giveCapture(app, id, secrets.get(id)!);
const approve = async (id: string, payload: object = {}) => app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/approve`, headers: operator(), payload });

describe('remote identity proofing with the camera', () => {
  it('gives a challenge of prompts in a random order; the capture answering it reaches the operator, who approves', async () => {
    const id = await apply();
    const given = await challenge(id);
    expect(given.statusCode).toBe(201);
    const { prompts, code } = given.json();
    expect(prompts).toHaveLength(3);
    expect(new Set(prompts).size).toBe(3);
    for (const p of prompts) expect(LIVENESS_PROMPTS).toContain(p);
    expect(code).toMatch(/^\d{6}$/);

    const body = captureBody(given.json());
    const received = await capture(id, body);
    expect(received.statusCode, received.body).toBe(201);
    expect((await app.inject(`/v1/pki/applications/${id}`)).json().captured).toBe(true);

    const queue = (await app.inject({ url: '/v1/pki/review-queue?limit=500', headers: operator() })).json();
    expect(queue.items.find((i: { id: string }) => i.id === id).capture).toMatchObject({ faceMatchScore: 0.5, faceMatchProvider: 'test-double', testDouble: true });

    problem(await app.inject(`/v1/pki/applications/${id}/capture`), 401, 'AUTH_REQUIRED');
    const seen = await app.inject({ url: `/v1/pki/applications/${id}/capture`, headers: operator() });
    expect(seen.statusCode).toBe(200);
    expect(seen.headers['cache-control']).toBe('no-store');
    expect(seen.json()).toMatchObject({ prompts, idPhoto: { mediaType: 'image/jpeg', data: body.idPhoto }, faceMatch: { testDouble: true } });
    expect(seen.json().frames).toEqual(body.frames.map((f) => ({ prompt: f.prompt, mediaType: 'image/jpeg', data: f.image })));

    // Stored sealed: the database holds none of the picture's bytes.
    const { database } = await getTestDatabase();
    const row = await database.db.selectFrom('proofing_captures').select('images').where('application_id', '=', id).executeTakeFirstOrThrow();
    const idPhoto = Buffer.from(body.idPhoto, 'base64');
    expect(Buffer.from(row.images!).includes(idPhoto.subarray(4, 64))).toBe(false);

    const approved = await approve(id);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'issued', proofingMethod: 'remote', captured: true });
  });

  it('refuses a wrong code, prompts out of order, a picture that is not one, and a second capture', async () => {
    const id = await apply();
    problem(await capture(id, captureBody({ prompts: ['blink'], code: '000000' })), 409, 'CAPTURE_NO_CHALLENGE');
    const given = (await challenge(id)).json();
    problem(await capture(id, { ...captureBody(given), code: given.code === '123456' ? '654321' : '123456' }), 422, 'CAPTURE_CODE_MISMATCH');
    problem(await capture(id, captureBody({ ...given, prompts: [...given.prompts].reverse() })), 422, 'CAPTURE_PROMPTS_MISMATCH');
    problem(await capture(id, { ...captureBody(given), idPhoto: Buffer.from('%PDF-1.7 not a photo at all').toString('base64') }), 415, 'CAPTURE_NOT_AN_IMAGE');
    problem(await capture(id, { ...captureBody(given), idPhoto: 'not base64 !!!!!!!!' }), 400, 'CAPTURE_MALFORMED');
    const same = buildJpeg().toString('base64');
    problem(await capture(id, { ...captureBody(given), frames: given.prompts.map((prompt: string) => ({ prompt, image: same })) }), 422, 'CAPTURE_FRAMES_IDENTICAL');
    problem(await capture(id, { ...captureBody(given), frames: given.prompts.map((prompt: string) => ({ prompt, image: buildJpeg(700 * 1024).toString('base64') })) }), 400, 'VALIDATION_FAILED');
    expect((await capture(id, captureBody(given))).statusCode).toBe(201);
    problem(await capture(id, captureBody(given)), 409, 'CAPTURE_ALREADY_GIVEN');
    problem(await challenge(id), 409, 'CAPTURE_ALREADY_GIVEN');
  });

  it('refuses a challenge or capture for an application already decided', async () => {
    const id = await apply();
    await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/reject`, headers: operator(), payload: { reason: 'The documents were not readable' } });
    problem(await challenge(id), 409, 'APPLICATION_NOT_PENDING');
    problem(await challenge('00000000-0000-4000-8000-000000000000'), 404, 'APPLICATION_NOT_FOUND');
  });

  it('deletes the pictures once the retention period after the decision has passed, keeping the score', async () => {
    const id = await apply();
    await give(id);
    expect((await approve(id)).statusCode).toBe(200);
    const captures = app.certificateApplications!.captures!;
    const { database } = await getTestDatabase();
    expect(await captures.purgeDecided(30)).toBe(0);
    expect(await captures.purgeDecided(30, new Date(Date.now() + 31 * 86_400_000))).toBeGreaterThanOrEqual(1);
    problem(await app.inject({ url: `/v1/pki/applications/${id}/capture`, headers: operator() }), 404, 'CAPTURE_PURGED');
    const row = await database.db.selectFrom('proofing_captures').select(['images', 'face_match_score', 'purged_at']).where('application_id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ images: null, face_match_score: 0.5 });
    expect(row.purged_at).not.toBeNull();
  });

  it('hands the face-match provider the pictures and records its answer', async () => {
    const captures = app.certificateApplications!.captures!;
    const original = captures.faceMatch;
    let seenFrames = 0;
    captures.faceMatch = new FaceMatchTestDouble((input) => {
      seenFrames = input.frames.length;
      return { score: 0.93, liveness: 'passed' };
    });
    try {
      const id = await apply();
      await give(id);
      expect(seenFrames).toBe(3);
      const seen = (await app.inject({ url: `/v1/pki/applications/${id}/capture`, headers: operator() })).json();
      expect(seen.faceMatch).toMatchObject({ score: 0.93, liveness: 'passed', provider: 'test-double', testDouble: true });
    } finally {
      captures.faceMatch = original;
    }
  });
});

describe("only the applicant's browser gives the pictures; every operator view is recorded", () => {
  const storedCapture = async (id: string) => {
    const { database } = await getTestDatabase();
    return database.db.selectFrom('proofing_captures').selectAll().where('application_id', '=', id).executeTakeFirst();
  };

  it('a missing or wrong secret is refused with a problem and writes nothing; the status view never shows the secret', async () => {
    const id = await apply();
    const other = await apply();
    expect((await app.inject(`/v1/pki/applications/${id}`)).json().captureSecret).toBeUndefined();
    const { database } = await getTestDatabase();
    const stored = await database.db.selectFrom('certificate_applications').select('capture_secret_sha256').where('id', '=', id).executeTakeFirstOrThrow();
    // Only the SHA-256 is kept (checked with an independent hash of the returned secret).
    expect(Buffer.from(stored.capture_secret_sha256!).toString('hex')).toBe((await import('node:crypto')).createHash('sha256').update(secrets.get(id)!).digest('hex'));

    problem(await challenge(id, ''), 401, 'CAPTURE_SECRET_MISSING');
    problem(await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/liveness-challenge` }), 401, 'CAPTURE_SECRET_MISSING');
    problem(await challenge(id, 'guessed-secret'), 403, 'CAPTURE_SECRET_MISMATCH');
    problem(await challenge(id, secrets.get(other)), 403, 'CAPTURE_SECRET_MISMATCH');
    expect(await storedCapture(id)).toBeUndefined();

    // With the challenge given to the applicant, an attacker who saw the code still cannot answer it.
    const given = (await challenge(id)).json();
    const before = await storedCapture(id);
    problem(await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/capture`, payload: captureBody(given) }), 401, 'CAPTURE_SECRET_MISSING');
    problem(await capture(id, captureBody(given), secrets.get(other)), 403, 'CAPTURE_SECRET_MISMATCH');
    problem(await capture(id, captureBody(given), secrets.get(id)!.slice(0, -1) + (secrets.get(id)!.endsWith('A') ? 'B' : 'A')), 403, 'CAPTURE_SECRET_MISMATCH');
    expect(await storedCapture(id)).toEqual(before);
    expect((await storedCapture(id))!.captured_at).toBeNull();
    const { count } = await database.db.selectFrom('proofing_capture_frames').select((eb) => eb.fn.countAll<string>().as('count')).where('application_id', '=', id).executeTakeFirstOrThrow();
    expect(Number(count)).toBe(0);
    expect((await app.inject(`/v1/pki/applications/${id}`)).json().captured).toBe(false);
    // The applicant's own secret still works afterwards.
    expect((await capture(id, captureBody(given))).statusCode).toBe(201);
  });

  it('an application submitted before secrets existed has none: its capture is refused (proofed in person)', async () => {
    const id = await apply();
    const { database } = await getTestDatabase();
    await database.db.updateTable('certificate_applications').set({ capture_secret_sha256: null }).where('id', '=', id).execute();
    problem(await challenge(id), 403, 'CAPTURE_SECRET_MISMATCH');
    expect(await storedCapture(id)).toBeUndefined();
  });

  it('records who opened the pictures and when; the list is for CA operators and inspectors', async () => {
    const id = await apply();
    await give(id);
    const { database } = await getTestDatabase();
    const second = (await createApiToken(database.db, `second-operator-${id.slice(0, 8)}`, 'ca-operator')).token;
    const inspector = await buildOperatorToken(database.db, 'inspector');
    const lender = await buildOperatorToken(database.db, 'relying-party');
    const views = (token: string, query = `?applicationId=${id}`) => app.inject({ url: `/v1/pki/capture-views${query}`, headers: { authorization: `Bearer ${token}` } });
    expect((await views(operatorToken)).json().items).toEqual([]);

    const start = Date.now();
    expect((await app.inject({ url: `/v1/pki/applications/${id}/capture`, headers: operator() })).statusCode).toBe(200);
    expect((await app.inject({ url: `/v1/pki/applications/${id}/capture`, headers: { authorization: `Bearer ${second}` } })).statusCode).toBe(200);
    // A refused look (no token) is not a view.
    expect((await app.inject(`/v1/pki/applications/${id}/capture`)).statusCode).toBe(401);

    const listed = (await views(inspector)).json().items as { applicationId: string; viewer: string; viewedAt: string }[];
    expect(listed).toHaveLength(2);
    expect(listed.map((v) => v.viewer)).toEqual([`token:second-operator-${id.slice(0, 8)}`, 'token:test-ca-operator']);
    for (const v of listed) {
      expect(v.applicationId).toBe(id);
      expect(Date.parse(v.viewedAt)).toBeGreaterThanOrEqual(start - 1000);
    }
    expect((await views(operatorToken, '?limit=500')).json().items.filter((v: { applicationId: string }) => v.applicationId === id)).toHaveLength(2);

    problem(await views(lender), 403, 'AUTH_FORBIDDEN');
    problem(await app.inject(`/v1/pki/capture-views?applicationId=${id}`), 401, 'AUTH_REQUIRED');
    problem(await views(operatorToken, '?applicationId=not-a-uuid'), 400, 'VALIDATION_FAILED');

    // The record stays after the pictures are deleted; a look at deleted pictures adds none.
    await approve(id);
    await app.certificateApplications!.captures!.purgeDecided(0, new Date(Date.now() + 1000));
    problem(await app.inject({ url: `/v1/pki/applications/${id}/capture`, headers: operator() }), 404, 'CAPTURE_PURGED');
    expect((await views(operatorToken)).json().items).toHaveLength(2);
  });
});

describe('nobody obtains a certificate naming person X without X\'s proof', () => {
  it('CSRs naming another IIN than the application are refused, either way round', async () => {
    const attacker = buildPerson();
    const victim = buildPerson();
    const victimCsrs = await buildCsrPair(victim);
    problem(await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(attacker, victimCsrs) }), 422, 'CSR_SUBJECT_MISMATCH');
    problem(await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(victim, await buildCsrPair(attacker)) }), 422, 'CSR_SUBJECT_MISMATCH');
  });

  it('an operator cannot approve a remote application without its capture', async () => {
    const id = await apply();
    problem(await approve(id), 409, 'PROOFING_CAPTURE_MISSING');
    problem(await approve(id, { proofingMethod: 'remote', note: 'looks fine' }), 409, 'PROOFING_CAPTURE_MISSING');
    await challenge(id); // a challenge alone is not a capture
    problem(await approve(id), 409, 'PROOFING_CAPTURE_MISSING');
    const view = (await app.inject(`/v1/pki/applications/${id}`)).json();
    expect(view).toMatchObject({ status: 'pending_review', certificates: [] });
  });

  it("a capture given for one application is refused for another (a replay), which then cannot be approved", async () => {
    const first = await apply();
    const recorded = await give(first);
    const second = await apply();
    const given = (await challenge(second)).json();
    // The recording relabelled with the new challenge's prompts and code: the frames' bytes give it away.
    const replay = { code: given.code, idPhoto: recorded.idPhoto, frames: given.prompts.map((prompt: string, i: number) => ({ prompt, image: recorded.frames[i].image })) };
    problem(await capture(second, replay), 409, 'CAPTURE_REPLAYED');
    // One replayed frame among new ones is enough to refuse.
    const mixed = captureBody(given);
    mixed.frames[2].image = recorded.frames[0].image;
    problem(await capture(second, mixed), 409, 'CAPTURE_REPLAYED');
    expect((await app.inject(`/v1/pki/applications/${second}`)).json().captured).toBe(false);
    problem(await approve(second), 409, 'PROOFING_CAPTURE_MISSING');
  });

  it("a sealed capture copied into another application's row does not open", async () => {
    const seal = new CaptureSeal(Buffer.alloc(32, 7));
    const sealed = seal.seal('application-a', Buffer.from('{"frames":[]}'));
    expect(seal.open('application-a', sealed).toString()).toBe('{"frames":[]}');
    expect(() => seal.open('application-b', sealed)).toThrow();
    expect(() => new CaptureSeal(Buffer.alloc(32, 8)).open('application-a', sealed)).toThrow();
  });
});
