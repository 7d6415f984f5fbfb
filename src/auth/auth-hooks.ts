import type { preHandlerAsyncHookHandler, RouteOptions } from 'fastify';
import { AppError } from '../errors/app-error.js';

/** Refusals that mean a credential was presented and is not one of ours: a guess, counted per address. */
const GUESSES = new Set(['AUTH_INVALID_TOKEN', 'AUTH_INVALID_KEY', 'AUTH_INVALID_CREDENTIAL', 'SESSION_INVALID']);

/**
 * Authentication must refuse a request at its headers: run as a preHandler, a guard would
 * wait for the body to be read and parsed (30 MB from anyone). Guards are written as
 * preHandlers (the decorators' documented shape) and marked here; every route that names one
 * gets it moved to onRequest when it is registered. A guard reads only headers and params.
 */
const AUTH_HOOK = Symbol('qorgau.authHook');

type Marked = preHandlerAsyncHookHandler & { [AUTH_HOOK]?: true };

export function authHook(hook: preHandlerAsyncHookHandler): preHandlerAsyncHookHandler {
  const guard: Marked = async function (this: unknown, request, reply) {
    // Absent only in an app built without the rate-limits plugin.
    const limits = request.server.rateLimits as typeof request.server.rateLimits | undefined;
    // Whatever a credential opens is someone's data (a person's protection, a lender's checks,
    // an organization's staff): no shared or browser cache keeps it.
    reply.header('cache-control', 'no-store');
    try {
      await hook.call(this as never, request, reply);
    } catch (err) {
      // A refused upload is not drained: the connection closes after the answer.
      if (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0') reply.header('connection', 'close');
      else if (request.headers['transfer-encoding'] !== undefined) reply.header('connection', 'close');
      if (limits && err instanceof AppError && GUESSES.has(err.code)) {
        const refusal = await limits.failure(reply, 'credentialFailures', request.ip);
        if (refusal) throw refusal;
      }
      throw err;
    }
    // An address over its limit is refused even with a valid credential: were it let through,
    // a guesser would tell a right guess from a wrong one by the answer.
    if (limits) await limits.refuseIfReached(reply, 'credentialFailures', request.ip);
  };
  guard[AUTH_HOOK] = true;
  return guard;
}

export const isAuthHook = (hook: unknown): boolean => typeof hook === 'function' && (hook as Marked)[AUTH_HOOK] === true;

/** An onRoute hook: the route's marked guards leave preHandler and run first at onRequest. */
export function moveAuthHooksToOnRequest(route: RouteOptions): void {
  if (!route.preHandler) return;
  const pre = (Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]) as unknown[];
  const guards = pre.filter(isAuthHook);
  if (guards.length === 0) return;
  const rest = pre.filter((hook) => !isAuthHook(hook));
  const on = route.onRequest ? (Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]) : [];
  route.onRequest = [...(guards as never[]), ...on] as RouteOptions['onRequest'];
  route.preHandler = rest.length > 0 ? (rest as RouteOptions['preHandler']) : undefined;
}
