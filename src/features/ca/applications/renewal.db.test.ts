import { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../../test/helpers/test-database.js';
import { applicationBody, buildCsrPair, buildPerson, toPem } from '../../../../test/helpers/pki-factories.js';
import { signIn, type CertifiedPerson } from '../../../../test/helpers/person-sessions.js';
import { certifyPerson } from '../../../../test/helpers/person-sessions.js';
import { AutomaticProofing } from './identity-proofing.js';

let app: FastifyInstance;

beforeAll(async () => {
  app = await buildTestApp();
  app.certificateApplications!.proofing = new AutomaticProofing();
});
afterAll(async () => app.close());

/** A person whose pair came from a remote application, signed in with its AUTH certificate. */
async function applicant() {
  const person = buildPerson();
  const csrs = await buildCsrPair(person);
  const res = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, csrs) });
  expect(res.statusCode, res.body).toBe(201);
  const view = res.json();
  const der = async (kind: 'auth' | 'sign') => Buffer.from((await app.inject(`/v1/pki/applications/${view.id}/certificates/${kind}`)).rawPayload);
  const holder: CertifiedPerson = {
    person,
    iin: person.iin,
    issued: { pairId: view.pairId, auth: { der: await der('auth') }, sign: { der: await der('sign') } } as CertifiedPerson['issued'],
    authKey: KeyObject.from(csrs.authKeys.privateKey),
    signKey: KeyObject.from(csrs.signKeys.privateKey),
  };
  const serial = (kind: string) => view.certificates.find((c: { kind: string }) => c.kind === kind).serial as string;
  return { person, view, holder, serial, cookie: await signIn(app, holder) };
}

const pem = (csrs: { authCsr: Buffer; signCsr: Buffer }) => ({ authCsr: toPem(csrs.authCsr, 'CERTIFICATE REQUEST'), signCsr: toPem(csrs.signCsr, 'CERTIFICATE REQUEST') });

async function statusOf(serial: string) {
  return app.database.db.selectFrom('certificates').select(['revoked_at', 'revocation_reason', 'pair_id']).where('serial', '=', serial).executeTakeFirstOrThrow();
}

describe('renewing a pair', () => {
  it('issues a new pair with the original proofing and revokes the old pair as superseded', async () => {
    const { person, view, serial, cookie } = await applicant();
    const renewed = await app.inject({ method: 'POST', url: `/v1/me/certificates/${serial('sign')}/renew`, headers: { cookie }, payload: pem(await buildCsrPair(person)) });
    expect(renewed.statusCode, renewed.body).toBe(200);
    const next = renewed.json();
    expect(next).toMatchObject({ status: 'issued', proofingMethod: view.proofingMethod, holder: 'individual' });
    expect(next.pairId).not.toBe(view.pairId);
    expect(next.certificates.map((c: { kind: string; revoked: boolean }) => [c.kind, c.revoked]).sort()).toEqual([['auth', false], ['sign', false]]);
    for (const kind of ['auth', 'sign']) {
      expect(await statusOf(serial(kind))).toMatchObject({ revocation_reason: 'superseded', revoked_at: expect.any(Date) });
    }
    // The session stood on the superseded AUTH certificate: it is over.
    const after = await app.inject({ method: 'GET', url: '/v1/me/certificates', headers: { cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('refuses CSRs for someone else, a malformed CSR, another person\'s serial and a revoked pair', async () => {
    const { person, serial, cookie } = await applicant();
    const stranger = await buildCsrPair(buildPerson());
    const foreign = await app.inject({ method: 'POST', url: `/v1/me/certificates/${serial('auth')}/renew`, headers: { cookie }, payload: pem(stranger) });
    expect(foreign.statusCode, foreign.body).toBe(422);
    const own = await buildCsrPair(person);
    const malformed = await app.inject({ method: 'POST', url: `/v1/me/certificates/${serial('auth')}/renew`, headers: { cookie }, payload: { ...pem(own), authCsr: 'A'.repeat(200) } });
    expect(malformed.statusCode, malformed.body).toBe(400);
    const other = await certifyPerson(app);
    const notMine = await app.inject({ method: 'POST', url: `/v1/me/certificates/${other.issued.auth.serial}/renew`, headers: { cookie }, payload: pem(own) });
    expect(notMine.statusCode).toBe(404);
    expect(notMine.json().code).toBe('CERTIFICATE_NOT_FOUND');
    // Nothing above changed the pair.
    expect((await statusOf(serial('auth'))).revoked_at).toBeNull();
    // A pair issued without an application here (e.g. by HR) cannot be renewed by its holder.
    const direct = await certifyPerson(app);
    const directCookie = await signIn(app, direct);
    const refused = await app.inject({
      method: 'POST',
      url: `/v1/me/certificates/${direct.issued.auth.serial}/renew`,
      headers: { cookie: directCookie },
      payload: pem(await buildCsrPair(direct.person)),
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('CERTIFICATE_NOT_RENEWABLE');
  });
});
