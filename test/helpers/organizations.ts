import { KeyObject, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CertificateIssuer } from '../../src/features/ca/index.js';
import type { EmployeeRole, PersonSubject } from '../../src/features/ca/index.js';
import { buildCsrPair, buildPerson, toPem } from './pki-factories.js';
import { certifyPerson, signAs, signIn, type CertifiedPerson } from './person-sessions.js';
import { canonicalJson } from '../../src/features/trust/index.js';
import { createApiToken } from '../../src/auth/api-tokens.js';
import { signCms } from '../../src/client/sign.js';

/** A person holding an employee pair of `bin` with the given roles, issued by the app's CA. */
export async function certifyEmployee(app: FastifyInstance, bin: string, roles: EmployeeRole[], overrides: Partial<PersonSubject> = {}): Promise<CertifiedPerson> {
  const person = buildPerson({ organization: 'ТОО «Test»', bin, ...overrides });
  const csrs = await buildCsrPair(person);
  const issued = await new CertificateIssuer(app.database.db, app.pki!, app.config.publicUrl).issuePair({
    holder: 'employee',
    person,
    authKey: Buffer.from(await crypto.subtle.exportKey('spki', csrs.authKeys.publicKey)),
    signKey: Buffer.from(await crypto.subtle.exportKey('spki', csrs.signKeys.publicKey)),
    proofing: 'in-person',
    employeeRoles: roles,
  });
  return { person, iin: person.iin, issued, authKey: KeyObject.from(csrs.authKeys.privateKey), signKey: KeyObject.from(csrs.signKeys.privateKey) };
}

/** The CSRs an employee brings to HR, and the private keys they keep. */
export async function employeeCsrs(person: PersonSubject) {
  const csrs = await buildCsrPair(person);
  return {
    body: { authCsr: toPem(csrs.authCsr, 'CERTIFICATE REQUEST'), signCsr: toPem(csrs.signCsr, 'CERTIFICATE REQUEST') },
    authKey: KeyObject.from(csrs.authKeys.privateKey),
    signKey: KeyObject.from(csrs.signKeys.privateKey),
  };
}

/** An enrolled organization with a signed-in first head and HR officer. */
export async function enrolledOrganization(app: FastifyInstance, bin: string) {
  const head = await certifyEmployee(app, bin, ['first-head', 'may-sign']);
  const headCookie = await signIn(app, head);
  const enrolled = await app.inject({ method: 'POST', url: '/v1/orgs', headers: { cookie: headCookie }, payload: { bin, name: 'ТОО «Test»' } });
  if (enrolled.statusCode !== 201) throw new Error(`enrolment failed: ${enrolled.body}`);
  const hr = await certifyEmployee(app, bin, ['hr']);
  const hrCookie = await signIn(app, hr);
  return { bin, head, headCookie, hr, hrCookie };
}

export async function adminToken(app: FastifyInstance): Promise<string> {
  return (await createApiToken(app.database.db, 'orgs-test-admin', 'admin')).token;
}

/**
 * The employee's own application for an authorized pair: CSRs made from keys they keep, signed
 * with their own individual AUTH certificate (the body of POST /v1/pki/applications/signed).
 */
export async function signedEmployeeApplication(app: FastifyInstance, applicant: CertifiedPerson, bin: string, overrides: Record<string, unknown> = {}) {
  const employeeSubject = { ...applicant.person, organization: 'ТОО «Test»', bin };
  const csrs = await buildCsrPair(employeeSubject);
  const content = {
    action: 'employee-certificate.apply',
    authCsr: Buffer.from(csrs.authCsr).toString('base64'),
    bin,
    iin: applicant.iin,
    issuedAt: new Date().toISOString(),
    nonce: `n-${randomUUID()}`,
    signCsr: Buffer.from(csrs.signCsr).toString('base64'),
    ...overrides,
  };
  const cms = await signAs(app, applicant, 'auth', canonicalJson(content));
  return {
    body: { application: cms.toString('base64') },
    cms,
    authKey: KeyObject.from(csrs.authKeys.privateKey),
    signKey: KeyObject.from(csrs.signKeys.privateKey),
  };
}

/** The issued pair of an application, downloaded as the applicant would. */
export async function downloadPair(app: FastifyInstance, applicationId: string) {
  const get = async (kind: 'auth' | 'sign') => Buffer.from((await app.inject({ method: 'GET', url: `/v1/pki/applications/${applicationId}/certificates/${kind}` })).rawPayload);
  return { auth: { der: await get('auth') }, sign: { der: await get('sign') } };
}

/**
 * The whole employee flow: HR records the employment and authorizes a pair; the employee (a
 * citizen holding an individual certificate) applies with their own keys, signing with it.
 */
