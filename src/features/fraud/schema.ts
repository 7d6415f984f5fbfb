import { FormatRegistry, Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { KZ_REGIONS } from '../../identifiers/regions.js';
import { AGE_GROUPS } from '../../identifiers/age-groups.js';
import { IDENTIFIER_INPUT_TYPES, INDICATOR_KINDS } from './identifiers.js';

/** A string from a fixed list. */
const Enum = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    description ? { description } : {},
  ) as unknown as TUnion<TLiteral<T[number]>[]>;

// A signed report is checked with TypeBox (not Fastify's validator), which knows no formats by itself.
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(v) && !Number.isNaN(Date.parse(v)));
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const CHANNELS = ['call', 'sms', 'messenger', 'social_network', 'website', 'marketplace', 'other'] as const;
export const SCHEMES = ['fake_bank_or_police_call', 'investment', 'marketplace_prepayment', 'phishing_link', 'loan_in_victim_name', 'e_signature_theft', 'romance', 'other'] as const;
export const PAYMENT_METHODS = ['card_transfer', 'bank_transfer', 'cash', 'crypto', 'mobile_balance', 'payment_terminal', 'loan_in_victim_name', 'none', 'other'] as const;
export const REPORT_STATUSES = ['received', 'linked', 'under_investigation', 'solved', 'closed'] as const;
export const CLUSTER_STATUSES = ['open', 'under_investigation', 'solved', 'closed'] as const;
export { Enum };
export const LINK_STATES = ['linked', 'warning', 'over_correlating', 'cleared', 'undone'] as const;
export const ATTACHMENT_TYPES = ['image/png', 'image/jpeg', 'application/pdf', 'text/plain'] as const;

export const NARRATIVE_MAX = 10_000;
export const ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024;
export const ATTACHMENTS_MAX = 5;

export const IdentifierInput = Type.Object(
  {
    type: Enum(IDENTIFIER_INPUT_TYPES, 'url: a web address (linked on its registrable domain); handle: a messenger or social-network name, or a t.me/wa.me link'),
    value: Type.String({ minLength: 1, maxLength: 2048 }),
  },
  { additionalProperties: false },
);

/** A fraud report as the victim (or a volunteer) tells it; its canonical JSON is what a victim signs. */
export const ReportInput = Type.Object(
  {
    occurredAt: Type.String({ format: 'date-time', description: 'When it happened' }),
    region: Enum(KZ_REGIONS, 'Where the victim lives (region code)'),
    ageGroup: Type.Optional(Enum(AGE_GROUPS, "The victim's age group (optional): fraud is counted by region and age group beside the digital literacy index")),
    channel: Enum(CHANNELS),
    scheme: Enum(SCHEMES),
    amount: Type.Number({ minimum: 0, maximum: 1e12, description: 'Amount lost (0 if nothing was lost)' }),
    currency: Type.String({ pattern: '^[A-Z]{3,4}$', description: 'ISO 4217 code (KZT, USD, RUB, ...) or USDT' }),
    paymentMethod: Enum(PAYMENT_METHODS),
    identifiers: Type.Array(IdentifierInput, { maxItems: 50, description: "The fraudster's phone numbers, cards, IBANs, web addresses, handles and wallets" }),
    narrative: Type.String({ maxLength: NARRATIVE_MAX, description: `What happened, in your words (at most ${NARRATIVE_MAX} characters)` }),
    contact: Type.Optional(Type.String({ minLength: 3, maxLength: 200, description: 'How to reach the victim (e-mail or phone); required without sign-in' })),
    victimIin: Type.Optional(Type.String({ pattern: '^[0-9]{12}$', description: "A digital volunteer reporting for a victim: the victim's IIN (kept only as a pseudonym)" })),
  },
  { additionalProperties: false },
);
export type ReportInputType = Static<typeof ReportInput>;

export const AttachmentInput = Type.Object(
  {
    fileName: Type.String({ minLength: 1, maxLength: 200 }),
    mediaType: Enum(ATTACHMENT_TYPES),
    content: Type.String({ description: `base64; at most ${ATTACHMENT_MAX_BYTES} bytes decoded` }),
  },
  { additionalProperties: false },
);

