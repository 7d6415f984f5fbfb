import { Type, type Static } from '@sinclair/typebox';

export const Bin = Type.String({ pattern: '^[0-9]{12}$', description: 'Business identification number (12 digits)' });
export const Licence = Type.Union([Type.Literal('bank'), Type.Literal('mfo')], { description: 'bank or microfinance organization' });

export const LenderCreate = Type.Object(
  { bin: Bin, name: Type.String({ minLength: 1, maxLength: 300 }), licence: Licence },
  { additionalProperties: false },
);
export type LenderCreateInput = Static<typeof LenderCreate>;

export const LenderView = Type.Object({
  bin: Type.String(),
  name: Type.String(),
  licence: Licence,
  createdAt: Type.String({ format: 'date-time' }),
  disabledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type LenderViewType = Static<typeof LenderView>;

export const LenderParams = Type.Object({ bin: Bin });

export const LenderKeyCreated = Type.Object({
  id: Type.String(),
  lenderBin: Type.String(),
  scopes: Type.Array(Type.String()),
  key: Type.String({ description: 'Shown once: only a hash is stored' }),
});

export const OwnKeyView = Type.Object({
  id: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  current: Type.Boolean({ description: 'true for the key this request was made with' }),
});
export const OwnKeys = Type.Object({ items: Type.Array(OwnKeyView) });
export const OwnKeyParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{16}$', description: "The key's id: the part after qlk_" }) });
