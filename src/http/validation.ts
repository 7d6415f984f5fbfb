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

/**
 * Dates and times that JavaScript, node-postgres and PostgreSQL all read as the same instant:
 * RFC 3339 with an upper-case T and a zone (Z or ±hh:mm up to 14 hours), no leap second
 * (JavaScript has none, so "23:59:60" became an invalid Date), and an instant in the years
 * 0001–9999 (a year 0 in UTC, as "0001-01-01T00:00:00+14:00" is, PostgreSQL refuses).
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-](0\d|1[0-4]):([0-5]\d))$/;
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= days[month - 1];
}

function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m || !isCalendarDate(m[1])) return false;
  const instant = Date.parse(text);
  return instant >= EARLIEST && instant <= LATEST;
}

type BuildValidator = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>;

const pool = AjvCompiler();

const buildValidator: BuildValidator = (externalSchemas, ajvServerOptions) => {
  const options = (customOptions: object) => ({
    ...(ajvServerOptions as object),
    customOptions: { ...((ajvServerOptions as { customOptions?: object })?.customOptions ?? {}), ...customOptions },
    onCreate: (ajv: { addFormat(name: string, format: RegExp | ((text: string) => boolean)): unknown }) => {
      ajv.addFormat('uuid', UUID);
      ajv.addFormat('date', isCalendarDate);
      ajv.addFormat('date-time', isDateTime);
    },
  });
  const forBody = pool(externalSchemas, options(BODY) as never);
  const forText = pool(externalSchemas, options(TEXT) as never);
  return (route) => (route.httpPart === 'body' ? forBody(route) : forText(route));
};

export const schemaController: FastifyServerOptions['schemaController'] = { compilersFactory: { buildValidator } };
