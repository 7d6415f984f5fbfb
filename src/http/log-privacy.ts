import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import pino from 'pino';
import type { Pseudonymizer } from '../privacy/pseudonym.js';

const TWELVE_DIGITS = /(?<!\d)\d{12}(?!\d)/g;

/**
 * Application logs never hold a raw IIN (DESIGN.md). Any run of twelve digits in a logged URL or
 * error is an IIN for all the log knows, so it is replaced by the first 16 hex digits of its
 * pseudonym: enough to follow one person through the logs and to find their rows, nothing to
 * read back. A BIN in a route's :bin parameter is an organization's and stays readable.
 */
export function maskIins(text: string, pseudonymizer: Pseudonymizer, keep: ReadonlySet<string> = new Set()): string {
  return text.replace(TWELVE_DIGITS, (digits) => (keep.has(digits) ? digits : `iin~${pseudonymizer.of(digits).toString('hex').slice(0, 16)}`));
}

function scrub(value: unknown, pseudonymizer: Pseudonymizer, depth = 0): unknown {
  if (typeof value === 'string') return maskIins(value, pseudonymizer);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, pseudonymizer, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, pseudonymizer, depth + 1)]));
}

/** pino serializers for requests and errors (a database error repeats the values it refused). */
export function privateSerializers(pseudonymizer: Pseudonymizer) {
  return {
    req(request: FastifyRequest) {
      const bin = (request.params as Record<string, unknown> | undefined)?.bin;
      return {
        method: request.method,
        url: maskIins(request.url, pseudonymizer, new Set(typeof bin === 'string' ? [bin] : [])),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      };
    },
    err(error: Error) {
      return scrub(pino.stdSerializers.err(error), pseudonymizer) as { [key: string]: unknown; type: string; message: string; stack: string };
    },
  };
}

/** The logger options of buildApp with the private serializers added (false stays false). */
export function withPrivateSerializers(logger: FastifyServerOptions['logger'], level: string, pseudonymizer: Pseudonymizer): FastifyServerOptions['logger'] {
  if (logger === false) return false;
  const base = logger === undefined || logger === true ? { level } : logger;
  return { ...base, serializers: { ...(base.serializers ?? {}), ...privateSerializers(pseudonymizer) } };
}
