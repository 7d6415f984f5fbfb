import { Type, type Static } from '@sinclair/typebox';
import { Channel, Product } from './checks.schema.js';

const Category = Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$' });

export const PolicyRuleSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    all: Type.Array(Category, { maxItems: 20, description: 'The breach must include every one of these categories' }),
    any: Type.Array(Category, { maxItems: 20, description: 'and at least one of these (empty: none needed)' }),
    products: Type.Array(Product, { minItems: 1, uniqueItems: true }),
    channels: Type.Array(Channel, { minItems: 1, uniqueItems: true }),
    days: Type.Integer({ minimum: 1, maximum: 3650, description: 'How long the protective restriction lasts from publication' }),
  },
  { additionalProperties: false },
);

export const PolicyCreate = Type.Object(
  {
    rules: Type.Array(PolicyRuleSchema, { maxItems: 50 }),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type PolicyCreateInput = Static<typeof PolicyCreate>;

export const PolicyView = Type.Object({
  version: Type.Integer(),
  rules: Type.Array(PolicyRuleSchema),
  note: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type PolicyViewType = Static<typeof PolicyView>;
