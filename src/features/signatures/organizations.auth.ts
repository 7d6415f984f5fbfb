import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { authHook } from '../../auth/auth-hooks.js';
import { authenticateApiToken } from '../../auth/api-tokens.js';
import { bearerCredential } from '../../auth/bearer.js';
import { cookieValue, SESSION_COOKIE, type PersonPrincipal } from '../signin/index.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { signerIdentityOf } from '../trust/index.js';
import { CertificateHoldings } from '../ca/index.js';
import { PresentedCertificates } from '../trust/index.js';
import { authenticateHrCredential, looksLikeHrCredential } from './organizations.credentials.js';
import type { OrgAction } from './organizations.service.js';

/** A person signed in with a certificate of Qorgau's CA or another trusted CA, as that certificate names them. */
export interface CertifiedPerson {
  kind: 'person';
  iin: string;
  /** The organization BIN in the certificate's OU, for an employee certificate. */
  bin: string | null;
  /** Role names from the certificate's EKU (first-head, hr, may-sign, ...). */
  roles: string[];
  displayName: string;
  /** The names the certificate carries (an enrolling head is recorded with them). */
  names: { surname: string | null; givenName: string | null; patronymic: string | null };
  session: PersonPrincipal;
}

/** Who acts on an organization: a person (first head, HR), its HR system, or an admin operator. */
export type OrgActor =
  | CertifiedPerson
  | { kind: 'hr-system'; bin: string; credentialId: string; name: string }
  | { kind: 'operator'; tokenId: string; name: string };

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * A preHandler for organization routes: admits a signed-in person (session cookie), an
     * organization's HR-system credential (Bearer qhr_...) or an admin operator token; sets
     * request.orgActor. What the actor may do with a given BIN is the route's question.
     */
    requireOrgActor(): preHandlerAsyncHookHandler;
    /** The signed-in person as their sign-in certificate names them (IIN, BIN, roles). */
    certifiedPerson(principal: PersonPrincipal): Promise<CertifiedPerson>;
  }
  interface FastifyRequest {
    orgActor: OrgActor | null;
  }
  interface FastifyContextConfig {
    /**
     * Who may call an organization route, stated on the route instead of checked in its handler:
     * `enrol` admits any organization actor (the service decides what they may enrol);
     * `administer` the BIN's first head, HR, HR system or an admin; `manage-credentials` its
     * first head or an admin. A `:iin` parameter is checked after the caller is admitted.
     */
    org?: OrgAccess;
  }
}

export type OrgAccess = 'enrol' | OrgAction;

export const actorLabel = (actor: OrgActor): string =>
  actor.kind === 'person' ? `person:${actor.session.personHash.toString('hex').slice(0, 16)}` : actor.kind === 'hr-system' ? `hr-system:${actor.credentialId}` : `operator:${actor.name}`;

/**
 * Installed by the organizations plugin on top of the auth plugin's sessions. A session keeps only the
 * pseudonym and the certificate's issuer and serial, so the IIN, BIN and roles are read again from
 * the certificate: one Qorgau's CA issued and keeps, or one of another trusted CA (the national
 * CA) that pki kept when it was presented at sign-in, verified again (revocation, validity, trust).
 */
