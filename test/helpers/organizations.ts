import { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { CertificateIssuer } from '../../src/features/ca/index.js';
import type { EmployeeRole, PersonSubject } from '../../src/features/ca/index.js';
import { buildCsrPair, buildPerson, toPem } from './pki-factories.js';
import { signIn, type CertifiedPerson } from './person-sessions.js';
import { createApiToken } from '../../src/auth/api-tokens.js';

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
