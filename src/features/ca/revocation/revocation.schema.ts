import { Type, type Static } from '@sinclair/typebox';
import { REVOCATION_REASONS } from '../../../pkix/crl-reason.js';

export const SerialParams = Type.Object({
  serial: Type.String({ pattern: '^(0x)?[0-9a-fA-F:]{1,64}$', description: 'Certificate serial number in hex' }),
});

export const RevokeBody = Type.Object(
  {
    reason: Type.Union(
      REVOCATION_REASONS.map((r) => Type.Literal(r)),
      { description: 'RFC 5280 CRLReason; certificateHold suspends (release it with release-hold)' },
    ),
    invalidityDate: Type.Optional(Type.String({ format: 'date-time', description: 'When the key is known or suspected to have been compromised' })),
    includePair: Type.Optional(Type.Boolean({ default: true, description: 'Also revoke the other certificate of the AUTH/SIGN pair' })),
    issuer: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "Issuing CA name; the platform's issuing CA by default" })),
  },
  { additionalProperties: false },
);
export type RevokeBodyInput = Static<typeof RevokeBody>;

export const ReleaseBody = Type.Object(
  {
    includePair: Type.Optional(Type.Boolean({ default: true })),
    issuer: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const RevokedCertificateView = Type.Object({
  issuer: Type.String(),
  serial: Type.String(),
  reason: Type.String(),
  revokedAt: Type.String({ format: 'date-time' }),
  invalidityDate: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  viaPair: Type.Boolean({ description: 'Revoked because its pair partner was' }),
});

export const RevocationResult = Type.Object({ revoked: Type.Array(RevokedCertificateView) });
export const ReleaseResult = Type.Object({ released: Type.Array(Type.String({ description: 'serial' })) });

export const CrlParams = Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9._-]+\\.crl$', description: '<issuer>.crl' }) });
