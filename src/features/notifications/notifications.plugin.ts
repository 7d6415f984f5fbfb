import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EmailChannel, WebhookChannel, type NotificationChannel } from './channels.js';
import { ContactService } from './contacts.js';
import { NotificationWorker } from './worker.js';
import { NoticeSigner } from './notice-signer.js';
import path from 'node:path';
import { problems } from '../../schemas/problem.js';
import { createHmac } from 'node:crypto';
import { isNoticeLanguage, NOTICE_LANGUAGES, type NoticeLanguage } from './messages.js';
import { CODE_RULES } from './contacts.js';

declare module 'fastify' {
  interface FastifyInstance {
    notifications: { contacts: ContactService; worker: NotificationWorker; signer: NoticeSigner };
  }
}

const person = [{ personSession: [] }];

const Channel = Type.Union([Type.Literal('email'), Type.Literal('webhook')]);
const Language = Type.Union(NOTICE_LANGUAGES.map((l) => Type.Literal(l)), { description: 'The language of the notices: kk (Kazakh), ru (Russian) or en (English)' });
const ContactView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    channel: Channel,
    address: Type.String(),
    language: Language,
    verified: Type.Boolean({ description: 'False for an e-mail address until its code is confirmed: until then it receives nothing but codes' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'NotificationContact' },
);
const ContactCreate = Type.Object(
  {
    channel: Channel,
    address: Type.String({ minLength: 3, maxLength: 2000, description: 'An e-mail address, or an http(s) URL that receives a JSON POST per notice' }),
    language: Type.Optional(Language),
  },
  { additionalProperties: false },
);
const CodeSentView = Type.Object({
  contactId: Type.String({ format: 'uuid' }),
  sentAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time', description: `A code works for ${CODE_RULES.minutes} minutes and ${CODE_RULES.attempts} tries` }),
});
const ContactId = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** The first of kk, ru, en the client's Accept-Language asks for (by preference), else Kazakh, the state language. */
export function languageFrom(acceptLanguage: string | undefined): NoticeLanguage {
  const asked = (acceptLanguage ?? '')
    .split(',')
    .map((part, order) => {
      const [tag, ...params] = part.trim().toLowerCase().split(';');
      const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith('q='))?.slice(2) ?? 1);
      return { lang: tag.split('-')[0], q: Number.isFinite(q) ? q : 0, order };
    })
    .filter((a) => a.q > 0 && isNoticeLanguage(a.lang))
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return (asked[0]?.lang as NoticeLanguage | undefined) ?? 'kk';
}

export interface NotificationsPluginOptions {
  channels?: NotificationChannel[];
}

/**
 * The person's contacts (/v1/me/contacts) and the outbox worker. The worker runs in the
 * server (it starts when the server listens); tests drive it with runOnce().
 */
export const notificationsPlugin = fp(
  async function notifications(root: FastifyInstance, options: NotificationsPluginOptions) {
    const signer = NoticeSigner.fromFile(root.config.noticeKeyFile ?? path.join(root.config.dataDir, 'notifications', 'signing-key.pem'));
    const channels: NotificationChannel[] = options.channels ?? [new WebhookChannel({ allowPrivate: root.config.webhookAllowPrivate, signer }), ...(root.config.smtpUrl ? [new EmailChannel(root.config.smtpUrl, root.config.mailFrom)] : [])];
    const worker = new NotificationWorker(root.database.db, channels, { onError: (err) => root.log.error({ err }, 'notification worker pass failed') });
    const email = channels.find((c) => c.kind === 'email');
    const contacts = new ContactService(root.database.db, {
      channels: channels.map((c) => c.kind),
      // A key of its own, derived from the pseudonymization key that already lives outside the database.
      codeKey: createHmac('sha256', root.config.pseudonymKey).update('qorgau contact confirmation codes').digest(),
      sendCode: email ? (address, message) => email.deliver(address, message) : undefined,
    });
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
          description:
            'Every change of your restrictions and every lender refused a loan in your name is sent to each confirmed contact (at least once; drop duplicates by the notice id), in the contact\'s language (`language`, else the first of kk, ru, en in Accept-Language, else kk). ' +
            'A webhook is confirmed at once. An e-mail address gets a six-digit code first and nothing else until the code is confirmed at POST /v1/me/contacts/{id}/confirm. ' +
            'If the code cannot be sent, the answer is 503 CONTACT_CODE_NOT_SENT with the stored contact\'s `contactId`: ask for a new code later.',
          security: person,
          body: ContactCreate,
          response: { 201: Type.Ref('NotificationContact'), ...problems(400, 401, 403, 409, 429, 503) },
        },
      }, async (request, reply) => {
        const language = request.body.language ?? languageFrom(request.headers['accept-language']);
        const { contact } = await contacts.add(request.person!.personHash, request.body.channel, request.body.address, language);
        return reply.status(201).send(contact);
      });

      app.post('/v1/me/contacts/:id/code', {
        schema: {
          tags: ['me'],
          summary: 'Send a new confirmation code to an e-mail contact',
          description: `The codes sent before stop working. At most one code a minute per address, ${CODE_RULES.perPersonPerHour} an hour per person and ${CODE_RULES.perAddressPerHour} an hour per address (429 CONTACT_CODE_RATE_LIMITED with Retry-After).`,
          security: person,
          params: ContactId,
          response: { 202: CodeSentView, ...problems(401, 403, 404, 409, 429, 503) },
        },
      }, async (request, reply) => reply.status(202).send(await contacts.sendCode(request.person!.personHash, request.params.id)));

      app.post('/v1/me/contacts/:id/confirm', {
        schema: {
          tags: ['me'],
          summary: 'Confirm an e-mail contact with the code sent to it',
          description: `Wrong: 422 CONTACT_CODE_WRONG with attemptsLeft; after ${CODE_RULES.attempts} wrong tries 429 CONTACT_CODE_ATTEMPTS_EXHAUSTED; older than ${CODE_RULES.minutes} minutes: 422 CONTACT_CODE_EXPIRED; no code waiting: 409 CONTACT_CODE_NONE. In each case ask for a new code. Confirming twice answers the confirmed contact.`,
          security: person,
          params: ContactId,
          body: Type.Object({ code: Type.String({ pattern: `^\\d{${CODE_RULES.digits}}$`, description: `The ${CODE_RULES.digits} digits from the letter` }) }, { additionalProperties: false }),
          response: { 200: Type.Ref('NotificationContact'), ...problems(400, 401, 403, 404, 409, 422, 429) },
        },
      }, async (request) => contacts.confirm(request.person!.personHash, request.params.id, request.body.code));

      app.patch('/v1/me/contacts/:id', {
        schema: {
          tags: ['me'],
          summary: "Change the language of a contact's notices",
          security: person,
          params: ContactId,
          body: Type.Object({ language: Language }, { additionalProperties: false }),
          response: { 200: Type.Ref('NotificationContact'), ...problems(400, 401, 403, 404) },
        },
      }, async (request) => contacts.setLanguage(request.person!.personHash, request.params.id, request.body.language));

      app.delete('/v1/me/contacts/:id', {
        schema: { tags: ['me'], summary: 'Remove a contact', security: person, params: ContactId, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
      }, async (request, reply) => {
        await contacts.remove(request.person!.personHash, request.params.id);
        return reply.status(204).send(null);
      });
    });
  },
  { name: 'notifications', dependencies: ['database', 'auth'] },
);
