import { Type, type Static } from '@sinclair/typebox';

export const BREACH_SOURCES = ['hack', 'insider', 'misconfiguration', 'lost_device', 'third_party', 'unknown'] as const;
export const BREACH_STATUSES = ['draft', 'published', 'closed', 'retracted'] as const;

const DateTime = Type.String({ format: 'date-time' });
/** A moment, or only the day when that is all that is known; the answer gives back the form that was given. */
const DayOrDateTime = Type.Union([Type.String({ format: 'date-time' }), Type.String({ format: 'date' })], {
  description: 'RFC 3339 date-time, or a plain date (YYYY-MM-DD) when only the day is known',
});
/** The breach fields that may be given as a plain day. */
export const DAY_DATE_FIELDS = ['occurredAt', 'discoveredAt', 'disclosedAt'] as const;
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const Bin = Type.String({ pattern: '^[0-9]{12}$', description: 'Business identification number (12 digits)' });
export const BreachId = Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', minLength: 3, maxLength: 80, description: 'Slug' });
export const CategoryCode = Type.String({ pattern: '^[a-z][a-z0-9_]{1,39}$' });

export const BreachParams = Type.Object({ id: Type.String({ maxLength: 200 }) });
export const OrganizationParams = Type.Object({ bin: Type.String({ maxLength: 40 }) });

export const Breach = Type.Object(
  {
    id: Type.String(),
    organization: Type.Object({ bin: Type.String(), name: Type.String() }),
    title: Type.String(),
    description: Type.String(),
    occurredAt: Type.Union([DayOrDateTime, Type.Null()]),
    discoveredAt: Type.Union([DayOrDateTime, Type.Null()]),
    disclosedAt: Type.Union([DayOrDateTime, Type.Null()]),
    source: Type.Union(BREACH_SOURCES.map((s) => Type.Literal(s))),
    dataCategories: Type.Array(Type.String()),
    affectedCount: Type.Integer(),
    verified: Type.Boolean(),
    status: Type.Union(BREACH_STATUSES.map((s) => Type.Literal(s))),
    createdAt: DateTime,
    updatedAt: DateTime,
    publishedAt: Nullable(DateTime),
  },
  { $id: 'Breach' },
);
export type BreachView = Static<typeof Breach>;

export const BreachCreate = Type.Object(
  {
    id: Type.Optional(BreachId),
    organizationBin: Bin,
    organizationName: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    title: Type.String({ minLength: 1, maxLength: 500 }),
    description: Type.Optional(Type.String({ maxLength: 20000 })),
    occurredAt: Type.Optional(Type.Union([DayOrDateTime, Type.Null()])),
    discoveredAt: Type.Optional(Type.Union([DayOrDateTime, Type.Null()])),
    disclosedAt: Type.Optional(Type.Union([DayOrDateTime, Type.Null()])),
    source: Type.Union(BREACH_SOURCES.map((s) => Type.Literal(s))),
    dataCategories: Type.Array(CategoryCode, { minItems: 1, maxItems: 50, uniqueItems: true }),
    verified: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type BreachCreateInput = Static<typeof BreachCreate>;

export const BreachPatch = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    description: Type.Optional(Type.String({ maxLength: 20000 })),
    occurredAt: Type.Optional(Type.Union([DayOrDateTime, Type.Null()])),
    discoveredAt: Type.Optional(Type.Union([DayOrDateTime, Type.Null()])),
    disclosedAt: Type.Optional(Type.Union([DayOrDateTime, Type.Null()])),
    source: Type.Optional(Type.Union(BREACH_SOURCES.map((s) => Type.Literal(s)))),
    dataCategories: Type.Optional(Type.Array(CategoryCode, { minItems: 1, maxItems: 50, uniqueItems: true })),
    verified: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type BreachPatchInput = Static<typeof BreachPatch>;

export const BreachListQuery = Type.Object(
  {
    organization: Type.Optional(Type.String({ maxLength: 40, description: 'BIN of the organization responsible' })),
    category: Type.Optional(Type.String({ maxLength: 40, description: 'Only breaches that include this data category' })),
    status: Type.Optional(
      Type.Union(BREACH_STATUSES.map((s) => Type.Literal(s)), { description: 'Registry operators only (drafts, closed, retracted); the public sees published breaches' }),
    ),
    from: Type.Optional(Type.String({ format: 'date', description: 'Occurred on or after (YYYY-MM-DD); published date when unknown' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'Occurred on or before (YYYY-MM-DD)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);
export type BreachListFilter = Static<typeof BreachListQuery>;

export const BreachPage = Type.Object({
  items: Type.Array(Type.Ref('Breach')),
  nextCursor: Nullable(Type.String()),
});

export const OrganizationView = Type.Object({
  bin: Type.String(),
  name: Type.String(),
  totals: Type.Object({ publishedBreaches: Type.Integer(), affectedPersons: Type.Integer({ description: 'Sum over breaches; a person in two breaches counts twice' }) }),
  breaches: Type.Array(Type.Ref('Breach')),
});

export const OrganizationUpsert = Type.Object({ name: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });

export const DataCategory = Type.Object({ code: Type.String(), label: Type.String() });
export const DataCategoryCreate = Type.Object({ code: CategoryCode, label: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

export const ImportReport = Type.Object({
  breachId: Type.String(),
  format: Type.Union([Type.Literal('csv'), Type.Literal('ndjson')]),
  lines: Type.Integer({ description: 'Data lines read (header and blank lines excluded)' }),
  accepted: Type.Integer({ description: 'Persons newly added to the breach' }),
  duplicate: Type.Integer({ description: 'Valid lines whose person was already in the breach or earlier in the file' }),
  invalid: Type.Integer(),
  invalidLines: Type.Array(Type.Object({ line: Type.Integer(), code: Type.String(), reason: Type.String() }), {
    description: 'The first 100 invalid lines',
  }),
  affectedCount: Type.Integer({ description: 'Persons in the breach after the import' }),
});
export type ImportReportView = Static<typeof ImportReport>;
