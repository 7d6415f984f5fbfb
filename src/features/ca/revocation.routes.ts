import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { CaHierarchy } from './authority/hierarchy.js';
import { releaseCertificateHold, revokeCertificates } from './revocation/certificate-revoker.js';
import { CertificateStatusReader } from './revocation/certificate-status.js';
import { CertificateStatusCache } from './revocation/certificate-status-cache.js';
import { CrlPublisher, type CrlPublisherOptions } from './revocation/crl-publisher.js';
import { OcspResponder, ocspErrorResponse, type OcspAnswer } from './revocation/ocsp-responder.js';
import { PresignedOcsp } from './revocation/ocsp-presigned.js';
import { CrlParams, ReleaseBody, ReleaseResult, RevocationResult, RevokeBody, SerialParams } from './revocation/revocation.schema.js';
import { problems } from '../../schemas/problem.js';

const operator = [{ operatorToken: [] }];
/** DER bodies: a Buffer for TypeScript, a binary string for OpenAPI. Fastify sends Buffers as they are. */
const binary = (description: string) => Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description });
const OcspBody = binary('DER OCSPResponse (application/ocsp-response)');

export interface RevocationRoutesOptions {
  /** The hierarchy to serve; `app.pki` when not given. Without either, nothing is registered. */
  hierarchy?: CaHierarchy;
  crl?: CrlPublisherOptions;
  /** The in-memory status cache for OCSP: on by default on PostgreSQL (config.databaseUrl), false turns it off. */
  statusCache?: { primaryUrl: string } | false;
  /** How often each issuer's CRL is checked and re-signed if needed; 0 turns the schedule off. */
  crlCheckIntervalMs?: number;
  /** How often a pass signs the OCSP answers missing or due for refresh (in the process running background jobs); 0 turns it off. */
  ocspPresignIntervalMs?: number;
}

/** A base64 OCSP request from a GET path (RFC 6960 A.1), URL-encoded or not. */
function decodeGetRequest(raw: string): Buffer | null {
  let text = raw;
  try {
    if (text.includes('%')) text = decodeURIComponent(text);
  } catch {
    return null;
  }
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text) || text.length > 8192) return null;
  return Buffer.from(text, /[-_]/.test(text) ? 'base64url' : 'base64');
}

/**
 * Revocation (operator routes), CRLs and the OCSP responder. Registered without
 * fastify-plugin so the ocsp-request body parser stays inside this subtree.
 */
