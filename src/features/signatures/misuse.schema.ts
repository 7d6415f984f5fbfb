import { Type, type Static } from '@sinclair/typebox';

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
export const ALERT_RULES = ['used-after-departure', 'two-devices', 'unrevoked-after-departure', 'signed-after-departure', 'unusual-hours'] as const;
const Rule = Type.Union(ALERT_RULES.map((r) => Type.Literal(r)), {
  description:
    'used-after-departure: used after the holder left the organization or after revocation; two-devices: two devices or networks within the window; ' +
    'unrevoked-after-departure: an ended employee\'s certificate still unrevoked after the grace period; signed-after-departure: a document signed after the holder left (time stamp); ' +
    'unusual-hours: use at hours unusual for the holder (score, not a block)',
});
const Purpose = Type.Union([Type.Literal('signin'), Type.Literal('verify'), Type.Literal('sign'), Type.Literal('other')]);
const Category = Type.Union([Type.Literal('individual'), Type.Literal('official'), Type.Literal('medium'), Type.Literal('large')], {
  description: 'individual; official, small business or non-profit; medium business; large business',
});
const ViolationStatus = Type.Union([Type.Literal('open'), Type.Literal('fined'), Type.Literal('appealed'), Type.Literal('closed')]);

export const UsageEventIn = Type.Object(
  {
    occurredAt: DateTime,
    certificateSerial: Type.String({ pattern: '^[0-9A-Fa-f]{1,64}$', description: 'Serial number, hex' }),
    certificateIssuer: Type.String({ minLength: 1, maxLength: 1000, description: "The issuer's distinguished name as in the verification report" }),
    holderIin: Type.Optional(Type.String({ pattern: '^[0-9]{12}$', description: "The certificate holder's IIN; stored only as its pseudonym" })),
    organizationBin: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })),
    purpose: Purpose,
    outcome: Type.Optional(Type.Union([Type.Literal('accepted'), Type.Literal('refused')], { default: 'accepted' })),
    clientIp: Type.Optional(Type.String({ minLength: 2, maxLength: 45 })),
    deviceId: Type.Optional(Type.String({ pattern: '^[\\x21-\\x7e]{1,200}$' })),
    signedAt: Type.Optional(DateTime),
    eventId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          "Optional: the relying party's own id of this event, unique among its reports. An event whose id it reported before is not stored or judged again, " +
          'and answers with the stored event id: re-sending a batch (a retry) stores nothing new and raises no new alerts.',
      }),
    ),
  },
  { additionalProperties: false },
);
export const UsageEventBatch = Type.Object({ events: Type.Array(UsageEventIn, { minItems: 1, maxItems: 5000 }) }, { additionalProperties: false });
export type UsageEventBatchInput = Static<typeof UsageEventBatch>;
export const IngestResultView = Type.Object({
  accepted: Type.Integer(),
  eventIds: Type.Array(Type.String()),
  alertIds: Type.Array(Type.String({ description: 'Alerts this batch created (not those it only added evidence to)' })),
});

export const AlertView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    rule: Rule,
    organizationBin: Nullable(Type.String()),
    person: Nullable(Type.String({ description: "The holder's pseudonym (hex)" })),
    certificateSerial: Nullable(Type.String()),
    certificateIssuer: Nullable(Type.String()),
    evidenceEventIds: Type.Array(Type.String()),
    score: Type.Union([Type.Number(), Type.Null()]),
    details: Type.Record(Type.String(), Type.Unknown()),
    status: Type.Union([Type.Literal('new'), Type.Literal('escalated'), Type.Literal('dismissed')]),
    createdAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'UsageAlert' },
);
export const AlertQuery = Type.Object(
  {
    organization: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })),
    rule: Type.Optional(Rule),
    status: Type.Optional(Type.Union([Type.Literal('new'), Type.Literal('escalated'), Type.Literal('dismissed')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);
export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const ViolationView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    alertId: Nullable(Type.String()),
    organizationBin: Type.String(),
    person: Nullable(Type.String({ description: "The person's pseudonym (hex)" })),
    rule: Type.String(),
    violationType: Type.String(),
    offenderCategory: Category,
    evidenceEventIds: Type.Array(Type.String()),
    status: ViolationStatus,
    decision: Nullable(Type.String()),
    fine: Type.Union([
      Type.Object({ mci: Type.Number(), year: Type.Integer(), mciTenge: Type.Number({ description: 'Tenge per MCI in that year' }), tenge: Type.Number() }),
      Type.Null(),
    ]),
    schedule: Type.Object({ minMci: Type.Number(), maxMci: Type.Number() }),
    openedBy: Type.String(),
    openedAt: DateTime,
    updatedAt: DateTime,
  },
  { $id: 'ViolationCase' },
);
export const ViolationQuery = Type.Object(
  {
    status: Type.Optional(ViolationStatus),
    organization: Type.Optional(Type.String({ pattern: '^[0-9]{12}$' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);
export const ViolationCreate = Type.Object(
  {
    alertId: Type.String({ format: 'uuid' }),
    violationType: Type.String({ minLength: 1, maxLength: 100, description: 'A type in the fine schedule, e.g. art640-5 (passing one\'s e-signature), art640-6 (using another\'s)' }),
    offenderCategory: Category,
    decision: Type.Optional(Type.String({ maxLength: 20000 })),
  },
  { additionalProperties: false },
);
export const ViolationDecision = Type.Object(
  {
    status: Type.Union([Type.Literal('fined'), Type.Literal('appealed'), Type.Literal('closed')]),
    decision: Type.String({ minLength: 1, maxLength: 20000 }),
    fineMci: Type.Optional(Type.Number({ minimum: 0, maximum: 100000 })),
    year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
  },
  { additionalProperties: false },
);
export const FineScheduleView = Type.Array(
  Type.Object({ violationType: Type.String(), offenderCategory: Category, description: Type.String(), minMci: Type.Number(), maxMci: Type.Number() }),
);
export const StatisticsQuery = Type.Object({ year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })) }, { additionalProperties: false });
export const StatisticsView = Type.Array(
  Type.Object({
    year: Type.Integer(),
    violationType: Type.String(),
    cases: Type.Integer(),
    fined: Type.Integer({ description: 'Cases fined (also those under appeal)' }),
    fineMci: Type.Number(),
    fineTenge: Type.Number(),
  }),
);
export const ComplianceResult = Type.Object({ findings: Type.Integer(), alertsCreated: Type.Integer() });
export const InspectorContact = Type.Object(
  {
    channel: Type.Union([Type.Literal('email'), Type.Literal('webhook')]),
    address: Type.String({ minLength: 3, maxLength: 2000 }),
    language: Type.Optional(Type.Union([Type.Literal('kk'), Type.Literal('ru'), Type.Literal('en')], { description: 'The language of the alerts; else from Accept-Language, else kk' })),
  },
  { additionalProperties: false },
);
