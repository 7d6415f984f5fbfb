import type { FastifyInstance, onRequestAsyncHookHandler, preHandlerAsyncHookHandler, RouteOptions } from 'fastify';
import { requireValidIin, type OrganizationsService, type OrgAction } from './organizations.service.js';

const asArray = <T>(hooks: T | T[] | undefined): T[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]);

/** Bearer: an admin operator token or the organization's HR-system credential (qhr_...); or a signed-in person. */
export const ORG_SECURITY: Record<string, string[]>[] = [{ personSession: [] }, { operatorToken: [] }];

/**
 * An onRoute hook that gives every route declaring `config.org` its guards: the actor is
 * identified at onRequest (before the body is read), and admitted for the route's BIN after
 * validation, before the handler. The route's OpenAPI security is the organization's unless it
 * names its own.
 */
export function orgAccess(app: FastifyInstance, organizations: OrganizationsService): (route: RouteOptions) => void {
  const identify = app.requireOrgActor() as unknown as onRequestAsyncHookHandler;
  const admit = (access: OrgAction): preHandlerAsyncHookHandler =>
    async function admitForBin(request) {
      const { bin, iin } = request.params as { bin: string; iin?: string };
      await organizations.authorize(request.orgActor, bin, access);
      if (iin !== undefined) requireValidIin(iin);
    };
  return (route) => {
    const access = route.config?.org;
    if (!access) return;
    route.onRequest = [identify, ...asArray(route.onRequest)];
    if (access !== 'enrol') route.preHandler = [admit(access), ...asArray(route.preHandler)];
    if (route.schema && !route.schema.security) route.schema.security = ORG_SECURITY;
  };
}