export async function hireAndCertify(app: FastifyInstance, org: { bin: string; hrCookie: string }, roles: Record<string, boolean> = { maySign: true }, citizen?: CertifiedPerson) {
  const applicant = citizen ?? (await certifyPerson(app));
  const hr = { cookie: org.hrCookie };
  const hired = await app.inject({ method: 'PUT', url: `/v1/orgs/${org.bin}/employees/${applicant.iin}`, headers: hr, payload: { position: 'manager', surname: applicant.person.surname, givenName: applicant.person.givenName, roles } });
  if (hired.statusCode >= 300) throw new Error(`hiring failed: ${hired.body}`);
  const authorized = await app.inject({ method: 'POST', url: `/v1/orgs/${org.bin}/employees/${applicant.iin}/certificate-authorizations`, headers: hr, payload: {} });
  if (authorized.statusCode !== 201) throw new Error(`authorization failed: ${authorized.body}`);
  const application = await signedEmployeeApplication(app, applicant, org.bin);
  const applied = await app.inject({ method: 'POST', url: '/v1/pki/applications/signed', payload: application.body });
  if (applied.statusCode !== 201) throw new Error(`application failed: ${applied.body}`);
  const view = applied.json() as { id: string; pairId: string; certificates: { kind: 'auth' | 'sign'; serial: string }[] };
  const downloaded = await downloadPair(app, view.id);
  const holder: CertifiedPerson = {
    person: { ...applicant.person, organization: 'ТОО «Test»', bin: org.bin },
    iin: applicant.iin,
    issued: { pairId: view.pairId, ...downloaded } as unknown as CertifiedPerson['issued'],
    authKey: application.authKey,
    signKey: application.signKey,
  };
  return { citizen: applicant, person: holder.person, application: view, authorization: authorized.json(), holder };
}

/** Who signs a head's application: a person holding a pair of the app's CA, or a certificate of another CA (the test "national CA"). */
export type HeadSigner =
  | { kind: 'qorgau'; who: CertifiedPerson }
  | { kind: 'other-ca'; iin: string; surname: string; givenName: string; auth: { der: Buffer; signer: Parameters<typeof signCms>[0]['signer'] }; chain?: Buffer[] };

/**
 * A company head's application for the first-head pair (POST /v1/pki/applications/signed, action
 * "head-certificate.apply"): CSRs of keys the head keeps, the BIN, the organization's name and
 * optionally the registration extract number, signed with the head's own AUTH certificate.
 */
export async function signedHeadApplication(app: FastifyInstance, by: HeadSigner, bin: string, options: { organization?: string; registrationExtract?: string; overrides?: Record<string, unknown> } = {}) {
  const organization = options.organization ?? 'ТОО «Head Test»';
  const subject: PersonSubject = by.kind === 'qorgau'
    ? { ...by.who.person, organization, bin }
    : { iin: by.iin, surname: by.surname, givenName: by.givenName, organization, bin };
  const csrs = await buildCsrPair(subject);
  const content = {
    action: 'head-certificate.apply',
    authCsr: Buffer.from(csrs.authCsr).toString('base64'),
    bin,
    iin: subject.iin,
    issuedAt: new Date().toISOString(),
    nonce: `n-${randomUUID()}`,
    organization,
    ...(options.registrationExtract !== undefined ? { registrationExtract: options.registrationExtract } : {}),
    signCsr: Buffer.from(csrs.signCsr).toString('base64'),
    ...options.overrides,
  };
  const cms = by.kind === 'qorgau'
    ? await signAs(app, by.who, 'auth', canonicalJson(content))
    : await signCms({ content: Buffer.from(canonicalJson(content)), signer: by.auth.signer, certificate: by.auth.der, chain: by.chain ?? [] });
  return {
    body: { application: cms.toString('base64') },
    subject,
    authKey: KeyObject.from(csrs.authKeys.privateKey),
    signKey: KeyObject.from(csrs.signKeys.privateKey),
  };
}

/** The head as a holder of the pair just issued to them, ready to sign in. */
export async function holderOf(app: FastifyInstance, applicationId: string, application: { subject: PersonSubject; authKey: KeyObject; signKey: KeyObject }): Promise<CertifiedPerson> {
  const view = (await app.inject({ method: 'GET', url: `/v1/pki/applications/${applicationId}` })).json() as { pairId: string };
  const downloaded = await downloadPair(app, applicationId);
  return {
    person: application.subject,
    iin: application.subject.iin,
    issued: { pairId: view.pairId, ...downloaded } as unknown as CertifiedPerson['issued'],
    authKey: application.authKey,
    signKey: application.signKey,
  };
}
