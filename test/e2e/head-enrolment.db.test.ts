import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/test-database.js';
import { buildBin, buildOperatorToken } from '../helpers/factories.js';
import { applicationBody, buildCsrPair, buildPerson } from '../helpers/pki-factories.js';
import { buildTestHierarchy, issuePerson, tempDir, type TestEntity, type TestPerson } from '../helpers/cms-fixtures.js';
import { certifyPerson, signIn, type CertifiedPerson } from '../helpers/person-sessions.js';
import { holderOf, hireAndCertify, signedHeadApplication, type HeadSigner } from '../helpers/organizations.js';
import { openssl } from '../helpers/openssl.js';
import { AutomaticProofing, buildCrl, CrlEntriesWriter, OperatorReviewProofing } from '../../src/features/ca/index.js';
import { kz_role_firstHead, kz_role_hr, kz_role_legalEntity, kz_role_maySign } from '../../src/pkix/oids.js';

/**
 * Issue 13: a company head enrols their organization without an administrator. The head applies
 * for the first-head pair, proves the headship (a registry extract an operator checks, or a
 * national-CA certificate already carrying the role), enrols, and grants HR, themselves included.
 * Then the identity bar, tried as an attacker: who can obtain a first-head pair naming X for B?
 */
// Each step signs and verifies real CMS and issues real pairs: slow on a loaded machine, never timed.
describe('a company head enrols their organization, no administrator involved', { timeout: 600_000 }, () => {
  let app: FastifyInstance;
  let operatorToken: string;
  let nca: { issuing: TestEntity };
  const operator = () => ({ authorization: `Bearer ${operatorToken}` });
  const extract = () => `KZ-${Math.floor(Math.random() * 1e12).toString().padStart(12, '0')}`;
  const qorgau = (who: CertifiedPerson): HeadSigner => ({ kind: 'qorgau', who });
  const national = (who: TestPerson, chain: Buffer[] = []): HeadSigner => ({ kind: 'other-ca', iin: who.iin, surname: 'ТЕСТОВА', givenName: 'АЙГЕРІМ', auth: who.auth, chain });
  const applySigned = (body: { application: string }) => app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: body });
  const certificatesNaming = (iin: string, bin: string) =>
    app.database.db.selectFrom('certificates').select(['serial', 'der', 'revoked_at']).where('subject_iin', '=', iin).where('subject_bin', '=', bin).execute();

  beforeAll(async () => {
    // A test-made "national CA", trusted the way the real one is: its issuing CA in the data folder's pki/trust/.
    nca = await buildTestHierarchy('nca-head');
    const dataDir = tempDir('qorgau-head-enrolment-');
    const trust = path.join(dataDir, 'pki', 'trust');
    mkdirSync(trust, { recursive: true });
    writeFileSync(path.join(trust, 'nca.cer'), nca.issuing.der);
    // Its CRL beside it, as the national CA publishes one: without it no status, and no certificate of it is accepted.
    writeFileSync(path.join(trust, 'nca.crl'), await buildCrl(nca.issuing, { crlNumber: 1, thisUpdate: new Date(Date.now() - 60_000), nextUpdate: new Date(Date.now() + 86_400_000), entries: new CrlEntriesWriter() }));
    app = await buildTestApp({ dataDir });
    app.certificateApplications!.proofing = new OperatorReviewProofing();
    operatorToken = await buildOperatorToken(app.database.db, 'ca-operator');
  }, 600_000);
  afterAll(async () => app?.close());

  it('end to end: apply with the registry extract, an operator checks it, sign in, enrol, hire, grant HR to an employee and to oneself', async () => {
    const bin = buildBin();
    const number = extract();
    const x = await certifyPerson(app); // the head's own individual certificate: who they are

    // 1. The head applies for the first-head pair, signed with their individual certificate, with the extract number.
    const application = await signedHeadApplication(app, qorgau(x), bin, { organization: 'ТОО «Бас»', registrationExtract: ` ${number.toLowerCase()} ` });
    const applied = await applySigned(application.body);
    expect(applied.statusCode, applied.body).toBe(201);
    expect(applied.json()).toMatchObject({ status: 'pending_review', headship: 'registration-extract', certificates: [] });
    const id = applied.json().id as string;

    // 2. The operator sees what to check: the extract number, and that the identity is already proven by the signature.
    const queue = (await app.inject({ url: '/v1/pki/review-queue?limit=500', headers: operator() })).json().items as { id: string; registrationExtract: string; identityProven: boolean; bin: string; iin: string }[];
    expect(queue.find((i) => i.id === id)).toMatchObject({ registrationExtract: number, identityProven: true, bin, iin: x.iin });
    const unchecked = await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/approve`, headers: operator(), payload: {} });
    expect(unchecked.statusCode).toBe(422);
    expect(unchecked.headers['content-type']).toContain('application/problem+json');
    expect(unchecked.json().code).toBe('HEADSHIP_NOT_CHECKED');
    const wrong = await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/approve`, headers: operator(), payload: { registrationExtract: extract() } });
    expect(wrong.json().code).toBe('REGISTRATION_EXTRACT_MISMATCH');
    const hrRole = await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/approve`, headers: operator(), payload: { registrationExtract: number, roles: ['hr'] } });
    expect(hrRole.statusCode).toBe(400); // the schema offers only the roles a head's pair may carry
    const approved = await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/approve`, headers: operator(), payload: { registrationExtract: number, roles: ['first-head', 'may-sign'] } });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'issued', roles: ['first-head', 'may-sign'] });

    // The certificate carries the first-head role and the BIN, read by OpenSSL, not by our parser.
    const head = await holderOf(app, id, application);
    const text = openssl(['x509', '-inform', 'DER', '-noout', '-text', '-nameopt', 'RFC2253,-esc_msb'], head.issued.auth.der).stdout;
    expect(text).toContain(kz_role_firstHead);
    expect(text).toContain(`BIN${bin}`);
    expect(text).toContain(`IIN${x.iin}`);

    // 3. The head signs in with the new pair and enrols the organization.
    const headCookie = await signIn(app, head);
    const enrolled = await app.inject({ method: 'POST', url: '/v1/orgs', headers: { cookie: headCookie }, payload: { bin, name: 'ТОО «Бас»' } });
    expect(enrolled.statusCode, enrolled.body).toBe(201);
    expect(enrolled.json()).toMatchObject({ bin, currentEmployees: 1 });
    const headRecord = (await app.inject({ url: `/v1/orgs/${bin}/employees/${x.iin}`, headers: { cookie: headCookie } })).json();
    expect(headRecord).toMatchObject({ position: 'first head', roles: { firstHead: true, hr: false }, employed: true });

    // 4. The head hires an employee (their own keys, their own proof) and grants them HR afterwards: no new pair needed.
    const org = { bin, hrCookie: headCookie };
    const hired = await hireAndCertify(app, org, { maySign: true });
    const employeeCookie = await signIn(app, hired.holder);
    const before = await app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${buildPerson().iin}`, headers: { cookie: employeeCookie }, payload: { position: 'driver' } });
    expect(before.statusCode).toBe(403);
    expect(before.json().code).toBe('ORG_ROLE_REQUIRED');
    const granted = await app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${hired.citizen.iin}`, headers: { cookie: headCookie }, payload: { position: 'HR manager', roles: { maySign: true, hr: true } } });
    expect(granted.statusCode, granted.body).toBe(200);
    const newcomer = buildPerson();
    const asHr = await app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${newcomer.iin}`, headers: { cookie: employeeCookie }, payload: { position: 'driver' } });
    expect(asHr.statusCode, asHr.body).toBe(201);
    const authorizedByHr = await app.inject({ method: 'POST', url: `/v1/orgs/${bin}/employees/${newcomer.iin}/certificate-authorizations`, headers: { cookie: employeeCookie } });
    expect(authorizedByHr.statusCode, authorizedByHr.body).toBe(201);
    expect(authorizedByHr.json().roles).toEqual(['employee']);

    // 5. The head grants HR to themselves: the record changes, their pair stays as it is.
    const self = await app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${x.iin}`, headers: { cookie: headCookie }, payload: { position: 'director', roles: { maySign: true, hr: true } } });
    expect(self.statusCode, self.body).toBe(200);
    expect(self.json().roles).toEqual({ maySign: true, maySignFinancial: false, hr: true, firstHead: true });
    const pairs = await certificatesNaming(x.iin, bin);
    expect(pairs).toHaveLength(2);
    expect(pairs.every((c) => c.revoked_at === null)).toBe(true);
    // The head's session still administers (credentials are the first head's).
    expect((await app.inject({ method: 'POST', url: `/v1/orgs/${bin}/credentials`, headers: { cookie: headCookie }, payload: { name: 'HR system' } })).statusCode).toBe(201);

    // Taking HR off the record takes it away at once.
    await app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${hired.citizen.iin}`, headers: { cookie: headCookie }, payload: { position: 'manager', roles: { maySign: true, hr: false } } });
    const after = await app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${buildPerson().iin}`, headers: { cookie: employeeCookie }, payload: { position: 'driver' } });
    expect(after.json().code).toBe('ORG_ROLE_REQUIRED');
  });

  it('a national-CA certificate already carrying the first-head role for the BIN: the pair is issued at once, then the head enrols', async () => {
    const bin = buildBin();
    const ncaHead = await issuePerson(nca.issuing, { organization: { name: 'ТОО «Ұлттық бас»', bin }, roles: [kz_role_legalEntity, kz_role_firstHead, kz_role_maySign] });
    const application = await signedHeadApplication(app, national(ncaHead), bin, { organization: 'whatever the applicant typed' });
    const applied = await applySigned(application.body);
    expect(applied.statusCode, applied.body).toBe(201);
    expect(applied.json()).toMatchObject({ status: 'issued', headship: 'certificate', roles: ['first-head', 'may-sign'] });
    const head = await holderOf(app, applied.json().id, application);
    const subject = openssl(['x509', '-inform', 'DER', '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb'], head.issued.auth.der).stdout;
    // The name comes from the national CA's certificate, not from what the applicant typed.
    expect(subject).toContain('ТОО «Ұлттық бас»');
    const enrolled = await app.inject({ method: 'POST', url: '/v1/orgs', headers: { cookie: await signIn(app, head) }, payload: { bin, name: 'ТОО «Ұлттық бас»' } });
    expect(enrolled.statusCode, enrolled.body).toBe(201);
  });

  it('identity proofing instead of a certificate: the operator checks the person and the extract; proofing alone never approves a head', async () => {
    app.certificateApplications!.proofing = new AutomaticProofing();
    try {
      const bin = buildBin();
      const number = extract();
      const person = buildPerson({ organization: 'ТОО «Proofed»', bin });
      const res = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, await buildCsrPair(person), { registrationExtract: number }) });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ status: 'pending_review', headship: 'registration-extract' });
      const approved = await app.inject({ method: 'POST', url: `/v1/pki/applications/${res.json().id}/approve`, headers: operator(), payload: { proofingMethod: 'in-person', registrationExtract: number } });
      expect(approved.statusCode, approved.body).toBe(200);
      expect(approved.json()).toMatchObject({ status: 'issued', roles: ['first-head'] });
    } finally {
      app.certificateApplications!.proofing = new OperatorReviewProofing();
    }
  });

  describe('who can obtain a first-head pair naming X for B (attacks)', () => {
    it('another person applying as head of B: with X\'s IIN the signature is theirs; with the extract X used, refused; nothing issued', async () => {
      const bin = buildBin();
      const number = extract();
      const x = await certifyPerson(app);
      const y = await certifyPerson(app);
      expect((await applySigned((await signedHeadApplication(app, qorgau(x), bin, { registrationExtract: number })).body)).statusCode).toBe(201);

      const asX = await applySigned((await signedHeadApplication(app, qorgau(y), bin, { registrationExtract: extract(), overrides: { iin: x.iin } })).body);
      expect(asX.statusCode).toBe(422);
      expect(asX.json().code).toMatch(/^(APPLICATION_SIGNER_MISMATCH|CSR_SUBJECT_MISMATCH)$/);
      const reused = await applySigned((await signedHeadApplication(app, qorgau(y), bin, { registrationExtract: number })).body);
      expect(reused.statusCode).toBe(409);
      expect(reused.json().code).toBe('REGISTRATION_EXTRACT_REUSED');
      // The same number through identity proofing, for another BIN: refused as well.
      const person = buildPerson({ organization: 'X', bin: buildBin() });
      const proofed = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, await buildCsrPair(person), { registrationExtract: number }) });
      expect(proofed.json().code).toBe('REGISTRATION_EXTRACT_REUSED');
      expect(await certificatesNaming(y.iin, bin)).toEqual([]);
      expect(await certificatesNaming(x.iin, bin)).toEqual([]);
    });

    it('a head of B applying for BIN C, or HR of B applying as head of B, with their national-CA certificate: refused', async () => {
      const b = buildBin();
      const c = buildBin();
      const headOfB = await issuePerson(nca.issuing, { organization: { name: 'ТОО «B»', bin: b }, roles: [kz_role_legalEntity, kz_role_firstHead] });
      const forC = await applySigned((await signedHeadApplication(app, national(headOfB), c)).body);
      expect(forC.statusCode).toBe(422);
      expect(forC.json().code).toBe('HEADSHIP_NOT_PROVEN');
      const hrOfB = await issuePerson(nca.issuing, { organization: { name: 'ТОО «B»', bin: b }, roles: [kz_role_legalEntity, kz_role_hr] });
      const hrAsHead = await applySigned((await signedHeadApplication(app, national(hrOfB), b)).body);
      expect(hrAsHead.statusCode).toBe(422);
      expect(hrAsHead.json().code).toBe('HEADSHIP_NOT_PROVEN');
      expect(await certificatesNaming(headOfB.iin, c)).toEqual([]);
      expect(await certificatesNaming(hrOfB.iin, b)).toEqual([]);
    });

    it('an individual certificate without an extract, and a rogue CA\'s "first head" certificate: refused', async () => {
      const bin = buildBin();
      const x = await certifyPerson(app);
      const bare = await applySigned((await signedHeadApplication(app, qorgau(x), bin)).body);
      expect(bare.statusCode).toBe(422);
      expect(bare.json().code).toBe('HEADSHIP_PROOF_REQUIRED');
      const rogue = await buildTestHierarchy('rogue');
      const fake = await issuePerson(rogue.issuing, { organization: { name: 'ТОО «Rogue»', bin }, roles: [kz_role_legalEntity, kz_role_firstHead] });
      const untrusted = await applySigned((await signedHeadApplication(app, national(fake, [rogue.issuing.der]), bin)).body);
      expect(untrusted.statusCode).toBe(422);
      expect(untrusted.json().code).toBe('APPLICATION_CERTIFICATE_UNTRUSTED');
    });

    it('an operator approval carrying roles for an application without a proof of headship: refused, nothing issued', async () => {
      const person = buildPerson();
      const res = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, await buildCsrPair(person)) });
      expect(res.json().status).toBe('pending_review');
      const id = res.json().id as string;
      for (const payload of [{ roles: ['first-head'] }, { registrationExtract: extract() }]) {
        const approved = await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/approve`, headers: operator(), payload });
        expect(approved.statusCode).toBe(422);
        expect(approved.json().code).toBe('HEADSHIP_PROOF_MISSING');
      }
      expect((await app.inject({ url: `/v1/pki/applications/${id}` })).json().status).toBe('pending_review');
    });

    it('an employee pair for an organization not enrolled, without a proof of headship: refused (nobody vouches for it)', async () => {
      const person = buildPerson({ organization: 'ТОО «Nobody»', bin: buildBin() });
      const res = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, await buildCsrPair(person)) });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('ORG_NOT_ENROLLED');
      expect(res.json().detail).toContain('registrationExtract');
    });

    it('HR of B granting itself (or anyone) head, or taking the head\'s role away: refused; HR never authorizes a first-head pair', async () => {
      const bin = buildBin();
      const ncaHead = await issuePerson(nca.issuing, { organization: { name: 'ТОО «HR»', bin }, roles: [kz_role_legalEntity, kz_role_firstHead] });
      const applied = await applySigned((await signedHeadApplication(app, national(ncaHead), bin)).body);
      expect(applied.statusCode, applied.body).toBe(201);
      // The head enrols with the national-CA certificate itself (the session reads its roles).
      const { nonce } = (await app.inject({ method: 'POST', url: '/v1/auth/challenge' })).json();
      const { signCms } = await import('../../src/client/sign.js');
      const cms = await signCms({ content: Buffer.from(nonce), signer: ncaHead.auth.signer, certificate: ncaHead.auth.der, chain: [] });
      const signin = await app.inject({ method: 'POST', url: '/v1/auth/signin', payload: { nonce, cms: cms.toString('base64') } });
      const headCookie = String(signin.headers['set-cookie']).split(';')[0];
      expect((await app.inject({ method: 'POST', url: '/v1/orgs', headers: { cookie: headCookie }, payload: { bin, name: 'ТОО «HR»' } })).statusCode).toBe(201);
      const hr = await hireAndCertify(app, { bin, hrCookie: headCookie }, { hr: true });
      const hrCookie = await signIn(app, hr.holder);

      const selfHead = await app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${hr.citizen.iin}`, headers: { cookie: hrCookie }, payload: { position: 'HR', roles: { hr: true, firstHead: true } } });
      expect(selfHead.statusCode).toBe(403);
      expect(selfHead.json().code).toBe('FIRST_HEAD_NEEDS_PROOF');
      // Not even the head makes someone head: the role comes with a proof of headship only.
      const byHead = await app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${hr.citizen.iin}`, headers: { cookie: headCookie }, payload: { position: 'HR', roles: { hr: true, firstHead: true } } });
      expect(byHead.json().code).toBe('FIRST_HEAD_NEEDS_PROOF');
      const demote = await app.inject({ method: 'PUT', url: `/v1/orgs/${bin}/employees/${ncaHead.iin}`, headers: { cookie: hrCookie }, payload: { position: 'first head', roles: { firstHead: false } } });
      expect(demote.statusCode).toBe(403);
      expect(demote.json().code).toBe('ORG_HEAD_ROLE_REQUIRED');
      // HR's own credentials stay the first head's.
      expect((await app.inject({ method: 'POST', url: `/v1/orgs/${bin}/credentials`, headers: { cookie: hrCookie }, payload: { name: 'x' } })).json().code).toBe('ORG_ROLE_REQUIRED');
      // What HR authorizes for itself carries HR, never first-head.
      const roles = hr.authorization.roles as string[];
      expect(roles).toContain('hr');
      expect(roles).not.toContain('first-head');
    });

    it('the head already holding a good pair of B applies again: refused until it is revoked', async () => {
      const bin = buildBin();
      const ncaHead = await issuePerson(nca.issuing, { organization: { name: 'ТОО «Twice»', bin }, roles: [kz_role_legalEntity, kz_role_firstHead] });
      expect((await applySigned((await signedHeadApplication(app, national(ncaHead), bin)).body)).statusCode).toBe(201);
      const again = await applySigned((await signedHeadApplication(app, national(ncaHead), bin)).body);
      expect(again.statusCode).toBe(409);
      expect(again.json().code).toBe('EMPLOYEE_CERTIFICATE_ACTIVE');
    });
  });
});
