import { Type, type Static } from '@sinclair/typebox';
import { Channel, Product } from './checks.schema.js';

const Common = {
  iin: Type.String({ pattern: '^[0-9]{12}$' }),
  nonce: Type.String({ minLength: 8, maxLength: 128 }),
  issuedAt: Type.String({ minLength: 20, maxLength: 40 }),
};

/** The signed request to place a voluntary restriction (its canonical JSON is what the person signs). */
export const PlaceRequestDocument = Type.Object(
  {
    action: Type.Literal('restriction.place'),
    ...Common,
    products: Type.Array(Product, { minItems: 1, maxItems: 2, uniqueItems: true }),
    channels: Type.Array(Channel, { minItems: 1, maxItems: 2, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type PlaceRequestDocument = Static<typeof PlaceRequestDocument>;

/**
 * The signed request to lift: one restriction (restrictionId) or all the person has now
 * (restrictionId null); entirely, until a date, or for one lender (BIN) for some hours.
 */
export const LiftRequestDocument = Type.Object(
  {
    action: Type.Literal('restriction.lift'),
    ...Common,
    restrictionId: Type.Union([Type.String({ pattern: '^[0-9]{1,18}$' }), Type.Null()]),
    scope: Type.Union([Type.Literal('entire'), Type.Literal('until'), Type.Literal('lender')]),
    until: Type.Optional(Type.String({ minLength: 10, maxLength: 40 })),
    lenderBin: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })),
    hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
  },
  { additionalProperties: false },
);
export type LiftRequestDocument = Static<typeof LiftRequestDocument>;

/** A signed request as sent: the CMS (attached) over the canonical JSON. */
export const SignedRequestBody = Type.Object(
  {
    document: Type.String({
      minLength: 1,
      maxLength: 128 * 1024,
      description: 'CMS SignedData (base64 DER or PEM), attached, made with your SIGN certificate over the canonical JSON of the request: keys sorted, no whitespace.',
    }),
  },
  { additionalProperties: false },
);

export const LiftView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    restrictionId: Type.Union([Type.String(), Type.Null()]),
    scope: Type.Union([Type.Literal('entire'), Type.Literal('until'), Type.Literal('lender')]),
    lenderBin: Type.Union([Type.String(), Type.Null()]),
    requestedAt: Type.String({ format: 'date-time' }),
    effectiveAt: Type.String({ format: 'date-time' }),
    liftedUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    cancelledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    status: Type.Union([Type.Literal('cooling-off'), Type.Literal('in-effect'), Type.Literal('ended'), Type.Literal('cancelled')]),
    documentId: Type.String({ format: 'uuid' }),
  },
  { $id: 'Lift' },
);
export type LiftView = Static<typeof LiftView>;

export const LiftParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
