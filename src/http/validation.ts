import type { FastifyServerOptions } from 'fastify';
import { AjvCompiler } from '@fastify/ajv-compiler';

/**
 * How request schemas are compiled. Two Ajv instances:
 * - bodies are JSON, which has real types: no coercion, so `"title": 12345` or
 *   `"dataCategories": true` is refused instead of becoming "12345" or ["true"];
 * - the path and the query string are text, so numbers and booleans there are coerced,
 *   and a lone value becomes a one-item array (`?category=iin`).
 * Both refuse NaN and ±Infinity as numbers (strictNumbers). Ajv skips minimum/maximum for
 * a coerced non-finite number ("Infinity", "1e309"), so the input guard also refuses any
 * non-finite number left after coercion.
 */
const common = { removeAdditional: false, allErrors: false, strictNumbers: true, useDefaults: true } as const;
const BODY = { ...common, coerceTypes: false } as const;
const TEXT = { ...common, coerceTypes: 'array' } as const;

/** ajv-formats also accepts a "urn:uuid:" prefix, which PostgreSQL does not; ids here are the bare 36 characters. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type BuildValidator = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>;

const pool = AjvCompiler();

const buildValidator: BuildValidator = (externalSchemas, ajvServerOptions) => {
  const options = (customOptions: object) => ({
    ...(ajvServerOptions as object),
    customOptions: { ...((ajvServerOptions as { customOptions?: object })?.customOptions ?? {}), ...customOptions },
    onCreate: (ajv: { addFormat(name: string, format: RegExp): unknown }) => ajv.addFormat('uuid', UUID),
  });
  const forBody = pool(externalSchemas, options(BODY) as never);
  const forText = pool(externalSchemas, options(TEXT) as never);
  return (route) => (route.httpPart === 'body' ? forBody(route) : forText(route));
};

export const schemaController: FastifyServerOptions['schemaController'] = { compilersFactory: { buildValidator } };