export const CreateReportBody = Type.Object(
  {
    report: Type.Optional(ReportInput),
    document: Type.Optional(
      Type.String({
        maxLength: 200_000,
        description:
          'Instead of "report": CMS SignedData (base64 or PEM), attached, made with your SIGN certificate over the canonical JSON of the report plus ' +
          '{"action":"fraud.report","iin":"<your IIN>","issuedAt":"<now>","nonce":"<random>"}. Kept as your signed statement. Needs sign-in.',
      }),
    ),
    attachments: Type.Optional(Type.Array(AttachmentInput, { maxItems: ATTACHMENTS_MAX })),
  },
  { additionalProperties: false },
);
export type CreateReportBodyType = Static<typeof CreateReportBody>;

export const ReportCreated = Type.Object({
  id: Type.String({ format: 'uuid' }),
  trackingCode: Type.String({ description: 'Shown once: with it (header X-Tracking-Code) the report can be followed without signing in' }),
  status: Enum(REPORT_STATUSES),
  signed: Type.Boolean({ description: 'Kept as a signed statement (signed with the SIGN certificate); otherwise marked unsigned' }),
  identifiers: Type.Array(Type.Object({ kind: Enum(INDICATOR_KINDS), display: Type.String(), state: Enum(LINK_STATES) })),
});

export const OwnIdentifier = Type.Object({
  kind: Enum(INDICATOR_KINDS),
  display: Type.String(),
  asReported: Type.String(),
  state: Enum(LINK_STATES),
  reason: Nullable(Type.String()),
});

/** What a victim sees of their report: never another victim's data. */
export const ReportStatusView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Enum(REPORT_STATUSES),
    signed: Type.Boolean(),
    receivedAt: Type.String({ format: 'date-time' }),
    statusChangedAt: Type.String({ format: 'date-time' }),
    linkedReports: Type.Integer({ description: 'How many other reports this one is linked with' }),
    linkedOn: Type.Array(Type.Object({ kind: Enum(INDICATOR_KINDS), reports: Type.Integer({ description: 'other reports naming the same identifier' }) })),
    identifiers: Type.Array(OwnIdentifier),
  },
  { $id: 'FraudReportStatus' },
);

export const ReportIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export const ClusterIdParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$' }) });

export const ClusterSummary = Type.Object(
  {
    id: Type.String(),
    reportCount: Type.Integer(),
    totalLossKzt: Type.Number(),
    regions: Type.Array(Type.String()),
    firstAt: Nullable(Type.String({ format: 'date-time' })),
    lastAt: Nullable(Type.String({ format: 'date-time' })),
    growth30d: Type.Integer({ description: 'reports received in the last 30 days' }),
    status: Enum(CLUSTER_STATUSES),
    assignee: Nullable(Type.String()),
  },
  { $id: 'FraudClusterSummary' },
);

export const ClusterIdentifier = Type.Object({
  id: Type.String(),
  kind: Enum(INDICATOR_KINDS),
  display: Type.String(),
  reportCount: Type.Integer(),
  weight: Type.Number({ description: 'Linking weight: 1 for an identifier in one report, falling as it gets common; 0 when it does not link' }),
  overCorrelating: Type.Boolean(),
  warningListed: Nullable(Type.String({ description: 'Owner of the legitimate identifier, when warning-listed' })),
});

export const ClusterReport = Type.Object({
  id: Type.String({ format: 'uuid' }),
  occurredAt: Type.String({ format: 'date-time' }),
  receivedAt: Type.String({ format: 'date-time' }),
  region: Type.String(),
  channel: Type.String(),
  scheme: Type.String(),
  amount: Type.Number(),
  currency: Type.String(),
  lossKzt: Type.Number(),
  paymentMethod: Type.String(),
  narrative: Type.String(),
  reporterKind: Type.String(),
  contact: Nullable(Type.String()),
  signed: Type.Boolean(),
  status: Enum(REPORT_STATUSES),
  links: Type.Array(Type.Object({ identifierId: Type.String(), kind: Enum(INDICATOR_KINDS), display: Type.String(), asReported: Type.String(), state: Enum(LINK_STATES), reason: Nullable(Type.String()) })),
  attachments: Type.Array(Type.Object({ id: Type.String(), fileName: Type.String(), mediaType: Type.String(), size: Type.Integer() })),
});

