import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors/app-error.js';
import { authenticateApiToken, type Principal, type TokenRole } from '../auth/api-tokens.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** A preHandler that admits only a principal holding one of the roles. */
    requireRole(...roles: TokenRole[]): preHandlerAsyncHookHandler;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/**
 * All authentication lives here. Today: operator API tokens (Bearer). E-signature
 * sign-in for people plugs in here later, behind the same `principal`.
 */
export const authPlugin = fp(
  async function auth(app: FastifyInstance) {
    app.decorateRequest('principal', null);

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

    app.decorate('requireRole', function requireRole(...roles: TokenRole[]): preHandlerAsyncHookHandler {
      return async function (request) {
        const principal = await identify(request);
        if (principal.role !== 'admin' && !roles.includes(principal.role)) {
          throw AppError.forbidden('AUTH_FORBIDDEN', `This route needs the role ${roles.join(' or ')}`);
        }
        request.principal = principal;
      };
    });
  },
  { name: 'auth', dependencies: ['database'] },
);
