import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EmailChannel, WebhookChannel, type NotificationChannel } from './channels.js';
import { ContactService } from './contacts.js';
import { NotificationWorker } from './worker.js';
import { NoticeSigner } from './notice-signer.js';
import path from 'node:path';

declare module 'fastify' {
  interface FastifyInstance {
    notifications: { contacts: ContactService; worker: NotificationWorker; signer: NoticeSigner };
  }
}

const Problem = Type.Object(
  { type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.String(), code: Type.String() },
  { additionalProperties: true, description: 'RFC 9457 problem document' },
);
const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Problem]));
const person = [{ personSession: [] }];

const Channel = Type.Union([Type.Literal('email'), Type.Literal('webhook')]);
const ContactView = Type.Object(
  { id: Type.String({ format: 'uuid' }), channel: Channel, address: Type.String(), createdAt: Type.String({ format: 'date-time' }) },
  { $id: 'NotificationContact' },
);
const ContactCreate = Type.Object(
  { channel: Channel, address: Type.String({ minLength: 3, maxLength: 2000, description: 'An e-mail address, or an http(s) URL that receives a JSON POST per notice' }) },
  { additionalProperties: false },
);

export interface NotificationsPluginOptions {
  channels?: NotificationChannel[];
}

/**
 * The person's contacts (/v1/me/contacts) and the outbox worker. The worker runs in the
 * server (it starts when the server listens); tests drive it with runOnce().
 */
export const notificationsPlugin = fp(
  async function notifications(root: FastifyInstance, options: NotificationsPluginOptions) {
    const signer = NoticeSigner.fromFile(path.join(root.config.dataDir, 'notifications', 'signing-key.pem'));
    const channels: NotificationChannel[] = options.channels ?? [new WebhookChannel({ allowPrivate: root.config.webhookAllowPrivate, signer }), ...(root.config.smtpUrl ? [new EmailChannel(root.config.smtpUrl, root.config.mailFrom)] : [])];
    const worker = new NotificationWorker(root.database.db, channels, { onError: (err) => root.log.error({ err }, 'notification worker pass failed') });
    const contacts = new ContactService(root.database.db, channels.map((c) => c.kind));
    root.decorate('notifications', { contacts, worker, signer });
    // In the first worker only; several would still deliver each notice once (for update skip locked).
    root.addHook('onListen', async () => {
      if (root.runsBackgroundJobs) worker.start();
    });
    root.addHook('onClose', async () => worker.stop());

    await root.register(async (scope) => {
      const app = scope.withTypeProvider<TypeBoxTypeProvider>();
      app.get('/v1/notifications/signing-key', {
        schema: {
          tags: ['me'],
          summary: 'The public key that signs webhook notices (JWK)',
          description: 'Each webhook POST carries X-Qorgau-Signature: a compact JWS (ES256, typ qorgau-notice+jwt) whose payload is the request body.',
          security: [],
          response: { 200: Type.Object({ kty: Type.String(), crv: Type.String(), x: Type.String(), y: Type.String(), kid: Type.String(), alg: Type.String(), use: Type.String() }) },
        },
      }, async () => signer.publicJwk);
    });

    await root.register(async (scope) => {
      const app = scope.withTypeProvider<TypeBoxTypeProvider>();
      app.addSchema(ContactView);
      app.addHook('onRequest', root.requirePerson({ personal: 'see or change where your notices go' }));

      app.get('/v1/me/contacts', {
        schema: { tags: ['me'], summary: 'Where your notices go', security: person, response: { 200: Type.Array(Type.Ref('NotificationContact')), ...problems(401, 403) } },
      }, async (request) => contacts.list(request.person!.personHash));

      app.post('/v1/me/contacts', {
        schema: {
          tags: ['me'],
          summary: 'Add an e-mail address or a webhook for your notices',
          description: 'Every change of your restrictions and every lender refused a loan in your name is sent to each contact (at least once; drop duplicates by the notice id).',
          security: person,
          body: ContactCreate,
          response: { 201: Type.Ref('NotificationContact'), ...problems(400, 401, 403, 409) },
        },
      }, async (request, reply) => reply.status(201).send(await contacts.add(request.person!.personHash, request.body.channel, request.body.address)));

      app.delete('/v1/me/contacts/:id', {
        schema: { tags: ['me'], summary: 'Remove a contact', security: person, params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 204: Type.Null(), ...problems(401, 403, 404) } },
      }, async (request, reply) => {
        await contacts.remove(request.person!.personHash, request.params.id);
        return reply.status(204).send(null);
      });
    });
  },
  { name: 'notifications', dependencies: ['database', 'auth'] },
);
