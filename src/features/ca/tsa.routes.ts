import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../errors/app-error.js';
import type { CaHierarchy } from './authority/hierarchy.js';
import { TimeStampAuthority } from './tsa/time-stamp-authority.js';
import { problems } from '../../schemas/problem.js';

/** DER bodies: a Buffer for TypeScript, a binary string for OpenAPI. Fastify sends Buffers as they are. */
const binary = (description: string) => Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description });
/**
 * A raw DER request body for the OpenAPI document. It has no `type`: Fastify validates the
 * parsed body against it, and a Buffer is not a JSON string.
 */
const rawBody = (description: string) => ({ schema: Type.Unsafe<Buffer>({ description }) });

const TSA_QUERY = 'application/timestamp-query';
const TSA_REPLY = 'application/timestamp-reply';

export interface TsaPluginOptions {
  /** The hierarchy whose TSA stamps; `app.pki` when not given. */
  hierarchy?: CaHierarchy;
  clock?: () => Date;
}

/** The time-stamp authority (POST /pki/tsa), in a child scope so its body parser stays its own. */
export const tsaPlugin = fp(
  async function tsa(root: FastifyInstance, options: TsaPluginOptions) {
    const hierarchy = options.hierarchy ?? root.pki;
    const tsa = hierarchy ? new TimeStampAuthority(hierarchy.tsa, { chain: [hierarchy.issuing.der], clock: options.clock }) : undefined;
    await root.register(async (scope) => tsaRoutes(scope, tsa));
  },
  { name: 'tsa', dependencies: ['database'] },
);

async function tsaRoutes(scope: FastifyInstance, tsa: TimeStampAuthority | undefined) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.addContentTypeParser(TSA_QUERY, { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));

  app.post('/pki/tsa', {
    bodyLimit: 64 * 1024,
    schema: {
      tags: ['pki'],
      summary: 'Time-stamp authority (RFC 3161)',
      description:
        'Body: a DER TimeStampReq (`application/timestamp-query`, as `openssl ts -query` writes). Answer: a DER TimeStampResp (`application/timestamp-reply`). ' +
        'A request the TSA refuses (malformed, SHA-1, another policy) gets a TimeStampResp with status rejection and its failInfo, with HTTP 400.',
      consumes: [TSA_QUERY],
      produces: [TSA_REPLY],
      body: { content: { [TSA_QUERY]: rawBody('DER TimeStampReq') } } as unknown as ReturnType<typeof binary>,
      response: { 200: binary('DER TimeStampResp, status granted'), 400: binary('DER TimeStampResp, status rejection'), ...problems(413, 415, 503) },
    },
  }, async (request, reply) => {
    if (!tsa) throw new AppError('unavailable', 'TSA_UNAVAILABLE', 'This instance has no CA hierarchy, so no time-stamp authority');
    if (!Buffer.isBuffer(request.body)) throw new AppError('unsupported_media', 'UNSUPPORTED_MEDIA_TYPE', `Send ${TSA_QUERY}`);
    const answer = await tsa.respond(request.body);
    if (!answer.granted) request.log.info({ failure: answer.failure, reason: answer.reason }, 'time-stamp request rejected');
    return reply.status(answer.granted ? 200 : 400).type(TSA_REPLY).send(answer.response);
  });
}
