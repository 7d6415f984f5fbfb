import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../../errors/app-error.js';
import { authenticateApiToken } from '../../auth/api-tokens.js';
import { cookieValue, SESSION_COOKIE, type PersonPrincipal, type SessionStore } from '../signin/sessions.js';
import { CertificateInfo } from '../pki/cms/certificate.js';
import { signerIdentityOf } from '../pki/cms/signer-identity.js';
import { CertificateHoldings } from '../pki/issuance/certificate-holdings.js';
import { authenticateHrCredential, looksLikeHrCredential } from './organizations.credentials.js';

/** A person signed in with a certificate of Qorgau's own CA, as that certificate names them. */
export interface CertifiedPerson {
  kind: 'person';
  iin: string;
  /** The organization BIN in the certificate's OU, for an employee certificate. */
  bin: string | null;
  /** Role names from the certificate's EKU (first-head, hr, may-sign, ...). */
  roles: string[];
  displayName: string;
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
    /** The signed-in person as their Qorgau certificate names them (IIN, BIN, roles). */
    certifiedPerson(principal: PersonPrincipal): Promise<CertifiedPerson>;
  }
  interface FastifyRequest {
    orgActor: OrgActor | null;
  }
}

export const actorLabel = (actor: OrgActor): string =>
  actor.kind === 'person' ? `person:${actor.session.personHash.toString('hex').slice(0, 16)}` : actor.kind === 'hr-system' ? `hr-system:${actor.credentialId}` : `operator:${actor.name}`;

/**
 * Installed by the auth plugin (all authentication lives there). A session keeps only the
 * pseudonym and the certificate's serial, so the IIN, BIN and roles are read again from the
 * certificate, which Qorgau's CA issued and keeps; certificates of other CAs are not held here.
 */
export function installOrgAuth(app: FastifyInstance, sessions: SessionStore): void {
  app.decorateRequest('orgActor', null);
  const holdings = new CertificateHoldings(app.database.db, app.database.readDb);
  let issuerDn: string | undefined;

  async function certifiedPerson(principal: PersonPrincipal): Promise<CertifiedPerson> {
    const pki = app.pki;
    issuerDn ??= pki ? CertificateInfo.parse(pki.issuing.der).subject : undefined;
    const held = pki && principal.certificateIssuer === issuerDn ? await holdings.bySerial(pki.issuing.name, principal.certificateSerial) : null;
    if (!held) {
      throw AppError.forbidden('CERTIFICATE_NOT_QORGAU', 'This needs a sign-in with a certificate issued by Qorgau\'s CA (an employee or personal certificate held here)');
    }
    const identity = signerIdentityOf(CertificateInfo.parse(held.der));
    const iin = identity.iin?.valid ? identity.iin.value : null;
    if (!iin || !app.pseudonymizer.of(iin).equals(principal.personHash)) {
      throw AppError.forbidden('CERTIFICATE_NOT_QORGAU', 'The session\'s certificate does not name the signed-in person');
    }
    const bin = identity.organization?.bin?.valid ? identity.organization.bin.value : null;
    return { kind: 'person', iin, bin, roles: identity.roles, displayName: principal.displayName, session: principal };
  }
  app.decorate('certifiedPerson', certifiedPerson);

  async function identify(request: FastifyRequest): Promise<OrgActor> {
    const header = request.headers.authorization;
    if (header) {
      const [scheme, token] = header.split(' ', 2);
      if (scheme?.toLowerCase() !== 'bearer' || !token) throw AppError.unauthorized('AUTH_SCHEME', 'Use "Authorization: Bearer <credential>"');
      const presented = token.trim();
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
    return async function (request) {
      request.orgActor = await identify(request);
    };
  });
}
