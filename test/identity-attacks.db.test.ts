import { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from './helpers/test-database.js';
import { buildBin } from './helpers/factories.js';
import { applicationBody, buildCsrPair, buildPerson, toPem } from './helpers/pki-factories.js';
import { buildTestHierarchy, issuePerson } from './helpers/cms-fixtures.js';
import { certifyPerson, signAs, signedRequest, signIn, type CertifiedPerson } from './helpers/person-sessions.js';
import { enrolledOrganization, hireAndCertify, signedEmployeeApplication } from './helpers/organizations.js';
import { canonicalJson, signerIdentityOf } from '../src/features/trust/index.js';
import { signCms } from '../src/client/sign.js';
import { signerFromPrivateKey } from '../src/client/pkcs12.js';
import { CertificateInfo } from '../src/pkix/certificate.js';

/**
 * Identity, tried as an attacker would (issue 8, part 1): an organization's HR must not obtain a
 * certificate naming anybody, and a session opened with an employee certificate must not touch the
 * person's own protection. Each test names the attack; each would have succeeded before the fix.
 */
describe('who can obtain a certificate naming person X, and what it can do', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(async () => app.close());

  const certificatesNaming = (iin: string) => app.database.db.selectFrom('certificates').select(['serial', 'subject_bin', 'revoked_at']).where('subject_iin', '=', iin).execute();
  const csrBody = async (person: ReturnType<typeof buildPerson>) => {
    const csrs = await buildCsrPair(person);
    return { authCsr: toPem(csrs.authCsr, 'CERTIFICATE REQUEST'), signCsr: toPem(csrs.signCsr, 'CERTIFICATE REQUEST') };
  };

  describe("HR of an organization targets a stranger's IIN", () => {
    it('records the stranger as an employee and sends CSRs it made itself: refused, nothing issued', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const stranger = buildPerson({ organization: 'ТОО «Test»', bin: org.bin });
      const hr = { cookie: org.hrCookie };
      const recorded = await app.inject({ method: 'PUT', url: `/v1/orgs/${org.bin}/employees/${stranger.iin}`, headers: hr, payload: { position: 'director', surname: stranger.surname, givenName: stranger.givenName, roles: { maySign: true } } });
      expect(recorded.statusCode).toBe(201);
      const forged = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${stranger.iin}/certificates`, headers: hr, payload: await csrBody(stranger) });
      expect(forged.statusCode, forged.body).toBe(403);
      expect(forged.headers['content-type']).toContain('application/problem+json');
      expect(forged.json().code).toBe('EMPLOYEE_KEYS_FROM_HR_REFUSED');
      expect(forged.json().detail).toContain('certificate-authorizations');
      expect(await certificatesNaming(stranger.iin)).toEqual([]);
    });

    it("authorizes the stranger, then applies in the stranger's name with its own keys: every proof path refuses or waits for an operator", async () => {
      const org = await enrolledOrganization(app, buildBin());
      const stranger = buildPerson({ organization: 'ТОО «Test»', bin: org.bin });
      const hr = { cookie: org.hrCookie };
      await app.inject({ method: 'PUT', url: `/v1/orgs/${org.bin}/employees/${stranger.iin}`, headers: hr, payload: { position: 'director', surname: stranger.surname, givenName: stranger.givenName } });
      const authorized = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${stranger.iin}/certificate-authorizations`, headers: hr });
      expect(authorized.statusCode).toBe(201);

      // The HR officer holds an individual certificate of their own: it proves only the HR officer.
      const officer = await certifyPerson(app, { surname: stranger.surname, givenName: stranger.givenName });
      const asOfficer = await signedEmployeeApplication(app, officer, org.bin, { iin: stranger.iin });
      const signedByOfficer = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: asOfficer.body });
      expect(signedByOfficer.statusCode, signedByOfficer.body).toBe(422);
      expect(signedByOfficer.json().code).toBe('APPLICATION_SIGNER_MISMATCH');

      // Signed with HR's employee certificate: not an individual's proof.
      const withEmployeeCertificate = await signedEmployeeApplication(app, org.hr, org.bin);
      const refused = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: withEmployeeCertificate.body });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().code).toBe('APPLICATION_NOT_INDIVIDUAL_CERTIFICATE');

      // A certificate naming the stranger from a CA nobody trusts.
      const rogue = await buildTestHierarchy();
      const fake = await issuePerson(rogue.issuing, { iin: stranger.iin, surname: stranger.surname.toUpperCase(), name: stranger.givenName.toUpperCase() });
      const csrs = await buildCsrPair(stranger);
      const content = canonicalJson({
        action: 'employee-certificate.apply', authCsr: Buffer.from(csrs.authCsr).toString('base64'), bin: org.bin, iin: stranger.iin,
        issuedAt: new Date().toISOString(), nonce: 'n-rogue-ca-1', signCsr: Buffer.from(csrs.signCsr).toString('base64'),
      });
      const rogueCms = await signCms({ content: Buffer.from(content), signer: signerFromPrivateKey(KeyObject.from(fake.auth.keys.privateKey)), certificate: fake.auth.der, chain: [rogue.issuing.der] });
      const untrusted = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: { application: rogueCms.toString('base64') } });
      expect(untrusted.statusCode).toBe(422);
      expect(untrusted.json().code).toBe('APPLICATION_CERTIFICATE_UNTRUSTED');

      // Remote identity proofing in the stranger's name: an operator must confirm the person; nothing is issued meanwhile.
      const proofed = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(stranger, await buildCsrPair(stranger), { holder: 'employee', organization: 'ТОО «Test»', bin: org.bin }) });
      expect(proofed.statusCode, proofed.body).toBe(201);
      expect(proofed.json()).toMatchObject({ status: 'pending_review', certificates: [] });
      expect(await certificatesNaming(stranger.iin)).toEqual([]);
    });

    it('HR sends CSRs for its real, authorized employee: refused; only the employee applying issues the pair', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const citizen = await certifyPerson(app);
      const hr = { cookie: org.hrCookie };
      await app.inject({ method: 'PUT', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}`, headers: hr, payload: { position: 'clerk' } });
      await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}/certificate-authorizations`, headers: hr });
      const hrKeys = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}/certificates`, headers: hr, payload: await csrBody({ ...citizen.person, organization: 'ТОО «Test»', bin: org.bin }) });
      expect(hrKeys.statusCode).toBe(403);
      expect(hrKeys.json().code).toBe('EMPLOYEE_KEYS_FROM_HR_REFUSED');
      expect((await certificatesNaming(citizen.iin)).filter((c) => c.subject_bin === org.bin)).toEqual([]);
      const own = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: (await signedEmployeeApplication(app, citizen, org.bin)).body });
      expect(own.statusCode, own.body).toBe(201);
      expect((await certificatesNaming(citizen.iin)).filter((c) => c.subject_bin === org.bin)).toHaveLength(2);
    });
  });

  describe("person B tries to use person A's authorization", () => {
    it("B names A's IIN (refused: the signature is B's), B names their own (refused: not authorized); A then applies", async () => {
      const org = await enrolledOrganization(app, buildBin());
      const a = await certifyPerson(app);
      const b = await certifyPerson(app);
      const hr = { cookie: org.hrCookie };
      await app.inject({ method: 'PUT', url: `/v1/orgs/${org.bin}/employees/${a.iin}`, headers: hr, payload: { position: 'clerk' } });
      await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${a.iin}/certificate-authorizations`, headers: hr });

      const asA = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: (await signedEmployeeApplication(app, b, org.bin, { iin: a.iin })).body });
      expect(asA.statusCode).toBe(422);
      expect(asA.json().code).toBe('APPLICATION_SIGNER_MISMATCH');
      const asB = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: (await signedEmployeeApplication(app, b, org.bin)).body });
      expect(asB.statusCode).toBe(403);
      expect(asB.json().code).toBe('EMPLOYEE_NOT_AUTHORIZED');
      // Remote proofing as B under A's authorization: B is not authorized either.
      const proofedB = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody({ ...b.person, organization: 'ТОО «Test»', bin: org.bin }, await buildCsrPair(b.person), { holder: 'employee', organization: 'ТОО «Test»', bin: org.bin }) });
      expect(proofedB.statusCode).toBe(403);
      expect(proofedB.json().code).toBe('EMPLOYEE_NOT_AUTHORIZED');
      expect((await certificatesNaming(b.iin)).filter((c) => c.subject_bin === org.bin)).toEqual([]);

      const byA = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: (await signedEmployeeApplication(app, a, org.bin)).body });
      expect(byA.statusCode, byA.body).toBe(201);
    });
  });

  describe('a forged application', () => {
    it('a flipped byte in the signature or in the signed content, a replayed application, a SIGN certificate: refused', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const citizen = await certifyPerson(app);
      const hr = { cookie: org.hrCookie };
      await app.inject({ method: 'PUT', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}`, headers: hr, payload: { position: 'clerk' } });
      await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}/certificate-authorizations`, headers: hr });
      const genuine = await signedEmployeeApplication(app, citizen, org.bin);

      const lastByteFlipped = Buffer.from(genuine.cms);
      lastByteFlipped[lastByteFlipped.length - 1] ^= 0x01;
      const badSignature = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: { application: lastByteFlipped.toString('base64') } });
      expect(badSignature.statusCode).toBe(422);
      expect(badSignature.json().code).toBe('APPLICATION_SIGNATURE_INVALID');

      // The IIN in the signed content changed by one digit: the digest no longer matches.
      const at = genuine.cms.indexOf(Buffer.from(`"iin":"${citizen.iin}"`));
      expect(at).toBeGreaterThan(0);
      const contentFlipped = Buffer.from(genuine.cms);
      contentFlipped[at + 8] = contentFlipped[at + 8] === 0x30 ? 0x31 : 0x30;
      const badContent = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: { application: contentFlipped.toString('base64') } });
      expect(badContent.statusCode).toBe(422);
      expect(badContent.json().code).toMatch(/^APPLICATION_(CONTENT_MISMATCH|SIGNATURE_INVALID)$/);

      const withSign = await signAs(app, citizen, 'sign', canonicalJson({ action: 'employee-certificate.apply', authCsr: 'x', bin: org.bin, iin: citizen.iin, issuedAt: new Date().toISOString(), nonce: 'n-sign-cert-1', signCsr: 'y' }));
      const wrong = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: { application: withSign.toString('base64') } });
      expect(wrong.statusCode).toBe(422);
      expect(wrong.json().code).toBe('APPLICATION_WRONG_CERTIFICATE');
      expect((await certificatesNaming(citizen.iin)).filter((c) => c.subject_bin === org.bin)).toEqual([]);

      const issued = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: genuine.body });
      expect(issued.statusCode, issued.body).toBe(201);
      // The same signed application again, after HR authorized another pair: its nonce is spent.
      await app.inject({ method: 'POST', url: `/v1/me/certificates/${issued.json().certificates[0].serial}/revoke`, headers: { cookie: await signIn(app, citizen) } });
      expect((await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${citizen.iin}/certificate-authorizations`, headers: hr })).statusCode).toBe(201);
      const replayed = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: genuine.body });
      expect(replayed.statusCode).toBe(409);
      expect(replayed.json().code).toBe('DOCUMENT_REPLAYED');
    });
  });

  describe('a session opened with an employee certificate acts for the organization only', () => {
    let org: Awaited<ReturnType<typeof enrolledOrganization>>;
    let citizen: CertifiedPerson;
    let employee: CertifiedPerson;
    let personal: string;
    let work: string;
    let liftId: string;
    let documentId: string;
    let contactId: string;

    beforeAll(async () => {
      org = await enrolledOrganization(app, buildBin());
      const hired = await hireAndCertify(app, org, { maySign: true });
      citizen = hired.citizen;
      employee = hired.holder;
      personal = await signIn(app, citizen);
      work = await signIn(app, employee);
      // The person protects themselves with their personal session.
      const both = { products: ['bank_loan', 'microcredit'], channels: ['online', 'in_person'] };
      const placed = await app.inject({ method: 'POST', url: '/v1/me/restrictions', headers: { cookie: personal }, payload: { document: await signedRequest(app, citizen, { action: 'restriction.place', ...both }) } });
      expect(placed.statusCode, placed.body).toBe(201);
      documentId = placed.json().documentId;
      const lift = await app.inject({ method: 'POST', url: '/v1/me/lifts', headers: { cookie: personal }, payload: { document: await signedRequest(app, citizen, { action: 'restriction.lift', restrictionId: null, scope: 'until', until: new Date(Date.now() + 30 * 86_400_000).toISOString() }) } });
      expect(lift.statusCode, lift.body).toBe(201);
      liftId = lift.json().id;
      const contact = await app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie: personal }, payload: { channel: 'webhook', address: 'https://me.example.kz/qorgau' } });
      expect(contact.statusCode, contact.body).toBe(201);
      contactId = contact.json().id;
    });

    it('the session says which kind it is', async () => {
      expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie: work } })).json().holder).toBe('employee');
      expect((await app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie: personal } })).json().holder).toBe('individual');
    });

    it('reads nothing of the person under /v1/me (restrictions, inquiries, breaches, lifts, documents, contacts)', async () => {
      for (const url of ['/v1/me/restrictions', '/v1/me/inquiries', '/v1/me/breaches', '/v1/me/lifts', '/v1/me/documents', `/v1/me/documents/${documentId}`, '/v1/me/contacts']) {
        const answer = await app.inject({ method: 'GET', url, headers: { cookie: work } });
        expect(answer.statusCode, `${url}: ${answer.body}`).toBe(403);
        expect(answer.headers['content-type']).toContain('application/problem+json');
        expect(answer.json().code).toBe('PERSONAL_SESSION_REQUIRED');
        expect(answer.json().detail).toContain('personal (individual) certificate');
        // The personal session still reads them.
        expect((await app.inject({ method: 'GET', url, headers: { cookie: personal } })).statusCode, url).toBe(200);
      }
    });

    it('lifts the restriction entirely with a validly signed request of the same IIN: refused, the restriction stays in force', async () => {
      const lift = await app.inject({ method: 'POST', url: '/v1/me/lifts', headers: { cookie: work }, payload: { document: await signedRequest(app, employee, { action: 'restriction.lift', restrictionId: null, scope: 'entire' }) } });
      expect(lift.statusCode, lift.body).toBe(403);
      expect(lift.json().code).toBe('PERSONAL_SESSION_REQUIRED');
      const place = await app.inject({ method: 'POST', url: '/v1/me/restrictions', headers: { cookie: work }, payload: { document: await signedRequest(app, employee, { action: 'restriction.place', products: ['bank_loan'], channels: ['online'] }) } });
      expect(place.statusCode).toBe(403);
      const lifts = (await app.inject({ method: 'GET', url: '/v1/me/lifts', headers: { cookie: personal } })).json() as { scope: string }[];
      expect(lifts.map((l) => l.scope)).toEqual(['until']);
      const restrictions = (await app.inject({ method: 'GET', url: '/v1/me/restrictions', headers: { cookie: personal } })).json() as { inForce: boolean }[];
      expect(restrictions.some((r) => r.inForce)).toBe(true);
    });

    it("cancels the person's lift, adds or removes their contacts: refused, nothing changes", async () => {
      const cancel = await app.inject({ method: 'POST', url: `/v1/me/lifts/${liftId}/cancel`, headers: { cookie: work } });
      expect(cancel.statusCode).toBe(403);
      expect(cancel.json().code).toBe('PERSONAL_SESSION_REQUIRED');
      const added = await app.inject({ method: 'POST', url: '/v1/me/contacts', headers: { cookie: work }, payload: { channel: 'webhook', address: 'https://attacker.example.kz/hook' } });
      expect(added.statusCode).toBe(403);
      const removed = await app.inject({ method: 'DELETE', url: `/v1/me/contacts/${contactId}`, headers: { cookie: work } });
      expect(removed.statusCode).toBe(403);
      const lifts = (await app.inject({ method: 'GET', url: '/v1/me/lifts', headers: { cookie: personal } })).json() as { id: string; status: string }[];
      expect(lifts.find((l) => l.id === liftId)?.status).not.toBe('cancelled');
      const contacts = (await app.inject({ method: 'GET', url: '/v1/me/contacts', headers: { cookie: personal } })).json() as { address: string }[];
      expect(contacts.map((c) => c.address)).toEqual(['https://me.example.kz/qorgau']);
    });

    it("renews or revokes the person's individual pair: refused, the individual certificates stay good; the employee pair's own are its business", async () => {
      const individualSerial = CertificateInfo.parse(citizen.issued.auth.der).serialHex;
      const renewal = await csrBody(citizen.person);
      const renew = await app.inject({ method: 'POST', url: `/v1/me/certificates/${individualSerial}/renew`, headers: { cookie: work }, payload: renewal });
      expect(renew.statusCode, renew.body).toBe(403);
      expect(renew.json().code).toBe('PERSONAL_SESSION_REQUIRED');
      const revoke = await app.inject({ method: 'POST', url: `/v1/me/certificates/${individualSerial}/revoke`, headers: { cookie: work } });
      expect(revoke.statusCode).toBe(403);
      expect(revoke.json().code).toBe('PERSONAL_SESSION_REQUIRED');
      expect((await certificatesNaming(citizen.iin)).filter((c) => c.subject_bin === null).every((c) => c.revoked_at === null)).toBe(true);
      // The employee session sees only the organization's certificates.
      const listed = (await app.inject({ method: 'GET', url: '/v1/me/certificates', headers: { cookie: work } })).json().items as { organizationBin: string | null }[];
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((c) => c.organizationBin === org.bin)).toBe(true);
      const all = (await app.inject({ method: 'GET', url: '/v1/me/certificates', headers: { cookie: personal } })).json().items as { organizationBin: string | null }[];
      expect(all.some((c) => c.organizationBin === null)).toBe(true);
    });
  });

  describe('renewal renews the same kind of pair, and only its holder\'s', () => {
    it('renewing an employee pair with individual-looking CSRs, or asking for an individual holder, yields an employee pair of the same BIN and roles', async () => {
      const org = await enrolledOrganization(app, buildBin());
      const hired = await hireAndCertify(app, org, { maySign: true, maySignFinancial: true });
      const work = await signIn(app, hired.holder);
      const serial = CertificateInfo.parse(hired.holder.issued.auth.der).serialHex;
      const individualCsrs = await csrBody(hired.citizen.person);
      const smuggled = await app.inject({ method: 'POST', url: `/v1/me/certificates/${serial}/renew`, headers: { cookie: work }, payload: { ...individualCsrs, holder: 'individual' } });
      expect(smuggled.statusCode).toBe(400);
      const renewed = await app.inject({ method: 'POST', url: `/v1/me/certificates/${serial}/renew`, headers: { cookie: work }, payload: individualCsrs });
      expect(renewed.statusCode, renewed.body).toBe(200);
      expect(renewed.json().holder).toBe('employee');
      for (const c of renewed.json().certificates as { kind: string }[]) {
        const der = Buffer.from((await app.inject({ method: 'GET', url: `/v1/pki/applications/${renewed.json().id}/certificates/${c.kind}` })).rawPayload);
        const identity = signerIdentityOf(CertificateInfo.parse(der));
        expect(identity.organization?.bin?.value).toBe(org.bin);
        expect(identity.roles).toEqual(expect.arrayContaining(['employee', 'may-sign', 'may-sign-financial']));
      }
      // The person's individual pair was not touched.
      expect((await certificatesNaming(hired.citizen.iin)).filter((c) => c.subject_bin === null).every((c) => c.revoked_at === null)).toBe(true);
    });

    it("someone else's serial is unknown; a former employee's pair is not renewed", async () => {
      const org = await enrolledOrganization(app, buildBin());
      const hired = await hireAndCertify(app, org);
      const other = await certifyPerson(app);
      const otherCookie = await signIn(app, other);
      const serial = CertificateInfo.parse(hired.holder.issued.auth.der).serialHex;
      const foreign = await app.inject({ method: 'POST', url: `/v1/me/certificates/${serial}/renew`, headers: { cookie: otherCookie }, payload: await csrBody(other.person) });
      expect(foreign.statusCode).toBe(404);
      // Terminated: the pair is revoked, and renewal refuses it.
      const personal = await signIn(app, hired.citizen);
      await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${hired.citizen.iin}/terminate`, headers: { cookie: org.hrCookie } });
      const after = await app.inject({ method: 'POST', url: `/v1/me/certificates/${serial}/renew`, headers: { cookie: personal }, payload: await csrBody(hired.citizen.person) });
      expect(after.statusCode).toBe(409);
      expect(after.json().code).toBe('CERTIFICATE_NOT_RENEWABLE');
    });
  });

  it('an unknown IIN or an organization not enrolled gets a clear refusal', async () => {
    const citizen = await certifyPerson(app);
    const notEnrolled = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: (await signedEmployeeApplication(app, citizen, buildBin())).body });
    expect(notEnrolled.statusCode).toBe(404);
    expect(notEnrolled.json().code).toBe('ORG_NOT_ENROLLED');
  });
});