export function installOrgAuth(app: FastifyInstance): void {
  const sessions = app.personSessions;
  app.decorateRequest('orgActor', null);
  const holdings = new CertificateHoldings(app.database.db, app.database.readDb);
  const presented = new PresentedCertificates(app.database.db);
  let issuerDn: string | undefined;

  async function certifiedPerson(principal: PersonPrincipal): Promise<CertifiedPerson> {
    const pki = app.pki;
    issuerDn ??= pki ? CertificateInfo.parse(pki.issuing.der).subject : undefined;
    const held = pki && principal.certificateIssuer === issuerDn ? await holdings.bySerial(pki.issuing.name, principal.certificateSerial) : null;
    const certificate = held ? CertificateInfo.parse(held.der) : await otherCaCertificate(principal);
    const identity = signerIdentityOf(certificate);
    const iin = identity.iin?.valid ? identity.iin.value : null;
    if (!iin || !app.pseudonymizer.of(iin).equals(principal.personHash)) {
      throw AppError.forbidden(held ? 'CERTIFICATE_NOT_QORGAU' : 'CERTIFICATE_NOT_HOLDER', 'The session\'s certificate does not name the signed-in person');
    }
    const bin = identity.organization?.bin?.valid ? identity.organization.bin.value : null;
    const names = { surname: identity.surname ?? null, givenName: identity.givenName ?? null, patronymic: identity.patronymic ?? null };
    return { kind: 'person', iin, bin, roles: identity.roles, displayName: principal.displayName, names, session: principal };
  }

  /**
   * The certificate of another trusted CA (the national CA) that opened the session, as pki kept
   * it at sign-in, checked again now: a certificate revoked, expired or no longer trusted since
   * the sign-in administers nothing.
   */
  async function otherCaCertificate(principal: PersonPrincipal): Promise<CertificateInfo> {
    const der = await presented.find(principal.certificateIssuer, principal.certificateSerial);
    if (!der) {
      throw AppError.forbidden('CERTIFICATE_NOT_QORGAU', 'The session\'s certificate is neither Qorgau\'s nor one kept at sign-in: sign in again with your employee-auth certificate');
    }
    const report = await app.signatureVerifier.verifyCertificate(der);
    const problem = report.checks.find((c) => c.status === 'failed') ?? report.checks.find((c) => c.status === 'unknown');
    if (problem) {
      const code =
        problem.code === 'REVOKED' || problem.code === 'ISSUER_REVOKED' || problem.code === 'ON_HOLD'
          ? 'CERTIFICATE_REVOKED'
          : problem.check === 'certificate-validity'
            ? 'CERTIFICATE_EXPIRED'
            : problem.check === 'revocation'
              ? 'CERTIFICATE_REVOCATION_UNKNOWN'
              : 'CERTIFICATE_UNTRUSTED';
      throw AppError.forbidden(code, `The session's certificate may no longer be used: ${problem.reason}`);
    }
    return CertificateInfo.parse(der);
  }
  app.decorate('certifiedPerson', certifiedPerson);

  async function identify(request: FastifyRequest): Promise<OrgActor> {
    if (request.headers.authorization) {
      const presented = bearerCredential(request.headers.authorization, 'an HR-system credential, an admin token or a signed-in person', 'credential');
      if (looksLikeHrCredential(presented)) {
        const system = await authenticateHrCredential(app.database.db, presented);
        if (!system) throw AppError.unauthorized('AUTH_INVALID_CREDENTIAL', 'The HR-system credential is unknown, malformed or revoked');
        return system;
      }
      const principal = await authenticateApiToken(app.database.db, presented);
      if (!principal) throw AppError.unauthorized('AUTH_INVALID_TOKEN', 'The API token is unknown, malformed or revoked');
      if (principal.role !== 'admin') throw AppError.forbidden('AUTH_FORBIDDEN', 'Organization routes take an admin operator token, an HR-system credential or a signed-in person');
      return { kind: 'operator', tokenId: principal.tokenId, name: principal.name };
    }
    const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (!token) throw AppError.unauthorized('SESSION_REQUIRED', 'Sign in with your employee e-signature, or send an HR-system credential (Authorization: Bearer qhr_...)');
    const principal = await sessions.find(token);
    if (!principal) throw AppError.unauthorized('SESSION_INVALID', 'The session is unknown, expired or signed out: sign in again');
    request.person = principal;
    return certifiedPerson(principal);
  }

  app.decorate('requireOrgActor', function requireOrgActor(): preHandlerAsyncHookHandler {
    return authHook(async function (request) {
      request.orgActor = await identify(request);
    });
  });
}
