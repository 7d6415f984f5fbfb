import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors/app-error.js';
import { personalSessionRequired } from '../errors/personal-session.js';
import { authHook, moveAuthHooksToOnRequest } from '../auth/auth-hooks.js';
import { authenticateApiToken, type Principal, type TokenRole } from '../auth/api-tokens.js';
import { cookieValue, ownCaCertificateCheck, SESSION_COOKIE, SessionStore, type PersonPrincipal } from '../features/signin/index.js';
import { LenderKeyAuthenticator, looksLikeLenderKey, type LenderPrincipal, type LenderScope } from '../features/credit/index.js';
import { installOrgAuth } from '../features/signatures/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** A preHandler that admits only a principal holding one of the roles. */
    requireRole(...roles: TokenRole[]): preHandlerAsyncHookHandler;
    /**
     * A preHandler that admits only a person signed in with e-signature (session cookie); sets request.person.
     * With `personal`, only a session opened with an individual certificate: one opened with an employee
     * certificate acts for the organization, not for the person's own protection (403 PERSONAL_SESSION_REQUIRED).
     */
    requirePerson(options?: { personal?: string }): preHandlerAsyncHookHandler;
    /** A preHandler that admits only a lender API key holding the scope (sets request.lender). */
    requireLenderScope(scope: LenderScope): preHandlerAsyncHookHandler;
  }
  interface FastifyRequest {
    principal: Principal | null;
    person: PersonPrincipal | null;
    lender: LenderPrincipal | null;
  }
}

/**
 * All authentication lives here. Today: operator API tokens (Bearer). E-signature
 * sign-in for people plugs in here later, behind the same `principal`.
 */
export const authPlugin = fp(
  async function auth(app: FastifyInstance) {
    app.decorateRequest('principal', null);
    app.decorateRequest('person', null);
    // Routes name their guard as a preHandler; it runs at onRequest, before any body is read.
    app.addHook('onRoute', moveAuthHooksToOnRequest);
    const sessions = new SessionStore(app.database.db, undefined, ownCaCertificateCheck(app.database.db, app.pki));
    installOrgAuth(app, sessions);

    app.decorate('requirePerson', function requirePerson(options: { personal?: string } = {}): preHandlerAsyncHookHandler {
      return authHook(async function (request) {
        const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
        if (!token) throw AppError.unauthorized('SESSION_REQUIRED', 'Sign in with your e-signature first (POST /v1/auth/challenge, then POST /v1/auth/signin)');
        const person = await sessions.find(token);
        if (!person) throw AppError.unauthorized('SESSION_INVALID', 'The session is unknown, expired or signed out: sign in again');
        if (options.personal && person.holder !== 'individual') throw personalSessionRequired(options.personal);
        request.person = person;
      });
    });

    async function identify(request: FastifyRequest): Promise<Principal> {
      const header = request.headers.authorization;
      if (!header) throw AppError.unauthorized('AUTH_REQUIRED', 'This route needs an API token: send "Authorization: Bearer <token>"');
      const [scheme, token] = header.split(' ', 2);
      if (scheme?.toLowerCase() !== 'bearer' || !token) {
        throw AppError.unauthorized('AUTH_SCHEME', 'Use "Authorization: Bearer <token>"');
      }
      const principal = await authenticateApiToken(app.database.db, token.trim());
      if (!principal) throw AppError.unauthorized('AUTH_INVALID_TOKEN', 'The API token is unknown, malformed or revoked');
      return principal;
    }

    app.decorateRequest('lender', null);
    const lenderKeys = new LenderKeyAuthenticator(app.database.db);
    app.decorate('requireLenderScope', function requireLenderScope(scope: LenderScope): preHandlerAsyncHookHandler {
      return authHook(async function (request) {
        const header = request.headers.authorization;
        if (!header) throw AppError.unauthorized('AUTH_REQUIRED', 'This route needs a lender API key: send "Authorization: Bearer <key>"');
        const [scheme, key] = header.split(' ', 2);
        if (scheme?.toLowerCase() !== 'bearer' || !key) throw AppError.unauthorized('AUTH_SCHEME', 'Use "Authorization: Bearer <key>"');
        const lender = looksLikeLenderKey(key.trim()) ? await lenderKeys.authenticate(key.trim()) : null;
        if (!lender) throw AppError.unauthorized('AUTH_INVALID_KEY', 'The lender API key is unknown, malformed or revoked');
        if (!lender.scopes.includes(scope)) throw AppError.forbidden('AUTH_SCOPE', `This route needs a key with the scope ${scope}`);
        request.lender = lender;
      });
    });

    app.decorate('requireRole', function requireRole(...roles: TokenRole[]): preHandlerAsyncHookHandler {
      return authHook(async function (request) {
        const principal = await identify(request);
        if (principal.role !== 'admin' && !roles.includes(principal.role)) {
          throw AppError.forbidden('AUTH_FORBIDDEN', `This route needs the role ${roles.join(' or ')}`);
        }
        request.principal = principal;
      });
    });
  },
  { name: 'auth', dependencies: ['database'] },
);
