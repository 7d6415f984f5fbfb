import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors/app-error.js';
import { personalSessionRequired } from '../errors/personal-session.js';
import { authHook, moveAuthHooksToOnRequest } from '../auth/auth-hooks.js';
import { bearerCredential } from '../auth/bearer.js';
import { authenticateApiToken, type Principal, type TokenRole } from '../auth/api-tokens.js';
import { cookieValue, SESSION_COOKIE, type PersonPrincipal } from '../features/signin/index.js';
import type { LenderPrincipal, LenderScope } from '../features/credit/index.js';

/**
 * What the features that own a credential lend to authentication, wired by buildApp(): the auth
 * plugin knows how a credential is presented and refused, never the tables behind it.
 */
export interface AuthPorts {
  /** The person a session cookie's token opens (signin's SessionStore), or null. */
  personSessions(app: FastifyInstance): { find(token: string): Promise<PersonPrincipal | null> };
  /** The lender a key opens (credit's lender keys), or null; `looksLike` spares the database a token of another kind. */
  lenderKeys(app: FastifyInstance): { looksLike(key: string): boolean; authenticate(key: string): Promise<LenderPrincipal | null> };
}

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
    /** The session a cookie's token opens, for guards of other credentials (organizations' actors). */
    personSessions: ReturnType<AuthPorts['personSessions']>;
  }
  interface FastifyRequest {
    principal: Principal | null;
    person: PersonPrincipal | null;
    lender: LenderPrincipal | null;
  }
}

/**
 * All authentication of people, operators and lenders: how each credential is presented, read
 * and refused, as guards routes name (they run at onRequest, before any body is read). The
 * features that own sessions and lender keys lend them through `AuthPorts`; organizations add
 * their actors (HR systems) on top with the same hooks (signatures/organizations.auth.ts).
 */
export const authPlugin = fp<AuthPorts>(
  async function auth(app: FastifyInstance, ports: AuthPorts) {
    app.decorateRequest('principal', null);
    app.decorateRequest('person', null);
    app.decorateRequest('lender', null);
    // Routes name their guard as a preHandler; it runs at onRequest, before any body is read.
    app.addHook('onRoute', moveAuthHooksToOnRequest);
    const sessions = ports.personSessions(app);
    app.decorate('personSessions', sessions);

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
      const token = bearerCredential(request.headers.authorization, 'an API token');
      const principal = await authenticateApiToken(app.database.db, token);
      if (!principal) throw AppError.unauthorized('AUTH_INVALID_TOKEN', 'The API token is unknown, malformed or revoked');
      return principal;
    }

    const lenderKeys = ports.lenderKeys(app);
    app.decorate('requireLenderScope', function requireLenderScope(scope: LenderScope): preHandlerAsyncHookHandler {
      return authHook(async function (request) {
        const key = bearerCredential(request.headers.authorization, 'a lender API key', 'key');
        const lender = lenderKeys.looksLike(key) ? await lenderKeys.authenticate(key) : null;
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