export const ClusterDetail = Type.Object({
  cluster: ClusterSummary,
  reports: Type.Array(ClusterReport),
  identifiers: Type.Array(ClusterIdentifier),
  notes: Type.Array(Type.Object({ author: Type.String(), text: Type.String(), at: Type.String({ format: 'date-time' }) })),
});

export const LinkReason = Type.Object({
  together: Type.Boolean(),
  path: Type.Array(
    Type.Object({
      from: Type.String({ format: 'uuid' }),
      to: Type.String({ format: 'uuid' }),
      via: Type.Union([
        Type.Object({ identifier: Type.Object({ id: Type.String(), kind: Enum(INDICATOR_KINDS), display: Type.String(), reportCount: Type.Integer(), weight: Type.Number() }) }),
        Type.Object({ manualLink: Type.Object({ by: Type.String(), note: Type.String(), at: Type.String({ format: 'date-time' }) }) }),
      ]),
    }),
  ),
  explanation: Type.String(),
});

export const Indicator = Type.Object({
  type: Enum(INDICATOR_KINDS),
  value: Type.String({ description: 'The normalized form looked up (a card: BIN and last 4 only)' }),
  reportedCount: Type.Integer(),
  firstSeen: Nullable(Type.String({ format: 'date-time' })),
  lastSeen: Nullable(Type.String({ format: 'date-time' })),
  clusterCount: Type.Integer(),
  totalLossBand: Enum(['none', 'under_100k_kzt', '100k_1m_kzt', '1m_10m_kzt', 'over_10m_kzt'] as const),
  riskLevel: Enum(['none', 'low', 'medium', 'high'] as const),
  warningListed: Nullable(Type.String({ description: 'A legitimate identifier (its owner): reports naming it are likely spoofing' })),
  overCorrelating: Type.Boolean(),
  cleared: Type.Boolean({ description: 'Listed wrongly: cleared on appeal' }),
});

export const IndicatorParams = Type.Object({ type: Enum(['phone', 'card', 'iban', 'domain', 'url', 'handle', 'wallet'] as const), value: Type.String({ minLength: 1, maxLength: 2048 }) });

export const WarningEntryInput = Type.Object(
  { type: Enum(IDENTIFIER_INPUT_TYPES), value: Type.String({ minLength: 1, maxLength: 2048 }), owner: Type.String({ minLength: 1, maxLength: 200 }), note: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);

export const AppealInput = Type.Object(
  {
    type: Enum(IDENTIFIER_INPUT_TYPES),
    value: Type.String({ minLength: 1, maxLength: 2048 }),
    contact: Type.String({ minLength: 3, maxLength: 200 }),
    statement: Type.String({ minLength: 10, maxLength: 5000, description: 'Why this number or account is yours and was listed wrongly' }),
  },
  { additionalProperties: false },
);

export const AppealView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    kind: Enum(INDICATOR_KINDS),
    display: Type.String(),
    status: Enum(['pending', 'upheld', 'rejected'] as const),
    answer: Nullable(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
    decidedAt: Nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'FraudAppeal' },
);

export const StatisticsQuery = Type.Object({
  by: Enum(['month', 'region', 'channel', 'scheme'] as const),
  from: Type.Optional(Type.String({ format: 'date' })),
  to: Type.Optional(Type.String({ format: 'date' })),
});

export const StatisticsView = Type.Object({
  by: Type.String(),
  minimumCell: Type.Integer({ description: 'Cells with fewer reports are suppressed (null)' }),
  rows: Type.Array(
    Type.Object({
      key: Type.String(),
      reports: Nullable(Type.Integer()),
      lossKzt: Nullable(Type.Number()),
      solvedShare: Nullable(Type.Number()),
      suppressed: Type.Boolean(),
    }),
  ),
  total: Type.Object({ reports: Nullable(Type.Integer()), lossKzt: Nullable(Type.Number()), solvedShare: Nullable(Type.Number()) }),
});
