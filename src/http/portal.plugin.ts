import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `vite build` puts the portal (web/dist). */
export const PORTAL_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Paths that belong to the API: never answered with the portal's page. */
const API_PATHS = /^\/(v1|pki|docs|healthz|readyz|metrics)(\/|$|\?)/;

/**
 * Serves the built portal at `/` and answers any other non-API GET with its index.html, so a
 * reload on /me/restrictions works. Without a build (tests that only use the API) nothing is
 * registered.
 */
export async function portalPlugin(app: FastifyInstance, options: { dir?: string } = {}) {
  const root = options.dir ?? PORTAL_DIR;
  if (!existsSync(`${root}/index.html`)) return;
  await app.register(fastifyStatic, { root, wildcard: false, index: false, cacheControl: false, setHeaders: (res, path) => {
    // File names under assets/ carry a content hash: cache them for long; the page itself never.
    res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  } });
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    if (API_PATHS.test(request.url)) {
      // This catch-all also catches API paths whose parameter was too long for the router (over
      // maxParamLength): answer them as the router would have, 414, not as an unknown route.
      const path = request.url.split('?')[0];
      if (path.split('/').some((segment) => segment.length > 100)) {
        throw Object.assign(new Error('A path segment is too long'), { code: 'FST_ERR_MAX_PARAM_LENGTH', statusCode: 414 });
      }
      return reply.callNotFound();
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
}
