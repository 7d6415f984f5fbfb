import { Type } from '@sinclair/typebox';

/** The request header of routes that honour retries (see idempotency.plugin.ts); documented in OpenAPI. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Any unique string (a UUID): a retry with the same key and body gets the first answer (header Idempotent-Replayed: true) and records nothing twice',
    }),
  ),
});
