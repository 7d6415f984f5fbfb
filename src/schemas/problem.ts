import { Type } from '@sinclair/typebox';

/**
 * The RFC 9457 problem document every error is answered with (see errors/http-errors.ts), as a
 * route response schema. Extension members (`errors`, `retryAfter`, ...) pass through.
 */
export const Problem = Type.Object(
  { type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.String(), code: Type.String() },
  { additionalProperties: true, description: 'RFC 9457 problem document' },
);

/** Response schemas for the given error statuses: `response: { 200: X, ...problems(400, 404) }`. */
export const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Problem]));
