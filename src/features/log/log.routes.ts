import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { LogService, setLogPseudonymizer } from './log.service.js';
import { problems } from '../../schemas/problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    transparencyLog: LogService;
  }
}

const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, hex' });
const Size = Type.Integer({ minimum: 0, maximum: 2 ** 53 - 1 });
const TreeHeadView = Type.Object(
  {
    treeSize: Type.Integer(),
    rootHash: Hash,
    timestamp: Type.String({ format: 'date-time' }),
    signature: Type.String({ description: 'Compact JWS (ES256, typ qorgau-tree-head+jwt) whose payload is {treeSize, rootHash, timestamp}; verify with publicKey' }),
    publicKey: Type.Object({}, { additionalProperties: true, description: 'The log key as a JWK' }),
  },
  { $id: 'TreeHead' },
);

export interface LogPluginOptions {
  clock?: () => Date;
}

/** Public routes of the transparency log, the signed-in person's own entries, and the periodic tree head. */
export const logPlugin = fp(
  async function log(root: FastifyInstance, options: LogPluginOptions) {
    const config = root.config;
    setLogPseudonymizer((iin) => root.pseudonymizer.of(iin));
    const service = new LogService(root.database.db, LogService.keyFromFile(config.logKeyFile ?? path.join(config.dataDir, 'log', 'signing-key.pem')), options.clock);
    root.decorate('transparencyLog', service);
    const withKey = <T extends object>(head: T) => ({ ...head, publicKey: service.publicJwk });

    const everyMs = config.logSthIntervalSeconds * 1000;
    // Once per server (the first worker); publishing is safe anyway: it takes the append lock and keeps one head per size.
    if (everyMs > 0 && root.runsBackgroundJobs) {
      const timer = setInterval(() => {
        service.publishIfGrown().then(
          (h) => h && root.log.info({ treeSize: h.treeSize }, 'published a tree head of the transparency log'),
          (err) => root.log.error({ err }, 'publishing a tree head failed'),
        );
      }, everyMs);
      timer.unref();
      root.addHook('onClose', async () => clearInterval(timer));
    }

    await root.register(async (scope) => {
      const app = scope.withTypeProvider<TypeBoxTypeProvider>();
      app.addSchema(TreeHeadView);
      const tags = ['log'];

      app.get('/v1/log/sth', {
        schema: {
          tags,
          summary: 'The latest signed tree head of the transparency log',
          description: 'With `publish=1`, a new head over every entry so far is signed first (on demand); otherwise the last published one is given.',
          querystring: Type.Object({ publish: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0')])) }, { additionalProperties: false }),
          response: { 200: Type.Ref('TreeHead'), ...problems(400) },
        },
      }, async (request) => withKey(request.query.publish === '1' ? await service.publish() : await service.latest()));

      app.get('/v1/log/sth/all', {
        schema: { tags, summary: 'Every published tree head, oldest first', response: { 200: Type.Array(Type.Ref('TreeHead')) } },
      }, async () => (await service.heads()).map(withKey));

      app.get('/v1/log/consistency', {
        schema: {
          tags,
          summary: 'A consistency proof between two tree sizes (RFC 9162 2.1.4)',
          querystring: Type.Object({ first: Size, second: Size }, { additionalProperties: false }),
          response: { 200: Type.Object({ first: Type.Integer(), second: Type.Integer(), proof: Type.Array(Hash) }), ...problems(400) },
        },
      }, async (request) => ({ first: request.query.first, second: request.query.second, proof: await service.consistency(request.query.first, request.query.second) }));

      app.get('/v1/log/inclusion', {
        schema: {
          tags,
          summary: 'An inclusion proof for one entry in the tree of a given size (RFC 9162 2.1.3)',
          querystring: Type.Object({ index: Size, size: Size }, { additionalProperties: false }),
          response: { 200: Type.Object({ index: Type.Integer(), size: Type.Integer(), leafHash: Hash, auditPath: Type.Array(Hash) }), ...problems(400) },
        },
      }, async (request) => ({ index: request.query.index, size: request.query.size, ...(await service.inclusion(request.query.index, request.query.size)) }));

      await app.register(async (mine) => {
        const me = mine.withTypeProvider<TypeBoxTypeProvider>();
        me.addHook('onRequest', root.requirePerson({ personal: 'see the transparency log entries about you' }));
        me.get('/v1/me/log', {
          schema: {
            tags,
            summary: 'Log entries about you, each with its inclusion proof in the latest tree head, and the publications that restricted you and the expiries of those restrictions, with a two-level proof',
            security: [{ personSession: [] }],
            response: {
              200: Type.Object({
                treeHead: Type.Ref('TreeHead'),
                entries: Type.Array(Type.Object({ index: Type.Integer(), kind: Type.String(), entry: Type.String({ description: 'The exact logged bytes (JSON); its leaf hash is SHA-256(0x00 || entry)' }), leafHash: Hash, auditPath: Type.Array(Hash) })),
                batches: Type.Array(
                  Type.Object({
                    index: Type.Integer({ description: 'The batch entry (a publication, or an expiry sweep of its restrictions) in the log' }),
                    kind: Type.String(),
                    entry: Type.String({ description: 'The exact logged bytes (JSON); details.batch names the root of its records and their count' }),
                    leafHash: Hash,
                    auditPath: Type.Array(Hash, { description: 'The entry to the tree head root (RFC 9162 2.1.3)' }),
                    record: Type.String({ pattern: '^([0-9a-f]{2})+$', description: 'Your record in the batch: your pseudonym (32 bytes) and the rule applied (1 byte); see docs/log.md' }),
                    position: Type.Integer(),
                    size: Type.Integer(),
                    root: Hash,
                    recordPath: Type.Array(Hash, { description: 'The record, leaf SHA-256(0x00 || record), at position in a tree of size, to root (RFC 9162 2.1.3)' }),
                  }),
                  { description: 'Decisions made about many persons at once (a breach publication restricting you, the end of those restrictions when they ran out): one log entry commits to all of them; two proofs show yours is in it' },
                ),
              }),
              ...problems(401, 403),
            },
          },
        }, async (request) => {
          const { treeHead, entries, batches } = await service.entriesAbout(request.person!.personHash);
          return { treeHead: withKey(treeHead), entries, batches };
        });
      });
    });
  },
  { name: 'log', dependencies: [] },
);
