import { Type, type Static } from '@sinclair/typebox';

export const HeldCertificateView = Type.Object({
  kind: Type.Union([Type.Literal('auth'), Type.Literal('sign')]),
  issuer: Type.String(),
  serial: Type.String(),
  profile: Type.String(),
  organizationBin: Type.Union([Type.String(), Type.Null()]),
  pairId: Type.Union([Type.String(), Type.Null()]),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Type.String({ format: 'date-time' }),
  daysLeft: Type.Integer({ description: 'Whole days until it expires (0 once expired)' }),
  status: Type.Union([Type.Literal('good'), Type.Literal('on-hold'), Type.Literal('revoked'), Type.Literal('expired')]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revocationReason: Type.Union([Type.String(), Type.Null()]),
});
export type HeldCertificateViewType = Static<typeof HeldCertificateView>;
export const HeldCertificates = Type.Object({ items: Type.Array(HeldCertificateView) });
/** An employee's certificates of one organization, and who requested each pair. */
export const EmployeeCertificates = Type.Object({
  items: Type.Array(HeldCertificateView),
  requests: Type.Array(
    Type.Object({ pairId: Type.String(), roles: Type.Array(Type.String()), requestedBy: Type.String(), requestedAt: Type.String({ format: 'date-time' }) }),
  ),
});

export const HolderSerialParams = Type.Object({ serial: Type.String({ minLength: 1, maxLength: 64, description: 'Certificate serial (hex)' }) });
export const RenewalBody = Type.Object(
  {
    authCsr: Type.String({ minLength: 100, maxLength: 20000, description: 'PKCS#10 for the new AUTH key (PEM or base64 DER)' }),
    signCsr: Type.String({ minLength: 100, maxLength: 20000, description: 'PKCS#10 for the new SIGN key (PEM or base64 DER)' }),
  },
  { additionalProperties: false },
);

export const LostCertificateBody = Type.Object(
  { invalidityDate: Type.Optional(Type.String({ format: 'date-time', description: 'When the key was lost, if known' })) },
  { additionalProperties: false },
);
export const LostCertificateResult = Type.Object({
  revoked: Type.Array(Type.Object({ issuer: Type.String(), serial: Type.String(), reason: Type.String(), revokedAt: Type.String({ format: 'date-time' }) })),
  next: Type.String({ description: 'How to get a new pair' }),
});

export const UsageQuery = Type.Object({
  serial: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
export const HolderUsage = Type.Object({
  items: Type.Array(
    Type.Object({
      occurredAt: Type.String({ format: 'date-time' }),
      certificateSerial: Type.String(),
      purpose: Type.String(),
      outcome: Type.String(),
      deviceId: Type.Union([Type.String(), Type.Null()]),
      clientIp: Type.Union([Type.String(), Type.Null()]),
      organizationBin: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  recorded: Type.Boolean({ description: 'false while usage recording is not running on this server' }),
});
