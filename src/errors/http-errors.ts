import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, problemOf, type ErrorKind, type Problem } from './app-error.js';

/** The one place an error kind becomes an HTTP status. */
export const HTTP_STATUS_OF_KIND: Record<ErrorKind, number> = {
  malformed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media: 415,
  unprocessable: 422,
  rate_limited: 429,
  upstream: 502,
  unavailable: 503,
};

/** The kind a status stands for, for a problem document read back from a server (the CLI). */
export function kindOfStatus(status: number): ErrorKind {
  const kind = (Object.keys(HTTP_STATUS_OF_KIND) as ErrorKind[]).find((k) => HTTP_STATUS_OF_KIND[k] === status);
  return kind ?? (status >= 500 ? 'unavailable' : 'malformed');
}
import { databaseFaultOf } from '../db/database-faults.js';

/** Fastify's own error codes, mapped to our stable codes. */
export const FASTIFY_CODES: Record<string, { status: number; code: string; detail?: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'INVALID_CONTENT_LENGTH' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'The request body is larger than this route accepts' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', detail: 'The JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON' },
  FST_ERR_CTP_EMPTY_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'A Content-Type header is required' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_BAD_URL: { status: 400, code: 'MALFORMED_URL', detail: 'The URL is not validly percent-encoded UTF-8' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'URI_TOO_LONG', detail: 'A path segment is too long for any resource' },
  FST_ERR_NOT_FOUND: { status: 404, code: 'ROUTE_NOT_FOUND', detail: 'No such route' },
};

/** A stable code for any other 4xx the framework or a library raises, by status. */
export const CODES_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  411: 'LENGTH_REQUIRED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
};

/**
 * PostgreSQL data exceptions (SQLSTATE class 22: a value too long, out of range, not valid
 * text for its type, U+0000 in text) come from input that validation should have refused.
 * As a last line they are a 400 with this code, never a 500 and never the database's words;
 * the malformed-input test fails on this code, so each one is fixed where the input enters.
 */
export const UNVALIDATED_INPUT = 'INVALID_VALUE';

function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/** The problem document for any error; the detail of a 5xx never carries the error's own text. */
export function problemFor(error: FastifyError | AppError | Error, instance?: string): Problem {
  let status = 500;
  let code = 'INTERNAL';
  let detail = 'An unexpected error occurred; it has been logged';
  let extras: Record<string, unknown> = {};
  const fe = error as FastifyError;
  if (error instanceof AppError) {
    status = HTTP_STATUS_OF_KIND[error.kind];
    code = error.code;
    detail = error.message;
    extras = error.extras;
  } else if (fe.validation) {
    status = 400;
    code = 'VALIDATION_FAILED';
    detail = `${fe.validationContext ?? 'request'}${fe.message.replace(/^(body|querystring|params|headers)/, '')}`;
    extras = {
      errors: fe.validation.slice(0, 20).map((v) => ({ path: v.instancePath || '/', message: v.message ?? 'invalid' })),
    };
  } else if (fe.code && FASTIFY_CODES[fe.code]) {
    const mapped = FASTIFY_CODES[fe.code];
    status = mapped.status;
    code = mapped.code;
    detail = mapped.detail ?? error.message;
  } else if (databaseFaultOf(error)) {
    // The database is away, read-only or out of disk: the request may succeed later (503, not 500).
    const fault = databaseFaultOf(error)!;
    status = 503;
    code = fault.code;
    detail = fault.detail;
    extras = { retryAfter: fault.retryAfter };
  } else if (isDataException(error)) {
    status = 400;
    code = UNVALIDATED_INPUT;
    detail = 'A value in the request is malformed or out of range for what it names; check the fields against the API documentation';
  } else if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    status = fe.statusCode;
    code = CODES_BY_STATUS[status] ?? 'BAD_REQUEST';
    detail = error.message;
  }
  return problemOf(status, code, detail, extras, instance);
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, error: Error) {
  const problem = problemFor(error, request.url);
  // A 5xx's own text and its cause (a database's words) go to the log only: pino's err serializer
  // joins the causes' messages and stacks, and scrubs IINs (log-privacy.ts).
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  if (problem.status === 503) reply.header('retry-after', String(typeof problem.retryAfter === 'number' ? problem.retryAfter : 2));
  else request.log.info({ code: problem.code, status: problem.status }, 'request refused');
  // A refusal that says how long to wait says it in the standard header too (RFC 9110 10.2.3).
  if (typeof problem.retryAfterSeconds === 'number' && !reply.hasHeader('retry-after')) reply.header('retry-after', String(problem.retryAfterSeconds));
  // Serialized here, not by the route's response schema: a route that answers 400 with DER
  // (OCSP, TSA) would otherwise turn the problem object into "[object Object]".
  return reply.status(problem.status).type('application/problem+json; charset=utf-8').serializer(JSON.stringify).send(problem);
}

/**
 * Errors the framework answers before any route or error handler: a URL that is not valid
 * percent-encoding, an over-long path parameter (`frameworkErrors`), and what the HTTP parser
 * refuses on the socket, such as headers over the size limit (`clientErrorHandler`).
 */
export const problemServerOptions: Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> = {
  frameworkErrors: (error, request, reply) => sendProblem(request, reply, error),
  clientErrorHandler: (error: Error & { code?: string }, socket: Socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
    const [status, code, detail] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'The request line and headers are too large: shorten the query string or the headers']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'REQUEST_TIMEOUT', 'The request was not received in time']
          : [400, 'MALFORMED_HTTP', 'The request is not valid HTTP/1.1'];
    const body = JSON.stringify(problemOf(status, code, detail));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  },
};

/**
 * Codes the HTTP layer answers by itself (framework and socket errors, validation, the last line
 * for unexpected errors), with their status: listed in docs/errors.md beside ERROR_CODES.
 */
export const EDGE_CODES: { code: string; status: number; meaning: string }[] = [
  { code: 'VALIDATION_FAILED', status: 400, meaning: 'The request does not match the route\'s schema; `errors` lists each field and what is wrong' },
  { code: UNVALIDATED_INPUT, status: 400, meaning: 'A value is malformed or out of range for the database (a last line: the route should have refused it first)' },
  ...Object.values(FASTIFY_CODES).map(({ code, status, detail }) => ({ code, status, meaning: detail ?? 'The framework refused the request (the detail says why)' })),
  ...Object.entries(CODES_BY_STATUS).map(([status, code]) => ({ code, status: Number(status), meaning: 'Another refusal by the framework or a library, by its status' })),
  { code: 'HEADERS_TOO_LARGE', status: 431, meaning: 'The request line and headers are too large' },
  { code: 'REQUEST_TIMEOUT', status: 408, meaning: 'The request was not received in time' },
  { code: 'MALFORMED_HTTP', status: 400, meaning: 'The request is not valid HTTP/1.1' },
  { code: 'INTERNAL', status: 500, meaning: 'An unexpected error; it is logged, and its text never reaches the client' },
].filter((entry, index, all) => all.findIndex((e) => e.code === entry.code && e.status === entry.status) === index);

/** Renders every error as RFC 9457 application/problem+json; nothing else reaches a client. */
export const problemPlugin = fp(
  async function problems(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => sendProblem(request, reply, error));
    app.setNotFoundHandler((request, reply) => {
      reply
        .status(404)
        .type('application/problem+json; charset=utf-8')
        .serializer(JSON.stringify)
        .send(problemOf(404, 'ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`, {}, request.url));
    });
  },
  { name: 'problems' },
);
