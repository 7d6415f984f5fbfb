import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { decodeCmsText } from '../trust/index.js';
import { ChallengeStore } from './challenges.js';
import { clearedSessionCookie, SessionStore, sessionCookie } from './sessions.js';
import { ChallengeView, SessionView, SigninRequest } from './signin.schema.js';
import { SigninService } from './signin.service.js';
import { PresentedCertificates } from '../trust/index.js';
import { problems } from '../../schemas/problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    signin: SigninService;
  }
}

const person = [{ personSession: [] }];

export interface SigninPluginOptions {
  clock?: () => Date;
}

/** POST /v1/auth/challenge, /v1/auth/signin, /v1/auth/signout and GET /v1/auth/session. */
export const signinPlugin = fp(
  async function signin(root: FastifyInstance, options: SigninPluginOptions) {
    const db = root.database.db;
    const service = new SigninService(new ChallengeStore(db, options.clock), new SessionStore(db, options.clock), root.signatureVerifier, root.pseudonymizer, root.config.sessionMinutes, new PresentedCertificates(db));
    root.decorate('signin', service);
    await root.register(async (scope) => {
      const app = scope.withTypeProvider<TypeBoxTypeProvider>();
      app.addSchema(ChallengeView);
      app.addSchema(SessionView);

      app.post('/v1/auth/challenge', {
        schema: {
          tags: ['auth'],
          summary: 'A single-use sign-in nonce',
          description: 'Sign the nonce (its UTF-8 bytes) as CMS with your AUTH certificate and send it to POST /v1/auth/signin before it expires.',
          response: { 201: Type.Ref('SigninChallenge') },
        },
      }, async (_request, reply) => {
        const challenge = await service.challenge();
        return reply.status(201).header('cache-control', 'no-store').send({ nonce: challenge.nonce, expiresAt: challenge.expiresAt.toISOString() });
      });

      app.post('/v1/auth/signin', {
        schema: {
          tags: ['auth'],
          summary: 'Sign in with e-signature',
          description:
            'Verifies the CMS over the nonce (signature, chain to a trusted CA, validity, revocation) and that it was made with an AUTH certificate, ' +
            'then opens a session: an HttpOnly, Secure, SameSite=Strict cookie. Refusals (401): SIGNIN_NONCE_UNKNOWN, SIGNIN_NONCE_REPLAYED, SIGNIN_NONCE_EXPIRED, ' +
            'SIGNIN_CONTENT_MISMATCH, SIGNIN_SIGNATURE_INVALID, SIGNIN_CERTIFICATE_REVOKED, SIGNIN_CERTIFICATE_UNTRUSTED, SIGNIN_CERTIFICATE_EXPIRED, ' +
            'SIGNIN_REVOCATION_UNKNOWN, SIGNIN_WRONG_CERTIFICATE (a SIGN certificate), SIGNIN_NO_IIN.',
          body: SigninRequest,
          response: { 200: Type.Ref('PersonSession'), ...problems(400, 401) },
        },
      }, async (request, reply) => {
        const cms = decodeCmsText(request.body.cms);
        // The sign-in itself reports the use: a signature over a fresh nonce that verified, accepted or refused.
        const opened = await root.signatureUses.around(request, 'signin', (observe) => service.signIn(request.body.nonce, cms, observe));
        const p = opened.principal;
        reply.header('set-cookie', sessionCookie(opened.token, root.config.sessionMinutes * 60)).header('cache-control', 'no-store');
        return { sessionId: p.sessionId, displayName: p.displayName, holder: p.holder, certificateSerial: p.certificateSerial, expiresAt: p.expiresAt.toISOString() };
      });

      app.get('/v1/auth/session', {
        preHandler: root.requirePerson(),
        schema: { tags: ['auth'], summary: 'The current session', security: person, response: { 200: Type.Ref('PersonSession'), ...problems(401) } },
      }, async (request) => {
        const p = request.person!;
        return { sessionId: p.sessionId, displayName: p.displayName, holder: p.holder, certificateSerial: p.certificateSerial, expiresAt: p.expiresAt.toISOString() };
      });

      app.post('/v1/auth/signout', {
        preHandler: root.requirePerson(),
        schema: { tags: ['auth'], summary: 'End the session (on every instance at once)', security: person, response: { 204: Type.Null(), ...problems(401) } },
      }, async (request, reply) => {
        await service.sessions.revoke(request.person!.sessionId);
        return reply.status(204).header('set-cookie', clearedSessionCookie()).send(null);
      });
    });
  },
  { name: 'signin', dependencies: ['database', 'auth', 'trust'] },
);
