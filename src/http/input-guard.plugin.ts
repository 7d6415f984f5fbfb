import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors/app-error.js';

/**
 * Refuses, for every route, input that no schema keyword describes and that would otherwise
 * reach SQL or a parser: control characters (PostgreSQL cannot store U+0000 in text at all),
 * text that is not well-formed Unicode (a lone surrogate), numbers that are not finite, and
 * bodies missing or of a media type the route does not declare. Each refusal is a 400 or 415
 * problem document naming the field, before any handler or database work.
 */

/** In a path or a query string no control character has a meaning. */
const CONTROL_IN_TEXT = /[\u0000-\u001f\u007f]/;
/** In a body, tabs and line breaks are text (descriptions, PEM, CSV); other controls are not. */
const CONTROL_IN_BODY = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

type Part = 'params' | 'querystring' | 'body';

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

function checkText(text: string, where: string, control: RegExp): void {
  const found = control.exec(text);
  if (found) {
    throw AppError.badRequest('CONTROL_CHARACTER', `${where} contains the control character ${codePoint(found[0])}; remove it and send plain text`, { path: where });
  }
  if (LONE_SURROGATE.test(text)) {
    throw AppError.badRequest('INVALID_TEXT', `${where} is not well-formed Unicode text (a lone surrogate); send UTF-8 text`, { path: where });
  }
}

/**
 * Visits every string (and property name) and number in a parsed value without recursion:
 * a deeply nested JSON body must not overflow the stack.
 */
function walk(root: unknown, part: Part, visit: { text?: (text: string, where: string) => void; number?: (value: number, where: string) => void }): void {
  const stack: { value: unknown; where: string }[] = [{ value: root, where: part }];
  while (stack.length > 0) {
    const { value, where } = stack.pop()!;
    if (typeof value === 'string') visit.text?.(value, where);
    else if (typeof value === 'number') visit.number?.(value, where);
    else if (Array.isArray(value)) value.forEach((item, i) => stack.push({ value: item, where: `${where}/${i}` }));
    else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && !isStream(value)) {
      for (const [key, item] of Object.entries(value)) {
        visit.text?.(key, `${where} (a property name)`);
        stack.push({ value: item, where: `${where}/${key}` });
      }
    }
  }
}

function isStream(value: object): boolean {
  return typeof (value as { pipe?: unknown }).pipe === 'function';
}

/** The media types a route declares for its body (`schema.body.content`), if it lists them. */
function declaredMediaTypes(request: FastifyRequest): string[] | undefined {
  const body = (request.routeOptions.schema as { body?: { content?: Record<string, unknown> } } | undefined)?.body;
  return body?.content ? Object.keys(body.content) : undefined;
}

function mediaType(request: FastifyRequest): string | undefined {
  return request.headers['content-type']?.split(';')[0].trim().toLowerCase() || undefined;
}

export const inputGuardPlugin = fp(
  async function inputGuard(app: FastifyInstance) {
    app.addHook('preValidation', async (request) => {
      // Fastify validates a body against `schema.body.content` only for the types listed there;
      // another type (text/plain has a default parser) or no body would reach the handler unchecked.
      const declared = declaredMediaTypes(request);
      if (declared) {
        const type = mediaType(request);
        if (request.body === undefined || request.body === null) {
          throw AppError.badRequest('BODY_REQUIRED', `This route needs a request body: send ${declared.join(' or ')}`);
        }
        if (!type || !declared.includes(type)) {
          throw new AppError('unsupported_media', 'UNSUPPORTED_MEDIA_TYPE', `Send the body as ${declared.join(' or ')}${type ? `, not ${type}` : ''}`);
        }
      }
      walk(request.params, 'params', { text: (text, where) => checkText(text, where, CONTROL_IN_TEXT) });
      walk(request.query, 'querystring', { text: (text, where) => checkText(text, where, CONTROL_IN_TEXT) });
      walk(request.body, 'body', { text: (text, where) => checkText(text, where, CONTROL_IN_BODY) });
    });

    // After validation: Ajv coerces "Infinity" and "1e309" in a query string to a number and then
    // skips minimum/maximum for it, and JSON.parse reads 1e309 as Infinity.
    app.addHook('preHandler', async (request) => {
      for (const part of ['params', 'querystring', 'body'] as const) {
        walk(part === 'querystring' ? request.query : request[part], part, {
          number: (n, where) => {
            if (!Number.isFinite(n)) throw AppError.badRequest('VALIDATION_FAILED', `${where} must be a finite number`);
          },
        });
      }
    });
  },
  { name: 'input-guard' },
);
