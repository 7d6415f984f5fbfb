import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, problemOf } from './app-error.js';

/** Fastify's own error codes, mapped to our stable codes. */
const FASTIFY_CODES: Record<string, { status: number; code: string; detail?: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'INVALID_CONTENT_LENGTH' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'The request body is larger than this route accepts' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', detail: 'The JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON' },
  FST_ERR_CTP_EMPTY_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'A Content-Type header is required' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
};

/** Renders every error as RFC 9457 application/problem+json; nothing else reaches a client. */
export const problemPlugin = fp(
  async function problems(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError | AppError | Error, request, reply) => {
      let status = 500;
      let code = 'INTERNAL';
      let detail = 'An unexpected error occurred; it has been logged';
      let extras: Record<string, unknown> = {};
      if (error instanceof AppError) {
        ({ status, code } = error);
        detail = error.message;
        extras = error.extras;
      } else if ((error as FastifyError).validation) {
        status = 400;
        code = 'VALIDATION_FAILED';
        const fe = error as FastifyError;
        detail = `${fe.validationContext ?? 'request'}${fe.message.replace(/^(body|querystring|params|headers)/, '')}`;
        extras = {
          errors: (fe.validation ?? []).slice(0, 20).map((v) => ({ path: v.instancePath || '/', message: v.message ?? 'invalid' })),
        };
      } else if ((error as FastifyError).code && FASTIFY_CODES[(error as FastifyError).code]) {
        const mapped = FASTIFY_CODES[(error as FastifyError).code];
        status = mapped.status;
        code = mapped.code;
        detail = mapped.detail ?? error.message;
      } else if ((error as FastifyError).statusCode && (error as FastifyError).statusCode! < 500) {
        status = (error as FastifyError).statusCode!;
        code = 'BAD_REQUEST';
        detail = error.message;
      }
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code, status }, 'request refused');
      reply.status(status).type('application/problem+json').send(problemOf(status, code, detail, extras, request.url));
    });
    app.setNotFoundHandler((request, reply) => {
      reply
        .status(404)
        .type('application/problem+json')
        .send(problemOf(404, 'ROUTE_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`, {}, request.url));
    });
  },
  { name: 'problems' },
);
