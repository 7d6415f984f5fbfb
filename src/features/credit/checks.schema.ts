import { Type, type Static } from '@sinclair/typebox';

export const Product = Type.Union([Type.Literal('bank_loan'), Type.Literal('microcredit')]);
export const Channel = Type.Union([Type.Literal('online'), Type.Literal('in_person')]);

export const CheckRequest = Type.Object(
  {
    iin: Type.String({ minLength: 1, maxLength: 32, description: 'The applicant IIN (12 digits); stored only as its pseudonym' }),
    product: Product,
    channel: Channel,
    amount: Type.Optional(Type.Number({ minimum: 0, maximum: 1e15, description: 'Loan amount in tenge' })),
  },
  { additionalProperties: false },
);
export type CheckRequestInput = Static<typeof CheckRequest>;

export const RestrictionSchema = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union([Type.Literal('protective'), Type.Literal('voluntary')]),
    products: Type.Array(Product),
    channels: Type.Array(Channel),
    since: Type.String({ format: 'date-time' }),
    until: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    reason: Type.String(),
    breachId: Type.Union([Type.String(), Type.Null()]),
    policyVersion: Type.Union([Type.Integer(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'Restriction' },
);

export const CheckSignature = Type.Object(
  {
    alg: Type.Literal('ES256'),
    kid: Type.String(),
    jws: Type.String({ description: 'Compact JWS (ES256) over {root, size, signedAt}: the RFC 6962 Merkle root of the answers committed together' }),
    signedAnswer: Type.String({ description: 'The exact bytes of this answer that the Merkle leaf hashes: SHA-256(0x00 || signedAnswer)' }),
    leafIndex: Type.Integer({ minimum: 0 }),
    treeSize: Type.Integer({ minimum: 1 }),
    auditPath: Type.Array(Type.String(), { description: 'Sibling hashes (base64url), leaf to root (RFC 9162 2.1.3.2)' }),
  },
  { description: 'The registry vouches for the answer: verify the JWS with GET /v1/credit/signing-key, then the leaf against the root' },
);

export const CheckAnswer = Type.Object({
  decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  restrictions: Type.Array(Type.Ref('Restriction')),
  checkId: Type.String({ format: 'uuid' }),
  checkedAt: Type.String({ format: 'date-time' }),
  signature: CheckSignature,
});
export type CheckAnswerType = Static<typeof CheckAnswer>;

export const InquiryView = Type.Object({
  checkId: Type.String({ format: 'uuid' }),
  checkedAt: Type.String({ format: 'date-time' }),
  product: Product,
  channel: Channel,
  amount: Type.Union([Type.Number(), Type.Null()]),
  decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  restrictionIds: Type.Array(Type.String()),
});

export const CheckListQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    decision: Type.Optional(Type.Union([Type.Literal('allow'), Type.Literal('deny')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    before: Type.Optional(Type.String({ format: 'date-time', description: 'Cursor: checks strictly before this time (use the last checkedAt of the page)' })),
  },
  { additionalProperties: false },
);
export type CheckListQueryType = Static<typeof CheckListQuery>;

export const CheckParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'The checkId of the answer' }) });

export const LoanReportCreate = Type.Object(
  {
    checkId: Type.String({ format: 'uuid' }),
    amount: Type.Number({ exclusiveMinimum: 0, maximum: 1e15 }),
    issuedOn: Type.String({ format: 'date', description: 'The day the loan was issued' }),
  },
  { additionalProperties: false },
);
export type LoanReportCreateInput = Static<typeof LoanReportCreate>;

export const LoanReportView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  checkId: Type.String({ format: 'uuid' }),
  lenderBin: Type.String(),
  amount: Type.Number(),
  issuedOn: Type.String({ format: 'date' }),
  status: Type.Union([Type.Literal('open'), Type.Literal('written_off'), Type.Literal('rejected')]),
  createdAt: Type.String({ format: 'date-time' }),
});
export type LoanReportViewType = Static<typeof LoanReportView>;

export const SigningKey = Type.Object({
  keys: Type.Array(
    Type.Object({ kty: Type.String(), crv: Type.String(), x: Type.String(), y: Type.String(), kid: Type.String(), alg: Type.String(), use: Type.String() }),
  ),
});
