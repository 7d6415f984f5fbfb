import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { AppError } from '../../../errors/app-error.js';
import { CertificateInfo } from '../../../pkix/certificate.js';
import { OwnCaRevocationSource } from '../own-ca-revocation.js';
import { RevocationSources, type RevocationAnswer, type RevocationSource } from './crl-processing.js';
import { PathInputError, readCertificateBlocks, readCrlBlocks } from './inputs.js';
import { OnlineRevocation } from './online-revocation.js';
import { PathCertificate } from './path-certificate.js';
import { PathCrl } from './path-crl.js';
import { validatePath } from './path-validator.js';
import { Problem } from '../../../schemas/problem.js';

const Der = (description: string) => Type.String({ minLength: 1, maxLength: 4 * 1024 * 1024, description: `${description}: PEM, or base64 of the DER` });

export const CertificateVerifyRequestSchema = Type.Object(
  {
    certificate: Der('the certificate to validate'),
    chain: Type.Optional(Type.Array(Der('an intermediate CA certificate'), { maxItems: 16, description: 'intermediate CA certificates, in any order' })),
    crls: Type.Optional(Type.Array(Der('a CRL (delta CRLs too)'), { maxItems: 16, description: 'CRLs the caller has, besides those of the trust folder' })),
    at: Type.Optional(Type.String({ format: 'date-time', description: 'validate at this time instead of now' })),
    revocation: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('target'), Type.Literal('none')], { default: 'all', description: 'whose revocation status must be known: every certificate below the anchor (default), the target only, or none' })),
    policies: Type.Optional(Type.Array(Type.String({ pattern: '^[0-2](\\.[0-9]+)+$' }), { maxItems: 16, description: 'acceptable certificate policies (default: any)' })),
    explicitPolicy: Type.Optional(Type.Boolean({ description: 'require a valid certificate policy (RFC 5280 initial-explicit-policy)' })),
  },
  { additionalProperties: false },
);
export type CertificateVerifyRequest = Static<typeof CertificateVerifyRequestSchema>;

const Check = Type.Object({
  check: Type.String({ description: 'path-building, signature, validity, name-chaining, basic-constraints, key-usage, name-constraints, policy, critical-extensions, revocation or trust-anchor' }),
  status: Type.Union([Type.Literal('passed'), Type.Literal('failed'), Type.Literal('unknown')]),
  code: Type.String({ description: 'stable code, e.g. REVOKED, NAME_CONSTRAINTS_VIOLATED, REVOCATION_UNKNOWN' }),
  reason: Type.String(),
  certificate: Type.Optional(Type.String({ description: 'subject of the certificate the check is about' })),
});

export const PathValidationReportSchema = Type.Object(
  {
    result: Type.Union([Type.Literal('valid'), Type.Literal('invalid'), Type.Literal('indeterminate')]),
    decidedBy: Check,
    checks: Type.Array(Check),
    path: Type.Array(Type.Object({ subject: Type.String(), issuer: Type.String(), serialNumber: Type.String(), sha256Fingerprint: Type.String() }), { description: 'from the trust anchor down to the certificate' }),
    trustAnchor: Type.Optional(Type.String()),
    validPolicies: Type.Optional(Type.Array(Type.String())),
    validatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'PathValidationReport' },
);

function bytesOf(text: string, what: string): Buffer {
  if (text.includes('-----BEGIN ')) return Buffer.from(text, 'latin1');
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw AppError.badRequest('INVALID_BASE64', `${what} is neither PEM nor base64`);
  return Buffer.from(compact, /[-_]/.test(compact) ? 'base64url' : 'base64');
}

/** Qorgau's own certificates: their status from the certificates table, the record OCSP answers from. */
class OwnCaStatus implements RevocationSource {
  constructor(private readonly own: OwnCaRevocationSource) {}
  async fetchCrls() {
    return { crls: [], problems: [] };
  }
  async status(certificate: PathCertificate, issuer: PathCertificate, _key: unknown, at: Date): Promise<RevocationAnswer | undefined> {
    const answer = await this.own.check({ certificate: CertificateInfo.parse(certificate.der), issuer: CertificateInfo.parse(issuer.der), at });
    if (!answer) return undefined;
    const detail = `${answer.status === 'good' ? 'is good' : answer.status === 'unknown' ? 'is unknown' : 'was'} ${answer.detail} per the ${answer.source}`;
    if (answer.status === 'on-hold') return { status: 'revoked', reason: 'certificateHold', detail };
    return { status: answer.status, ...(answer.reason ? { reason: answer.reason } : {}), detail };
  }
}

