import { Type, type Static } from '@sinclair/typebox';

const Roles = Type.Object(
  {
    maySign: Type.Optional(Type.Boolean({ default: false, description: 'May sign documents for the organization (role .2.2)' })),
    maySignFinancial: Type.Optional(Type.Boolean({ default: false, description: 'May sign financial documents (role .2.3)' })),
    hr: Type.Optional(Type.Boolean({ default: false, description: 'HR: administers employees and requests their certificates (role .2.4)' })),
    firstHead: Type.Optional(
      Type.Boolean({
        description:
          'First head (role .2.1). Set only from a proof of headship (the head\'s own pair, or enrolment): true on a record without it is 403 FIRST_HEAD_NEEDS_PROOF; ' +
          'false takes it off (the first head or an admin only, 403 ORG_HEAD_ROLE_REQUIRED); left out, it stays as it is',
      }),
    ),
  },
  { additionalProperties: false },
);

export const EmployeeUpsert = Type.Object(
  {
    position: Type.String({ minLength: 1, maxLength: 200 }),
    surname: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    givenName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    patronymic: Type.Optional(Type.String({ maxLength: 100 })),
    roles: Type.Optional(Roles),
    startDate: Type.Optional(Type.String({ format: 'date', description: 'First day of employment (default: today)' })),
  },
  { additionalProperties: false },
);
export type EmployeeUpsertInput = Static<typeof EmployeeUpsert>;

export const EmployeeView = Type.Object({
  bin: Type.String(),
  iin: Type.String({ description: "The organization's own record: the IIN in the clear" }),
  surname: Type.Union([Type.String(), Type.Null()]),
  givenName: Type.Union([Type.String(), Type.Null()]),
  patronymic: Type.Union([Type.String(), Type.Null()]),
  position: Type.String(),
  roles: Type.Object({ maySign: Type.Boolean(), maySignFinancial: Type.Boolean(), hr: Type.Boolean(), firstHead: Type.Boolean() }),
  startedAt: Type.String({ format: 'date-time' }),
  endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  endReason: Type.Union([Type.String(), Type.Null()]),
  employed: Type.Boolean(),
});
export type EmployeeViewType = Static<typeof EmployeeView>;

export const EmployeeListQuery = Type.Object({
  status: Type.Optional(Type.Union([Type.Literal('current'), Type.Literal('ended'), Type.Literal('all')], { default: 'current' })),
  after: Type.Optional(Type.String({ pattern: '^[0-9]{12}(\\.[0-9]{1,15})?$', description: 'Cursor: `next` of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
export const EmployeePage = Type.Object({ items: Type.Array(EmployeeView), next: Type.Union([Type.String(), Type.Null()]) });

/** The body HR used to send with CSRs it made: kept only so the refusal can say what to do instead. */
export const EmployeeCertificateRequest = Type.Unknown({
  description: 'No longer taken: HR never submits key material for an employee. Authorize the pair (POST …/certificate-authorizations); the employee applies with their own keys.',
});

export const AuthorizationCreate = Type.Object(
  {
    validDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 30, description: 'How many days the employee has to apply (default 7)' })),
  },
  { additionalProperties: false },
);
export type AuthorizationCreateInput = Static<typeof AuthorizationCreate>;

export const AuthorizationView = Type.Object({
  id: Type.String(),
  bin: Type.String(),
  iin: Type.String({ description: "The organization's own record: the IIN in the clear" }),
  roles: Type.Array(Type.String(), { description: "From the employment record at authorization: the certificate's role OIDs" }),
  authorizedBy: Type.String(),
  authorizedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  status: Type.Union([Type.Literal('open'), Type.Literal('used'), Type.Literal('withdrawn'), Type.Literal('expired')]),
  closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  applicationId: Type.Union([Type.String(), Type.Null()]),
  pairId: Type.Union([Type.String(), Type.Null()]),
  next: Type.Union([Type.String(), Type.Null()], { description: 'How the employee applies, while the authorization is open' }),
});
export type AuthorizationViewType = Static<typeof AuthorizationView>;
export const AuthorizationList = Type.Object({ items: Type.Array(AuthorizationView) });
export const AuthorizationParams = Type.Object({
  bin: Type.String({ maxLength: 32, description: 'Organization BIN (12 digits)' }),
  iin: Type.String({ maxLength: 32, description: 'Employee IIN (12 digits)' }),
  id: Type.String({ format: 'uuid' }),
});

export const TerminationBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'e.g. "resigned", "dismissed"' })) },
  { additionalProperties: false },
);
export const RevokedView = Type.Object({ issuer: Type.String(), serial: Type.String(), reason: Type.String(), revokedAt: Type.String({ format: 'date-time' }) });
export const TerminationView = Type.Object({
  bin: Type.String(),
  iin: Type.String(),
  endedAt: Type.String({ format: 'date-time' }),
  revoked: Type.Array(RevokedView),
});
export type TerminationViewType = Static<typeof TerminationView>;
