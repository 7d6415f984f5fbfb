import { Type, type Static } from '@sinclair/typebox';

export const ChallengeView = Type.Object(
  {
    nonce: Type.String({ description: 'Sign exactly these UTF-8 bytes (CMS, attached or detached) with your AUTH certificate' }),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'SigninChallenge' },
);

export const SigninRequest = Type.Object(
  {
    nonce: Type.String({ minLength: 1, maxLength: 200 }),
    cms: Type.String({ minLength: 1, maxLength: 64 * 1024, description: 'CMS SignedData over the nonce, base64 (DER) or PEM' }),
  },
  { additionalProperties: false },
);
export type SigninRequest = Static<typeof SigninRequest>;

export const SessionView = Type.Object(
  {
    sessionId: Type.String(),
    displayName: Type.String(),
    holder: Type.Union([Type.Literal('individual'), Type.Literal('employee')]),
    certificateSerial: Type.String(),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'PersonSession', description: 'The session token itself is only in the HttpOnly cookie' },
);