export interface CertificatesVerifyOptions {
  /** Ask foreign CAs online (their CRL distribution points and OCSP responders); on by default. */
  online?: boolean;
  onlineTimeoutMs?: number;
  clock?: () => Date;
}

/**
 * POST /v1/certificates/verify: RFC 5280 path validation of a certificate against the
 * configured anchors (Qorgau's root and the trust folder), for relying parties.
 */
export const certificatesVerifyRoutes = fp(
  async function certificatesVerify(root: FastifyInstance, options: CertificatesVerifyOptions) {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    app.addSchema(PathValidationReportSchema);
    const sources: RevocationSource[] = [];
    if (root.pki) {
      const issuers = [root.pki.issuing, root.pki.root].map((e) => ({ name: e.name, certificate: CertificateInfo.parse(e.der) }));
      sources.push(new OwnCaStatus(new OwnCaRevocationSource(root.database.db, issuers)));
    }
    if (options.online ?? true) sources.push(new OnlineRevocation({ timeoutMs: options.onlineTimeoutMs ?? 5_000 }));
    const revocationSources = new RevocationSources(sources);
    // The trust store's material, re-read only when its lists change (the trust folder's CRLs are reloaded in place).
    let cached: { key: string; anchors: PathCertificate[]; intermediates: PathCertificate[]; crls: PathCrl[] } | undefined;
    const material = () => {
      const trust = root.trustStore;
      const key = `${trust.anchors.length}:${trust.intermediates.length}:${trust.crls.length}`;
      if (cached?.key !== key) {
        cached = {
          key,
          anchors: trust.anchors.map((a) => new PathCertificate(a.certificate.der)),
          intermediates: trust.intermediates.map((c) => new PathCertificate(c.der)),
          crls: trust.crls.flatMap((der) => {
            try {
              return [new PathCrl(der)];
            } catch {
              return [];
            }
          }),
        };
      }
      return cached;
    };

    app.post('/v1/certificates/verify', {
      bodyLimit: 16 * 1024 * 1024,
      schema: {
        tags: ['signatures'],
        summary: 'Validate a certificate (RFC 5280 path validation)',
        description:
          'Builds and validates the path from the certificate to a configured trust anchor (Qorgau\'s root and the anchors of the trust folder, such as the national CA), ' +
          'as RFC 5280 section 6 says: signatures, validity, name chaining, basic constraints and path length, key usage, name constraints, certificate policies, critical extensions; ' +
          'then the revocation status of every certificate below the anchor (section 6.3) from the CRLs sent, the trust folder, Qorgau\'s own records, OCSP and the CRL distribution points. ' +
          'The answer is valid, invalid or indeterminate (revocation status or path not known), with the check that decided it. A 4xx only for input that cannot be read.',
        body: CertificateVerifyRequestSchema,
        response: { 200: Type.Ref(PathValidationReportSchema), 400: Problem, 413: Problem },
      },
    }, async (request) => {
      const body = request.body;
      const at = body.at ? new Date(body.at) : (options.clock ?? (() => new Date()))();
      if (Number.isNaN(at.getTime())) throw AppError.badRequest('INVALID_TIME', '"at" is not a time: use ISO 8601, such as 2026-11-29T12:00:00Z');
      try {
        const [target, ...extra] = readCertificateBlocks(bytesOf(body.certificate, '"certificate"'), '"certificate"');
        const chain = (body.chain ?? []).flatMap((c, i) => readCertificateBlocks(bytesOf(c, `"chain[${i}]"`), `"chain[${i}]"`));
        const crls = (body.crls ?? []).flatMap((c, i) => readCrlBlocks(bytesOf(c, `"crls[${i}]"`), `"crls[${i}]"`));
        const trust = material();
        return await validatePath({
          target,
          anchors: trust.anchors,
          intermediates: [...extra, ...chain, ...trust.intermediates],
          crls: [...crls, ...trust.crls],
          at,
          revocation: body.revocation ?? 'all',
          policy: { ...(body.policies?.length ? { initialPolicySet: body.policies } : {}), initialExplicitPolicy: !!body.explicitPolicy },
          onlineRevocation: revocationSources,
        });
      } catch (err) {
        if (err instanceof PathInputError) throw AppError.badRequest(/CRL/.test(err.message) && /crls/.test(err.what) ? 'CRL_MALFORMED' : 'CERTIFICATE_MALFORMED', `${err.message}. Send PEM, or base64 of the DER.`);
        throw err;
      }
    });
  },
  { name: 'certificates-verify', dependencies: ['trust'] },
);
