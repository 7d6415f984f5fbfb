import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The portal is a React single-page app served from this origin: its scripts and styles are
 * files of this origin (React sets inline style attributes, hence 'unsafe-inline' for styles
 * only), pictures may be data: or blob: URLs (a webcam snapshot for identity proofing), and the
 * webcam's stream plays in a <video>. Nothing may frame any page (clickjacking).
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:', 'mediastream:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  workerSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

/**
 * Helmet's headers for these options, worked out once. @fastify/helmet builds helmet's
 * middleware again for every request (its Content-Security-Policy is parsed each time: about a
 * tenth of the CPU of a small answer such as OCSP's); the headers never depend on the request.
 */
function helmetHeaders(options: HelmetOptions): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => void headers.push([name.toLowerCase(), String(value)]),
    removeHeader: () => {},
  };
  let failed: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => (failed = err));
  if (failed) throw failed;
  return headers;
}

/** Security headers on every answer, errors and 404s included. */
export const securityHeadersPlugin = fp(
  async function securityHeaders(app: FastifyInstance) {
    const httpsPublicUrl = app.config.publicUrl.startsWith('https:');
    const headers = helmetHeaders({
      contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
      // Sent below, and only where the client came over TLS: over plain HTTP it means nothing.
      strictTransportSecurity: false,
      referrerPolicy: { policy: 'no-referrer' },
      frameguard: { action: 'deny' },
      crossOriginEmbedderPolicy: false,
      crossOriginResourcePolicy: { policy: 'same-origin' },
    });
    // The webcam (identity proofing) and the location (the nearest literacy center, asked only
    // when the person clicks for it) are for this origin only; nothing else is asked for.
    headers.push(['permissions-policy', 'camera=(self), microphone=(), geolocation=(self), payment=()']);
    app.addHook('onRequest', function securityHeaders(request, reply, done) {
      for (const [name, value] of headers) reply.header(name, value);
      const forwardedProto = String(request.headers['x-forwarded-proto'] ?? '').split(',')[0].trim().toLowerCase();
      if (httpsPublicUrl || request.protocol === 'https' || forwardedProto === 'https') {
        reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
      }
      // Challenges, sessions and sign-in refusals are per person too (guarded routes say it in auth-hooks.ts).
      if (request.url.startsWith('/v1/auth/')) reply.header('cache-control', 'no-store');
      done();
    });
  },
  { name: 'security-headers', dependencies: ['database'] },
);
