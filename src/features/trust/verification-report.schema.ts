import { Type, type Static } from '@sinclair/typebox';

/** The output shape of signature verification: the only fields that reach a client. */
const Status = Type.Union([Type.Literal('passed'), Type.Literal('failed'), Type.Literal('unknown')]);
export const VerificationResultSchema = Type.Union([Type.Literal('valid'), Type.Literal('invalid'), Type.Literal('indeterminate')], {
  description: 'valid: every check passed; invalid: a check failed; indeterminate: nothing failed but something could not be established (no trusted chain, unknown revocation status)',
});

const CheckedIdentifier = Type.Object({
  value: Type.String(),
  valid: Type.Boolean({ description: 'false when the check digit or form is wrong; the signature is still reported' }),
  problem: Type.Optional(Type.String({ description: 'the identifier check code, e.g. IIN_INVALID_CHECKSUM' })),
});

export const SignerIdentitySchema = Type.Object(
  {
    iin: Type.Optional(CheckedIdentifier),
    commonName: Type.Optional(Type.String()),
    surname: Type.Optional(Type.String()),
    givenName: Type.Optional(Type.String({ description: 'first name: CN without the surname' })),
    patronymic: Type.Optional(Type.String({ description: 'GIVENNAME, where the national CA puts the patronymic' })),
    country: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    organization: Type.Optional(Type.Object({ name: Type.Optional(Type.String()), bin: Type.Optional(CheckedIdentifier) })),
    roles: Type.Array(Type.String(), { description: 'from the role OIDs 1.2.398.3.3.4.1.x in the extended key usage' }),
    identityProofing: Type.Optional(Type.Union([Type.Literal('in-person'), Type.Literal('remote')])),
    purpose: Type.Union([Type.Literal('AUTH'), Type.Literal('SIGN'), Type.Literal('UNKNOWN')], {
      description: 'AUTH certificates sign in; SIGN certificates sign documents (nonRepudiation)',
    }),
  },
  { $id: 'SignerIdentity' },
);

export const VerificationCheckSchema = Type.Object({
  check: Type.Union(['signature', 'signing-time', 'certificate-validity', 'key-usage', 'chain', 'revocation'].map((c) => Type.Literal(c))),
  status: Status,
  code: Type.String({ description: 'stable code, e.g. SIGNATURE_VALID, MESSAGE_DIGEST_MISMATCH, NO_TRUSTED_CHAIN, REVOKED' }),
  reason: Type.String(),
});

export const CertificateSummarySchema = Type.Object({
  subject: Type.String(),
  issuer: Type.String(),
  serialNumber: Type.String({ description: 'hex' }),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Type.String({ format: 'date-time' }),
  keyUsage: Type.Array(Type.String()),
  extendedKeyUsage: Type.Array(Type.String()),
  policies: Type.Array(Type.String()),
  sha256Fingerprint: Type.String(),
  trustAnchor: Type.Optional(Type.String()),
});

export const SignerReportSchema = Type.Object({
  result: VerificationResultSchema,
  checks: Type.Array(VerificationCheckSchema),
  signedAt: Type.Object({
    time: Type.String({ format: 'date-time' }),
    source: Type.Union([Type.Literal('time-stamp'), Type.Literal('signing-time'), Type.Literal('verification-time')], {
      description: 'time-stamp: proven by an RFC 3161 token; signing-time: claimed by the signer; verification-time: no time in the signature',
    }),
  }),
  timeStamp: Type.Optional(
    Type.Object({
      status: Status,
      genTime: Type.Optional(Type.String({ format: 'date-time' })),
      serialNumber: Type.Optional(Type.String()),
      policy: Type.Optional(Type.String()),
      tsa: Type.Optional(Type.String()),
      reason: Type.String(),
    }),
  ),
  signer: Type.Optional(Type.Ref('SignerIdentity')),
  certificate: Type.Optional(CertificateSummarySchema),
});

export const VerificationReportSchema = Type.Object(
  {
    result: VerificationResultSchema,
    contentType: Type.String({ description: 'eContentType OID (1.2.840.113549.1.7.1 for data)' }),
    detached: Type.Boolean(),
    verifiedAt: Type.String({ format: 'date-time' }),
    signers: Type.Array(SignerReportSchema),
  },
  { $id: 'VerificationReport' },
);

export const VerifyRequestSchema = Type.Object(
  {
    cms: Type.String({ minLength: 1, description: 'CMS SignedData (DER), base64, or a PEM block of it' }),
    data: Type.Optional(Type.String({ description: 'the signed data for a detached signature, base64' })),
  },
  { additionalProperties: false },
);
export type VerifyRequest = Static<typeof VerifyRequestSchema>;
