import { Type, type Static } from '@sinclair/typebox';

const Roles = Type.Object(
  {
    maySign: Type.Optional(Type.Boolean({ default: false, description: 'May sign documents for the organization (role .2.2)' })),
    maySignFinancial: Type.Optional(Type.Boolean({ default: false, description: 'May sign financial documents (role .2.3)' })),
    hr: Type.Optional(Type.Boolean({ default: false, description: 'HR: administers employees and requests their certificates (role .2.4)' })),
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
  roles: Type.Object({ maySign: Type.Boolean(), maySignFinancial: Type.Boolean(), hr: Type.Boolean() }),
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

const Csr = (what: string) =>
  Type.String({ minLength: 16, maxLength: 24_000, description: `PKCS#10 CSR of the employee's ${what} key (PEM or base64 DER); its subject carries serialNumber=IIN<employee IIN>` });

export const EmployeeCertificateRequest = Type.Object(
  {
    authCsr: Csr('AUTH'),
    signCsr: Csr('SIGN'),
    surname: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Default: the employment record' })),
    givenName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    patronymic: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type EmployeeCertificateRequestInput = Static<typeof EmployeeCertificateRequest>;


export const IssuedEmployeePair = Type.Object({
  pairId: Type.String(),
  roles: Type.Array(Type.String()),
  certificates: Type.Array(Type.Object({ kind: Type.Union([Type.Literal('auth'), Type.Literal('sign')]), serial: Type.String(), notAfter: Type.String({ format: 'date-time' }), pem: Type.String() })),
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
