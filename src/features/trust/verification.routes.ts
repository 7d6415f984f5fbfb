import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../errors/app-error.js';
import { createSignatureVerifier, trustDirectory, type OwnHierarchy } from './signature-service.js';
import { SignatureVerifier } from './signature-verifier.js';
import type { TrustStore } from './trust-anchors.js';
import type { RevocationStatusSource } from './revocation-status.js';
import { SignerIdentitySchema, VerificationReportSchema, VerifyRequestSchema, type VerifyRequest } from './verification-report.schema.js';
import { SignatureUses } from './signature-uses.js';
import { isEvidenceOfUse } from './evidence/signer-requirements.js';
import { problems } from '../../schemas/problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Verifies CMS signatures and certificates; sign-in and signed requests call it. */
    signatureVerifier: SignatureVerifier;
    /** The anchors it trusts (Qorgau's root, and `<dataDir>/pki/trust/`). */
    trustStore: TrustStore;
    /** Where signature uses are announced (signatures listens and records them). */
    signatureUses: SignatureUses;
  }
}

/**
 * A raw DER request body for the OpenAPI document. It has no `type`: Fastify validates the
 * parsed body against it, and a Buffer is not a JSON string.
 */
const rawBody = (description: string) => ({ schema: Type.Unsafe<Buffer>({ description }) });

const CMS_TYPES = ['application/pkcs7-mime', 'application/pkcs7-signature'];
/** Signed documents can be large; the CMS is base64 in JSON, a third larger again. */
const VERIFY_BODY_LIMIT = 32 * 1024 * 1024;

export interface SignaturesPluginOptions {
  /** Qorgau's own hierarchy, whose root is trusted; `app.pki` when not given. */
  hierarchy?: OwnHierarchy;
  /** Revocation sources asked first (e.g. the CA's revocation service). */
  revocationSources?: RevocationStatusSource[];
  /** How often the trust folder's CRLs are checked for new files; 0 turns it off. */
  crlRefreshMs?: number;
  clock?: () => Date;
}

/** Strict base64 (or base64url), whitespace allowed; a PEM block (-----BEGIN CMS----- or PKCS7) is unwrapped. */
function decodeBase64(text: string, field: string): Buffer {
  const pem = /^\s*-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----\s*$/.exec(text);
  const compact = (pem ? pem[1] : text).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw AppError.badRequest('INVALID_BASE64', `"${field}" is not base64`);
  }
  return Buffer.from(compact, /[-_]/.test(compact) ? 'base64url' : 'base64');
}

/**
 * Signature verification (POST /v1/signatures/verify). The verifier is decorated on the app for other features;
 * the routes live in a child scope so their body parsers stay theirs.
 */
export const signaturesPlugin = fp(
  async function signatures(root: FastifyInstance, options: SignaturesPluginOptions) {
    const hierarchy = options.hierarchy ?? root.pki;
    const { verifier, trust, refreshCrls } = createSignatureVerifier({
      db: root.database.db,
      pki: hierarchy,
      trustDir: trustDirectory(root.config.dataDir),
      revocationSources: options.revocationSources,
      clock: options.clock,
    });
    const refreshMs = options.crlRefreshMs ?? 5 * 60_000;
    if (refreshMs > 0) {
      const timer = setInterval(() => {
        try {
          if (refreshCrls()) root.log.info('trust folder CRLs reloaded');
        } catch (err) {
          // The CRLs already loaded stay in use; a half-written file is read on the next round.
          root.log.warn({ err }, 'trust folder CRLs could not be reloaded');
        }
      }, refreshMs);
      timer.unref();
      root.addHook('onClose', async () => clearInterval(timer));
    }
    root.decorate('signatureVerifier', verifier);
    root.decorate('trustStore', trust);
    root.decorate('signatureUses', new SignatureUses(isEvidenceOfUse, (iin) => root.pseudonymizer.of(iin)));
    await root.register(async (scope) => signaturesRoutes(scope));
  },
  { name: 'trust', dependencies: ['database', 'auth'] },
);

async function signaturesRoutes(scope: FastifyInstance) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const requireRelyingParty = scope.requireRole('relying-party');
  const relyingParty = async (request: FastifyRequest, reply: FastifyReply) => {
    await requireRelyingParty.call(scope, request, reply);
    return { kind: 'relying-party' as const, name: request.principal!.name };
  };
  app.addSchema(SignerIdentitySchema);
  app.addSchema(VerificationReportSchema);
  app.addContentTypeParser(CMS_TYPES, { parseAs: 'buffer', bodyLimit: VERIFY_BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.post('/v1/signatures/verify', {
    bodyLimit: VERIFY_BODY_LIMIT,
    schema: {
      tags: ['signatures'],
      summary: 'Verify a CMS signature',
      description:
        'Checks a CMS SignedData: the signature, the chain to a trusted root (Qorgau\'s own, and the anchors in `<dataDir>/pki/trust/`, such as the national CA), ' +
        'the certificate\'s validity at signing time (an RFC 3161 time-stamp token if present, else the signing-time attribute) and its revocation status. ' +
        'JSON body `{cms, data?}` (base64; `data` for a detached signature), or the raw DER as `application/pkcs7-mime`. ' +
        'An RFC 3161 time-stamp token (a SignedData over a TSTInfo) is recognized and verified as one: its TSA certificate, chain and revocation at genTime; send the stamped data as `data` to check the token was made for it. ' +
        'The answer is a report, also when the signature is invalid; only input that is not a usable CMS is a 400. ' +
        'Anyone may verify; nothing is recorded against the signer then. A relying party that sends its credential (Authorization: Bearer, role relying-party) ' +
        'and the client\'s X-Device-Id has the verification recorded as a use of the certificate, when the signature verified (signature and chain) — ' +
        'a use of a revoked certificate included, a signature that does not verify never.',
      body: {
        content: {
          'application/json': { schema: VerifyRequestSchema },
          'application/pkcs7-mime': rawBody('DER CMS SignedData with its content (attached)'),
          'application/pkcs7-signature': rawBody('DER CMS SignedData with its content (attached)'),
        },
      } as unknown as typeof VerifyRequestSchema,
      security: [{}, { operatorToken: [] }],
      response: { 200: Type.Ref('VerificationReport'), ...problems(400, 401, 403, 413, 415) },
    },
  }, async (request, reply) => {
    // Authenticated before the work: a relying party that presents a credential must present a good one.
    const reporter = request.headers.authorization ? await relyingParty(request, reply) : undefined;
    const body = request.body as VerifyRequest | Buffer;
    const cms = Buffer.isBuffer(body) ? body : decodeBase64(body.cms, 'cms');
    const data = Buffer.isBuffer(body) || body.data === undefined ? undefined : decodeBase64(body.data, 'data');
    // A time-stamp token is verified as one (its TSA, its time), not judged as somebody's signed document.
    const report = SignatureVerifier.isTimeStampToken(cms)
      ? await scope.signatureVerifier.verifyTimeStampTokenDocument(cms, data)
      : await scope.signatureVerifier.verify(cms, { detachedContent: data });
    if (reporter) await scope.signatureUses.seen(request, 'verify', { report, reporter });
    return report;
  });
}
