import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, getTestDatabase } from './helpers/test-database.js';
import { buildOperatorToken } from './helpers/factories.js';
import { certifyPerson, signAs, signedRequest, signIn } from './helpers/person-sessions.js';
import { CertificateInfo } from '../src/pkix/certificate.js';
import { revokeCertificates } from '../src/features/ca/index.js';

/**
 * Misuse evidence, tried as an attacker would (issue 8, part 2): a use counts against a holder only
 * when a signature by their certificate verified, and only when an authenticated party reports it
 * (the sign-in itself, a signed request of the signed-in person, a relying party's credential).
 */
describe('usage evidence cannot be forged', () => {
  let app: FastifyInstance;
  let rp: Record<string, string>;
  let inspector: Record<string, string>;

  beforeAll(async () => {
    // A day's window: uses seconds apart on two devices are "two devices" whatever the machine's speed.
    app = await buildTestApp({ usageTwoDevicesWindowMinutes: 24 * 60 });
    const { database } = await getTestDatabase();
    rp = { authorization: `Bearer ${await buildOperatorToken(database.db, 'relying-party')}` };
    inspector = { authorization: `Bearer ${await buildOperatorToken(database.db, 'inspector')}` };
  });
  afterAll(async () => app.close());

  const usesOf = (serial: string) => app.database.db.selectFrom('usage_events').selectAll().where('certificate_serial', '=', serial).orderBy('id').execute();
  const alertsOn = async (serial: string) =>
    ((await app.inject({ method: 'GET', url: '/v1/usage-alerts?limit=500', headers: inspector })).json() as { rule: string; certificateSerial: string }[]).filter((a) => a.certificateSerial === serial);
  const verify = (cms: Buffer, headers: Record<string, string>) => app.inject({ method: 'POST', url: '/v1/signatures/verify', headers, payload: { cms: cms.toString('base64') } });

  it("someone's genuinely signed document, verified anonymously from two devices: valid, and nothing recorded against them", async () => {
    const victim = await certifyPerson(app);
    const serial = CertificateInfo.parse(victim.issued.sign.der).serialHex;
    const document = await signAs(app, victim, 'sign', 'A contract the victim really signed');
    for (const device of ['attacker-laptop', 'attacker-phone']) {
      const answer = await verify(document, { 'x-device-id': device });
      expect(answer.statusCode).toBe(200);
      expect(answer.json().result).toBe('valid');
    }
    expect(await usesOf(serial)).toEqual([]);
    expect(await alertsOn(serial)).toEqual([]);
  });

  it('the same, reported by a relying party with its credential: two uses, and the two-devices alert (the rule still sees what it should)', async () => {
    const holder = await certifyPerson(app);
    const serial = CertificateInfo.parse(holder.issued.sign.der).serialHex;
    const document = await signAs(app, holder, 'sign', 'A payment order');
    for (const device of ['office-pc', 'unknown-pc']) expect((await verify(document, { ...rp, 'x-device-id': device })).json().result).toBe('valid');
    const uses = await usesOf(serial);
    expect(uses.map((u) => [u.purpose, u.outcome, u.device_id, u.source])).toEqual([
      ['verify', 'accepted', 'office-pc', 'token:test-relying-party'],
      ['verify', 'accepted', 'unknown-pc', 'token:test-relying-party'],
    ]);
    expect((await alertsOn(serial)).map((a) => a.rule)).toContain('two-devices');
  });

  it('a bad credential on /verify is a 401, not an anonymous verification', async () => {
    const holder = await certifyPerson(app);
    const answer = await verify(await signAs(app, holder, 'sign', 'x'), { authorization: 'Bearer qorgau_not_a_token' });
    expect(answer.statusCode).toBe(401);
    expect(answer.headers['content-type']).toContain('application/problem+json');
  });

  it('a signature with one flipped byte is no use of the certificate: not at /verify (even from a relying party), not at sign-in, not in a signed request', async () => {
    const holder = await certifyPerson(app);
    const authSerial = CertificateInfo.parse(holder.issued.auth.der).serialHex;
    const signSerial = CertificateInfo.parse(holder.issued.sign.der).serialHex;
    const flip = (cms: Buffer) => {
      const copy = Buffer.from(cms);
      copy[copy.length - 1] ^= 0x01;
      return copy;
    };

    const verified = await verify(flip(await signAs(app, holder, 'sign', 'A contract')), { ...rp, 'x-device-id': 'pc-1' });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().result).toBe('invalid');

    const { nonce } = (await app.inject({ method: 'POST', url: '/v1/auth/challenge' })).json();
    const signin = await app.inject({ method: 'POST', url: '/v1/auth/signin', headers: { 'x-device-id': 'pc-2' }, payload: { nonce, cms: flip(await signAs(app, holder, 'auth', nonce)).toString('base64') } });
    expect(signin.statusCode).toBe(401);
    expect(signin.json().code).toBe('SIGNIN_SIGNATURE_INVALID');

    // A signed-in attacker posting a tampered request in the holder's name.
    const attacker = await certifyPerson(app);
    const cookie = await signIn(app, attacker);
    const document = Buffer.from(await signedRequest(app, holder, { action: 'restriction.place', products: ['bank_loan'], channels: ['online'] }), 'base64');
    const placed = await app.inject({ method: 'POST', url: '/v1/me/restrictions', headers: { cookie, 'x-device-id': 'pc-3' }, payload: { document: flip(document).toString('base64') } });
    expect(placed.statusCode).toBe(422);
    // Untampered, but somebody else's: refused, and not a use by its signer either.
    const replayed = await app.inject({ method: 'POST', url: '/v1/me/restrictions', headers: { cookie, 'x-device-id': 'pc-4' }, payload: { document: document.toString('base64') } });
    expect(replayed.statusCode).toBe(403);
    expect(replayed.json().code).toBe('DOCUMENT_SIGNER_NOT_SIGNED_IN');

    expect(await usesOf(authSerial)).toEqual([]);
    expect(await usesOf(signSerial)).toEqual([]);
    expect(await alertsOn(signSerial)).toEqual([]);
  });

  it("a revoked certificate's real signature at sign-in is one use, however often the same CMS is sent again", async () => {
    const holder = await certifyPerson(app);
    const authSerial = CertificateInfo.parse(holder.issued.auth.der).serialHex;
    await revokeCertificates(app.database.db, { issuer: app.pki!.issuing.name, serials: [authSerial], reason: 'keyCompromise', actor: 'test' });
    const { nonce } = (await app.inject({ method: 'POST', url: '/v1/auth/challenge' })).json();
    const cms = (await signAs(app, holder, 'auth', nonce)).toString('base64');
    const first = await app.inject({ method: 'POST', url: '/v1/auth/signin', headers: { 'x-device-id': 'pc-a' }, payload: { nonce, cms } });
    expect(first.json().code).toBe('SIGNIN_CERTIFICATE_REVOKED');
    const again = await app.inject({ method: 'POST', url: '/v1/auth/signin', headers: { 'x-device-id': 'pc-b' }, payload: { nonce, cms } });
    expect(again.statusCode).toBe(401);
    expect(again.json().code).toBe('SIGNIN_NONCE_REPLAYED');
    const uses = await usesOf(authSerial);
    expect(uses.map((u) => [u.purpose, u.outcome, u.refusal, u.device_id])).toEqual([['signin', 'refused', 'SIGNIN_CERTIFICATE_REVOKED', 'pc-a']]);
    expect((await alertsOn(authSerial)).map((a) => a.rule)).toEqual(['used-after-departure']);
  });
});
