import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { buildTestHierarchy, issuePerson, tempDir } from '../../../test/helpers/cms-fixtures.js';
import { readPkcs12, signerFromPrivateKey } from '../../client/pkcs12.js';
import { certifyPerson, signAs, signIn, type CertifiedPerson } from '../../../test/helpers/person-sessions.js';
import { revokeCertificates } from '../ca/index.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { signCms } from '../../client/sign.js';
import { SESSION_COOKIE } from './sessions.js';
import { buildBin } from '../../../test/helpers/factories.js';

const NCA = path.resolve(import.meta.dirname, '../../../test/fixtures/nca');

describe('sign-in with e-signature', () => {
  let app: FastifyInstance;
  let alice: CertifiedPerson;

  beforeAll(async () => {
    app = await buildTestApp();
    alice = await certifyPerson(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  const challenge = async (): Promise<string> => {
    const response = await app.inject({ method: 'POST', url: '/v1/auth/challenge' });
    expect(response.statusCode).toBe(201);
    return response.json().nonce;
  };
  const signin = (nonce: string, cms: Buffer | string) =>
    app.inject({ method: 'POST', url: '/v1/auth/signin', payload: { nonce, cms: Buffer.isBuffer(cms) ? cms.toString('base64') : cms } });

  it('opens a session for the IIN of an AUTH certificate: HttpOnly, Secure, SameSite=Strict cookie; sign-out ends it', async () => {
    const nonce = await challenge();
    const response = await signin(nonce, await signAs(app, alice, 'auth', nonce));
    expect(response.statusCode, response.body).toBe(200);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('Secure');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toMatch(/Max-Age=\d+/);
    expect(response.body).not.toContain(alice.iin);
    const cookie = setCookie.split(';')[0];
    // Only the hash of the token is stored.
    const token = cookie.split('=')[1];
    const rows = await app.database.db.selectFrom('person_sessions').select(['token_hash', 'person_hash']).where('id', '=', response.json().sessionId).execute();
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0].token_hash).toString('base64url')).not.toBe(token);
    expect(Buffer.from(rows[0].person_hash).equals(app.pseudonymizer.of(alice.iin))).toBe(true);

    const session = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({ holder: 'individual', certificateSerial: CertificateInfo.parse(alice.issued.auth.der).serialHex });

    expect((await app.inject({ method: 'POST', url: '/v1/auth/signout', headers: { cookie } })).statusCode).toBe(204);
    const after = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('SESSION_INVALID');
    expect((await app.inject({ method: 'GET', url: '/v1/auth/session' })).json().code).toBe('SESSION_REQUIRED');
  });

  it('refuses an expired session, and sweeps long-expired ones', async () => {
    const cookie = await signIn(app, alice);
    const token = cookie.split('=')[1];
    const hash = createHash('sha256').update(token).digest();
    await app.database.db.updateTable('person_sessions').set({ created_at: new Date(Date.now() - 3 * 86_400_000), expires_at: new Date(Date.now() - 2 * 86_400_000) }).where('token_hash', '=', hash).execute();
    const expired = await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('SESSION_INVALID');
    await signIn(app, alice);
    expect(await app.database.db.selectFrom('person_sessions').select('id').where('token_hash', '=', hash).execute()).toEqual([]);
  });

  it('accepts a detached signature over the nonce too', async () => {
    const nonce = await challenge();
    expect((await signin(nonce, await signAs(app, alice, 'auth', nonce, { detached: true }))).statusCode).toBe(200);
  });

  it('refuses a replayed nonce', async () => {
    const nonce = await challenge();
    const cms = await signAs(app, alice, 'auth', nonce);
    expect((await signin(nonce, cms)).statusCode).toBe(200);
    const replay = await signin(nonce, cms);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('SIGNIN_NONCE_REPLAYED');
  });

  it('refuses an expired nonce and one never issued', async () => {
    const nonce = `qorgau-signin:expired-${Math.random().toString(36).slice(2)}`;
    await app.database.db
      .insertInto('auth_challenges')
      .values({ nonce, created_at: new Date(Date.now() - 600_000), expires_at: new Date(Date.now() - 300_000) })
      .execute();
    const expired = await signin(nonce, await signAs(app, alice, 'auth', nonce));
    expect(expired.statusCode).toBe(401);
    expect(expired.json().code).toBe('SIGNIN_NONCE_EXPIRED');

    const invented = 'qorgau-signin:never-issued';
    const unknown = await signin(invented, await signAs(app, alice, 'auth', invented));
    expect(unknown.json().code).toBe('SIGNIN_NONCE_UNKNOWN');
  });

  it('refuses a SIGN certificate used for sign-in', async () => {
    const nonce = await challenge();
    const response = await signin(nonce, await signAs(app, alice, 'sign', nonce));
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('SIGNIN_WRONG_CERTIFICATE');
  });

  it('refuses a signature over something other than the nonce (attached or detached)', async () => {
    const nonce = await challenge();
    const attached = await signin(nonce, await signAs(app, alice, 'auth', 'I agree to everything'));
    expect(attached.statusCode).toBe(401);
    expect(attached.json().code).toBe('SIGNIN_CONTENT_MISMATCH');
    const detached = await signin(nonce, await signAs(app, alice, 'auth', `${nonce}x`, { detached: true }));
    expect(detached.json().code).toBe('SIGNIN_CONTENT_MISMATCH');
    // The nonce was not used up by the failures.
    expect((await signin(nonce, await signAs(app, alice, 'auth', nonce))).statusCode).toBe(200);
  });

  it('refuses a revoked certificate', async () => {
    const bob = await certifyPerson(app);
    await revokeCertificates(app.database.db, { issuer: app.pki!.issuing.name, serials: [CertificateInfo.parse(bob.issued.auth.der).serialHex], reason: 'keyCompromise', actor: 'test' });
    const nonce = await challenge();
    const response = await signin(nonce, await signAs(app, bob, 'auth', nonce));
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('SIGNIN_CERTIFICATE_REVOKED');
  });

  it('ends the sessions opened with a certificate once it is revoked (a stolen key)', async () => {
    const carol = await certifyPerson(app);
    const cookie = await signIn(app, carol);
    expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } })).statusCode).toBe(200);
    await revokeCertificates(app.database.db, { issuer: app.pki!.issuing.name, serials: [CertificateInfo.parse(carol.issued.auth.der).serialHex], reason: 'keyCompromise', actor: 'test' });
    const after = await app.inject({ method: 'GET', url: '/v1/me/restrictions', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('SESSION_INVALID');
  });

  it('refuses a foreign certificate (a CA it does not trust)', async () => {
    const foreign = await buildTestHierarchy();
    const mallory = await issuePerson(foreign.issuing);
    const nonce = await challenge();
    const cms = await signCms({ content: Buffer.from(nonce), signer: mallory.auth.signer, certificate: mallory.auth.der, chain: [foreign.issuing.der] });
    const response = await signin(nonce, cms);
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('SIGNIN_CERTIFICATE_UNTRUSTED');
  });

  it('answers input that is not a CMS with a 400, never a 500', async () => {
    const nonce = await challenge();
    for (const [cms, code] of [
      ['not*base64', 'INVALID_BASE64'],
      [Buffer.from('not a cms').toString('base64'), 'CMS_MALFORMED'],
    ]) {
      const response = await signin(nonce, cms);
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe(code);
    }
    expect((await app.inject({ method: 'POST', url: '/v1/auth/signin', payload: { nonce } })).json().code).toBe('VALIDATION_FAILED');
  });

  it("signs an employee in with their employee-auth certificate (the person, not the organization)", async () => {
    const employee = await certifyPerson(app, { organization: 'ТОО «Qorgau Test»', bin: buildBin() });
    const nonce = await challenge();
    const response = await signin(nonce, await signAs(app, employee, 'auth', nonce));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().holder).toBe('employee');
    const row = await app.database.db.selectFrom('person_sessions').select('person_hash').where('id', '=', response.json().sessionId).executeTakeFirstOrThrow();
    expect(Buffer.from(row.person_hash).equals(app.pseudonymizer.of(employee.iin))).toBe(true);
  });

  it('documents the routes in the OpenAPI document, with the session cookie scheme', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/v1/auth/challenge', '/v1/auth/signin', '/v1/auth/signout', '/v1/me/breaches', '/v1/me/restrictions', '/v1/me/inquiries', '/v1/me/lifts', '/v1/me/lifts/{id}/cancel', '/v1/me/documents/{id}', '/v1/me/contacts']),
    );
    expect(spec.components.securitySchemes.personSession).toMatchObject({ type: 'apiKey', in: 'cookie' });
  });

  it("refuses the national CA's test AUTH certificate (trusted anchor, but expired and with an invalid test IIN) with a clear code", async () => {
    const dataDir = tempDir('qorgau-nca-');
    mkdirSync(path.join(dataDir, 'pki', 'trust'), { recursive: true });
    for (const file of ['nca_rsa_test.crt', 'nca_rsa_test.crl']) copyFileSync(path.join(NCA, file), path.join(dataDir, 'pki', 'trust', file));
    const withNca = await buildTestApp({ dataDir });
    try {
      const p12 = readPkcs12(readFileSync(path.join(NCA, 'AUTH_RSA256_test.p12')), 'Qwerty12');
      const { nonce } = (await withNca.inject({ method: 'POST', url: '/v1/auth/challenge' })).json();
      const cms = await signCms({ content: Buffer.from(nonce), signer: signerFromPrivateKey(p12.privateKey), certificate: p12.certificate });
      const response = await withNca.inject({ method: 'POST', url: '/v1/auth/signin', payload: { nonce, cms: cms.toString('base64') } });
      expect(response.statusCode).toBe(401);
      expect(response.json().code).toBe('SIGNIN_CERTIFICATE_EXPIRED');
    } finally {
      await withNca.close();
    }
  });

  it('lets the test helper sign in', async () => {
    const cookie = await signIn(app, alice);
    expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } })).statusCode).toBe(200);
  });
});