export async function revocationRoutes(root: FastifyInstance, options: RevocationRoutesOptions = {}) {
  const hierarchy = options.hierarchy ?? root.pki;
  if (!hierarchy) return;
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { database } = app;
  const issuing = hierarchy.issuing.name;

  const crlIssuers = new Map([hierarchy.issuing, hierarchy.root].map((ca) => [ca.name, ca]));
  const publisher = new CrlPublisher(database, crlIssuers, {
    onError: (err, issuer) => app.log.error({ err, issuer }, 'CRL publication failed'),
    ...options.crl,
  });
  const reader = new CertificateStatusReader(database.readDb);
  const primaryUrl = options.statusCache === false ? undefined : (options.statusCache?.primaryUrl ?? (database.kind === 'postgres' ? app.config.databaseUrl : undefined));
  // On PostgreSQL certificate status is held in memory (every revoked certificate, good ones up to a
  // cap) and kept in step through LISTEN/NOTIFY (docs/decisions/0003); the embedded PGlite is
  // in-process and answers a look-up in a fraction of a millisecond.
  // The primary's view, for signing the new answer of a certificate just revoked or released.
  const primaryStatus = new CertificateStatusReader(database.db);
  const cache = primaryUrl
    ? new CertificateStatusCache({
        primaryUrl,
        db: database.db,
        issuers: [issuing],
        fallback: reader,
        onError: (err) => app.log.warn({ err }, 'certificate status cache'),
        onChange: (issuer, serials) => issuer === issuing && resign(serials),
      })
    : undefined;
  const responder = await OcspResponder.create({ issuer: hierarchy.issuing, signer: hierarchy.ocspSigner, status: cache ?? reader });
  const presigned = new PresignedOcsp({
    db: database.db,
    readDb: database.readDb,
    issuer: issuing,
    kind: database.kind,
    responder,
    validityMs: app.config.ocspValidityHours * 3_600_000,
  });
  responder.usePresigned(presigned);
  // Called on a revocation's NOTIFY (or, without the cache, by the route that revoked): only after start.
  function resign(serials: string[]) {
    presigned.forget(serials);
    // One process per server signs the new answers at once; the others only forget theirs.
    if (app.runsBackgroundJobs) {
      presigned.produceFor(serials, (serial) => primaryStatus.status(issuing, serial)).catch((err) => app.log.warn({ err }, 'pre-signing OCSP answers after a revocation failed'));
    }
  }
  const presignEvery = options.ocspPresignIntervalMs ?? 10 * 60_000;
  let presignTimer: NodeJS.Timeout | undefined;
  let presignPass: Promise<unknown> = Promise.resolve();
  let closing = false;
  const presignAll = () => {
    presignPass = presigned.produce(undefined, () => closing).then(
      (signed) => signed > 0 && app.log.info({ issuer: issuing, signed }, 'pre-signed OCSP answers'),
      (err) => app.log.warn({ err }, 'pre-signing OCSP answers failed'),
    );
  };
  const interval = options.crlCheckIntervalMs ?? 15_000;
  app.addHook('onReady', async () => {
    // The schedule runs in one worker; a revocation served by any worker still asks for a new CRL at once (insertCrl keeps one per number).
    if (interval > 0 && app.runsBackgroundJobs) publisher.start(interval);
    // Answers are signed ahead of need, once per server (and across instances one pass at a time: an advisory lock).
    // Every interval (the first one too: answers stored by a previous run are valid for hours, and a
    // certificate without one gets it signed and stored by its first request meanwhile).
    if (presignEvery > 0 && app.runsBackgroundJobs) {
      presignTimer = setTimeout(function pass() {
        presignAll();
        presignTimer = setTimeout(pass, presignEvery).unref();
      }, presignEvery).unref();
    }
    if (cache) {
      // Serve once the cache is live, or after a while from the database (correct, only slower)
      // while it keeps loading or reconnecting.
      const started = cache.start().then(
        () => app.log.info({ issuer: issuing }, 'certificate status cache is live'),
        () => {},
      );
      // The wait stays inside Fastify's own limit for an onReady hook (pluginTimeout, 10 s by
      // default): with 10,000,000 certificates the load outlasts it, and a longer wait stopped
      // the server from starting at all (found by bench/ocsp.ts at that size).
      const pluginTimeout = app.initialConfig.pluginTimeout ?? 10_000;
      const wait = pluginTimeout > 0 ? Math.max(0, Math.min(15_000, pluginTimeout - 2_000)) : 15_000;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([started, new Promise((resolve) => (timer = setTimeout(resolve, wait)))]);
      clearTimeout(timer);
    }
  });
  app.addHook('onClose', async () => {
    publisher.stop();
    closing = true;
    clearTimeout(presignTimer);
    await presignPass;
    await cache?.close();
    await publisher.idle();
  });

  const caOperator = app.requireRole('ca-operator');

  app.post('/v1/pki/certificates/:serial/revoke', {
    preHandler: caOperator,
    schema: {
      tags: ['pki'],
      summary: 'Revoke a certificate (and its AUTH/SIGN partner unless includePair is false)',
      security: operator,
      params: SerialParams,
      body: RevokeBody,
      response: { 200: RevocationResult, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const issuer = request.body.issuer ?? issuing;
    const revoked = await revokeCertificates(database.db, {
      issuer,
      serials: [request.params.serial],
      reason: request.body.reason,
      invalidityDate: request.body.invalidityDate ? new Date(request.body.invalidityDate) : null,
      includePair: request.body.includePair,
      actor: `token:${request.principal?.name ?? 'unknown'}`,
    });
    publisher.requestPublish(issuer);
    if (issuer === issuing && !cache) resign(revoked.map((r) => r.serial));
    return {
      revoked: revoked.map((r) => ({ ...r, revokedAt: r.revokedAt.toISOString(), invalidityDate: r.invalidityDate?.toISOString() ?? null })),
    };
  });

  app.post('/v1/pki/certificates/:serial/release-hold', {
    preHandler: caOperator,
    schema: {
      tags: ['pki'],
      summary: 'Release a certificate from hold (removeFromCRL): it is good again',
      security: operator,
      params: SerialParams,
      body: ReleaseBody,
      response: { 200: ReleaseResult, ...problems(400, 401, 403, 404, 409) },
    },
  }, async (request) => {
    const issuer = request.body.issuer ?? issuing;
    const released = await releaseCertificateHold(database.db, {
      issuer,
      serial: request.params.serial,
      includePair: request.body.includePair,
      actor: `token:${request.principal?.name ?? 'unknown'}`,
    });
    publisher.requestPublish(issuer);
    if (issuer === issuing && !cache) resign(released);
    return { released };
  });

  app.get('/pki/crl/:file', {
    schema: {
      tags: ['pki'],
      summary: "The issuer's latest full CRL (DER, application/pkix-crl)",
      params: CrlParams,
      produces: ['application/pkix-crl'],
      response: { 200: binary('DER CertificateList'), ...problems(400, 404) },
    },
  }, async (request, reply) => {
    const issuer = request.params.file.slice(0, -'.crl'.length);
    const { meta, der } = await publisher.latest(issuer);
    reply
      .type('application/pkix-crl')
      .header('last-modified', meta.thisUpdate.toUTCString())
      .header('expires', meta.nextUpdate.toUTCString())
      .header('etag', `"${issuer}-${meta.crlNumber}"`);
    return reply.send(der);
  });

  function sendOcsp(reply: import('fastify').FastifyReply, answer: OcspAnswer) {
    return reply.status(answer.httpStatus).type('application/ocsp-response').header('cache-control', 'no-cache').send(answer.body);
  }

  /**
   * RFC 5019 6.2: a pre-signed answer to a GET may be kept by a CDN until its nextUpdate (here at
   * most QORGAU_OCSP_MAX_AGE_SECONDS, which bounds how long a revocation stays hidden behind a
   * cache); one signed for a nonce is this request's alone.
   */
  function sendCacheableOcsp(request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply, answer: OcspAnswer) {
    const cacheable = answer.presigned;
    if (!cacheable) return sendOcsp(reply, answer);
    const left = Math.floor((cacheable.nextUpdate.getTime() - Date.now()) / 1000);
    const maxAge = Math.max(0, Math.min(left, app.config.ocspMaxAgeSeconds));
    reply
      .type('application/ocsp-response')
      .header('cache-control', `max-age=${maxAge}, public, no-transform, must-revalidate`)
      .header('last-modified', cacheable.thisUpdate.toUTCString())
      .header('expires', cacheable.nextUpdate.toUTCString())
      .header('etag', cacheable.etag);
    if (request.headers['if-none-match'] === cacheable.etag) return reply.status(304).send();
    return reply.status(200).send(answer.body);
  }

  // RFC 6960 A.1: POST carries the DER request; anything that fails to parse still gets an OCSPResponse.
  app.addContentTypeParser('application/ocsp-request', { parseAs: 'buffer', bodyLimit: 16 * 1024 }, (_request, body, done) => done(null, body));

  app.post('/pki/ocsp', {
    schema: {
      tags: ['pki'],
      summary: 'OCSP responder (RFC 6960), DER request in the body',
      consumes: ['application/ocsp-request'],
      produces: ['application/ocsp-response'],
      response: { 200: OcspBody, 400: OcspBody, 503: OcspBody },
    },
  }, async (request, reply) => {
    const body = request.body;
    if (!Buffer.isBuffer(body)) return sendOcsp(reply, { status: 'malformedRequest', httpStatus: 400, body: ocspErrorResponse('malformedRequest') });
    // Most requests (RFC 5019, no nonce) are answered from memory without waiting; the rest as usual.
    return sendOcsp(reply, responder.respondHeld(body) ?? (await responder.respond(body)));
  });

  app.get('/pki/ocsp/*', {
    schema: {
      tags: ['pki'],
      summary: 'OCSP responder (RFC 6960), base64 DER request in the path',
      description: 'Without a nonce (RFC 5019), the pre-signed answer, with Cache-Control max-age (until nextUpdate, at most QORGAU_OCSP_MAX_AGE_SECONDS), ETag, Last-Modified and Expires; If-None-Match gives 304.',
      produces: ['application/ocsp-response'],
      response: { 200: OcspBody, 304: Type.Null({ description: 'Not modified (If-None-Match)' }), 400: OcspBody, 503: OcspBody },
    },
  }, async (request, reply) => {
    const der = decodeGetRequest((request.params as { '*': string })['*']);
    if (!der) return sendOcsp(reply, { status: 'malformedRequest', httpStatus: 400, body: ocspErrorResponse('malformedRequest') });
    return sendCacheableOcsp(request, reply, responder.respondHeld(der) ?? (await responder.respond(der)));
  });
}
