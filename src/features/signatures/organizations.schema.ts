import { Type, type Static } from '@sinclair/typebox';

/** Checked by the service (check digit, type digit) so a bad BIN gets its own code, not a pattern error. */
export const BinParams = Type.Object({ bin: Type.String({ maxLength: 32, description: 'Organization BIN (12 digits)' }) });
export const EmployeeParams = Type.Object({
  bin: Type.String({ maxLength: 32, description: 'Organization BIN (12 digits)' }),
  iin: Type.String({ maxLength: 32, description: 'Employee IIN (12 digits)' }),
});

export const Enrolment = Type.Object(
  {
    bin: Type.String({ maxLength: 32, description: 'The organization BIN; a first head may enrol only the BIN in their certificate' }),
    name: Type.String({ minLength: 1, maxLength: 300 }),
  },
  { additionalProperties: false },
);
export type EnrolmentInput = Static<typeof Enrolment>;

export const OrganizationView = Type.Object({
  bin: Type.String(),
  name: Type.String(),
  enrolledAt: Type.String({ format: 'date-time' }),
  currentEmployees: Type.Integer(),
});
export type OrganizationViewType = Static<typeof OrganizationView>;

export const CredentialCreate = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100, description: 'e.g. "1C:ZUP payroll"' }) }, { additionalProperties: false });
export const CredentialCreated = Type.Object({
  id: Type.String(),
  credential: Type.String({ description: 'Shown once: send as "Authorization: Bearer <credential>"' }),
});
export const CredentialView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export const CredentialParams = Type.Object({ bin: Type.String({ maxLength: 32 }), id: Type.String({ maxLength: 32 }) });
