import { Type, type Static } from '@sinclair/typebox';
import { AGE_GROUPS, AREAS, ITEM_TYPES, LANGUAGES, SEXES } from './items.js';
import { LEVELS } from './scoring.js';
import { PERIOD_PATTERN } from './demographics.js';
import { INDEX_LEVELS } from './index.service.js';

/*
 * Request and response schemas of the literacy routes. Region, age group, sex and language are
 * plain strings here and checked by the service, so a wrong one gets its own stable code
 * (LITERACY_REGION_UNKNOWN ...) and a message listing the right values.
 */

const Short = (max = 200) => Type.String({ minLength: 1, maxLength: max });
const Uuid = Type.String({ format: 'uuid' });

export const IdParams = Type.Object({ id: Uuid });
/** A bank version is a PostgreSQL integer: a larger number names no version and must not reach SQL. */
const BankVersion = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
export const VersionParams = Type.Object({ version: BankVersion });
export const ItemParams = Type.Object({ version: BankVersion, key: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,79}$' }) });
export const ModuleParams = Type.Object({ id: Uuid, module: Short(60) });

/** Operator input: every language optional here, so a missing one is reported by name (LITERACY_ITEM_INVALID). */
const LooseText = Type.Object({ kk: Type.Optional(Type.String({ maxLength: 2000 })), ru: Type.Optional(Type.String({ maxLength: 2000 })), en: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
const TextView = Type.Object({ kk: Type.String(), ru: Type.String(), en: Type.String() });

export const ItemBody = Type.Object(
  {
    area: Type.Union(AREAS.map((a) => Type.Literal(a))),
    type: Type.Union(ITEM_TYPES.map((t) => Type.Literal(t))),
    difficulty: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]),
    content: Type.Object(
      {
        prompt: LooseText,
        options: Type.Optional(Type.Array(LooseText, { maxItems: 10 })),
        exhibit: Type.Optional(
          Type.Object({ channel: Type.Union(['sms', 'call', 'messenger', 'page', 'email'].map((c) => Type.Literal(c))), from: Short(200), body: LooseText }, { additionalProperties: false }),
        ),
      },
      { additionalProperties: false },
    ),
    solution: Type.Object(
      {
        type: Type.Union(ITEM_TYPES.map((t) => Type.Literal(t))),
        correct: Type.Optional(Type.Union([Type.Integer(), Type.Array(Type.Integer(), { maxItems: 10 })])),
        order: Type.Optional(Type.Array(Type.Integer(), { maxItems: 10 })),
        verdict: Type.Optional(Type.Union([Type.Literal('scam'), Type.Literal('genuine')])),
        explanation: LooseText,
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ItemBody = Static<typeof ItemBody>;

export const ItemAdminView = Type.Object({
  id: Type.String(),
  key: Type.String(),
  version: Type.Integer(),
  area: Type.String(),
  type: Type.String(),
  difficulty: Type.Integer(),
  content: Type.Unknown(),
  solution: Type.Unknown(),
  reviewStatus: Type.String(),
  reviewNote: Type.Union([Type.String(), Type.Null()]),
  retiredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export const VersionView = Type.Object({
  version: Type.Integer(),
  status: Type.String(),
  basedOn: Type.Union([Type.Integer(), Type.Null()]),
  note: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  items: Type.Integer(),
  pending: Type.Integer(),
  retired: Type.Integer(),
});

export const DraftBody = Type.Object({ note: Type.String({ maxLength: 500 }) }, { additionalProperties: false });
export const ReviewBody = Type.Object({ decision: Type.Union([Type.Literal('approved'), Type.Literal('rejected')]), note: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false });

export const ItemStatisticView = Type.Object({
  itemId: Type.String(),
  key: Type.String(),
  area: Type.String(),
  type: Type.String(),
  difficulty: Type.Integer({ description: "the author's difficulty, 1-3" }),
  retired: Type.Boolean(),
  responses: Type.Integer(),
  pValue: Type.Union([Type.Number(), Type.Null()], { description: 'mean credit (0-1): the share who got it right' }),
  pointBiserial: Type.Union([Type.Number(), Type.Null()], { description: "correlation of the item's credit with the rest of the assessment; below 0.2 the item discriminates poorly" }),
  flag: Type.Union([Type.Literal('ok'), Type.Literal('too-easy'), Type.Literal('too-hard'), Type.Literal('weak-discrimination'), Type.Literal('too-few-responses')]),
});

export const StartBody = Type.Object(
  {
    language: Type.String({ maxLength: 5, description: LANGUAGES.join(' | ') }),
    region: Type.String({ maxLength: 40, description: 'a region code of KZ_REGIONS (GET /v1/literacy/regions)' }),
    ageGroup: Type.String({ maxLength: 10, description: AGE_GROUPS.join(' | ') }),
    sex: Type.String({ maxLength: 10, description: SEXES.join(' | ') }),
    latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  },
  { additionalProperties: false },
);
export type StartBody = Static<typeof StartBody>;

export const ServedItemView = Type.Object({
  id: Type.String(),
  area: Type.String(),
  type: Type.String(),
  difficulty: Type.Integer(),
  prompt: Type.String(),
  options: Type.Optional(Type.Array(Type.String())),
  exhibit: Type.Optional(Type.Object({ channel: Type.String(), from: Type.String(), body: Type.String() })),
});

export const StartedView = Type.Object({
  id: Uuid,
  bankVersion: Type.Integer(),
  language: Type.String(),
  signedIn: Type.Boolean(),
  items: Type.Array(ServedItemView),
});

export const AnswerBody = Type.Object(
  {
    itemId: Type.String({ minLength: 1, maxLength: 120 }),
    choice: Type.Optional(Type.Integer()),
    choices: Type.Optional(Type.Array(Type.Integer(), { maxItems: 10 })),
    order: Type.Optional(Type.Array(Type.Integer(), { maxItems: 10 })),
    verdict: Type.Optional(Type.String({ maxLength: 10 })),
  },
  { additionalProperties: false },
);
export const SubmitBody = Type.Object({ answers: Type.Array(AnswerBody, { maxItems: 100 }) }, { additionalProperties: false });
export type SubmitBody = Static<typeof SubmitBody>;

const LevelSchema = Type.Union(LEVELS.map((l) => Type.Literal(l)));

export const CenterView = Type.Object({
  id: Uuid,
  name: Type.String(),
  region: Type.String(),
  address: Type.String(),
  latitude: Type.Number(),
  longitude: Type.Number(),
  schedule: Type.String(),
  capacity: Type.Integer(),
  accessibility: Type.Array(Type.String()),
  languages: Type.Array(Type.String()),
  distanceKm: Type.Optional(Type.Number()),
});

export const ResultView = Type.Object({
  assessmentId: Uuid,
  bankVersion: Type.Integer({ description: 'the question bank version this result used' }),
  language: Type.String(),
  score: Type.Number({ description: 'graded score 0-100 with the published weights' }),
  allBasic: Type.Boolean({ description: 'at least basic (foundation) in all five areas' }),
  scamResistance: Type.Number({ description: 'share of spot-the-scam items judged right, 0-100' }),
  areas: Type.Array(
    Type.Object({
      area: Type.String(),
      items: Type.Integer(),
      share: Type.Number(),
      level: LevelSchema,
      interval: Type.Object({ low: Type.Number(), high: Type.Number(), levelLow: LevelSchema, levelHigh: LevelSchema }, { description: 'your own 95% band (Wilson interval)' }),
    }),
  ),
  nextSteps: Type.Array(Type.Object({ area: Type.String(), advice: Type.String() })),
  nearestCenter: Type.Union([CenterView, Type.Null()]),
  explanations: Type.Array(Type.Object({ itemId: Type.String(), explanation: Type.String() })),
});

export const CenterBody = Type.Object(
  {
    name: Short(200),
    region: Type.String({ maxLength: 40 }),
    address: Short(300),
    latitude: Type.Number({ minimum: 40, maximum: 56 }),
    longitude: Type.Number({ minimum: 46, maximum: 88 }),
    schedule: Short(500),
    capacity: Type.Integer({ minimum: 1, maximum: 10_000 }),
    accessibility: Type.Array(Short(60), { maxItems: 20 }),
    languages: Type.Array(Type.String({ maxLength: 5 }), { minItems: 1, maxItems: 3 }),
  },
  { additionalProperties: false },
);
export type CenterBody = Static<typeof CenterBody>;

export const CentersQuery = Type.Object(
  {
    region: Type.Optional(Type.String({ maxLength: 40 })),
    latitude: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    longitude: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  },
  { additionalProperties: false },
);

export const SessionBody = Type.Object(
  { topic: Short(200), language: Type.String({ maxLength: 5 }), startsAt: Type.String({ format: 'date-time' }), capacity: Type.Integer({ minimum: 1, maximum: 1000 }) },
  { additionalProperties: false },
);
export const SessionView = Type.Object({
  id: Uuid,
  centerId: Uuid,
  topic: Type.String(),
  language: Type.String(),
  startsAt: Type.String({ format: 'date-time' }),
  capacity: Type.Integer(),
  enrolled: Type.Integer(),
  attended: Type.Integer(),
});
export const EnrolmentView = Type.Object({ enrolmentId: Uuid, sessionId: Uuid });
export const AttendanceBody = Type.Object({ enrolmentIds: Type.Array(Uuid, { minItems: 1, maxItems: 1000 }), attended: Type.Boolean() }, { additionalProperties: false });
export const EnrolmentsView = Type.Array(Type.Object({ id: Uuid, enrolledAt: Type.String({ format: 'date-time' }), attended: Type.Union([Type.Boolean(), Type.Null()]) }));

export const VolunteerBody = Type.Object(
  { region: Type.String({ maxLength: 40 }), languages: Type.Array(Type.String({ maxLength: 5 }), { minItems: 1, maxItems: 3 }), motivation: Short(2000) },
  { additionalProperties: false },
);
export const VolunteerView = Type.Object({
  id: Uuid,
  name: Type.String(),
  region: Type.String(),
  languages: Type.Array(Type.String()),
  appliedAt: Type.String({ format: 'date-time' }),
  modules: Type.Array(Type.Object({ module: Type.String(), completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) })),
  remainingModules: Type.Array(Type.String()),
  passingAssessment: Type.Union([Type.Object({ assessmentId: Uuid, score: Type.Number(), safety: Type.Number() }), Type.Null()]),
  trained: Type.Boolean(),
  certificateId: Type.Union([Uuid, Type.Null()]),
});
export const CertificateView = Type.Object({
  id: Uuid,
  issuedAt: Type.String({ format: 'date-time' }),
  document: Type.String({ description: 'the canonical JSON that was signed' }),
  cms: Type.String({ description: 'CMS SignedData (DER, base64) carrying the document; verify with `qorgau verify` or POST /v1/signatures/verify' }),
});

const FigureView = Type.Union([Type.Object({ estimate: Type.Number(), low: Type.Number(), high: Type.Number() }), Type.Null()]);
export const IndexEntryView = Type.Object({
  level: Type.String(),
  region: Type.Union([Type.String(), Type.Null()]),
  ageGroup: Type.Union([Type.String(), Type.Null()]),
  sex: Type.Union([Type.String(), Type.Null()]),
  n: Type.Integer({ description: 'results in the group' }),
  coverage: Type.Number({ description: 'share of the group population in strata with at least two results' }),
  suppressed: Type.Boolean({ description: 'fewer results than the minimum cell size: no estimates shown' }),
  allBasic: FigureView,
  score: FigureView,
  scamResistance: FigureView,
});
export const IndexQuery = Type.Object(
  { period: Type.String({ pattern: PERIOD_PATTERN, description: 'a quarter, e.g. 2026-Q4' }), level: Type.Optional(Type.Union(INDEX_LEVELS.map((l) => Type.Literal(l)))) },
  { additionalProperties: false },
);
export const CompareQuery = Type.Object(
  { from: Type.String({ pattern: PERIOD_PATTERN }), to: Type.String({ pattern: PERIOD_PATTERN }), level: Type.Optional(Type.Union(INDEX_LEVELS.map((l) => Type.Literal(l)))) },
  { additionalProperties: false },
);
export const PeriodQuery = Type.Object({ period: Type.String({ pattern: PERIOD_PATTERN }) }, { additionalProperties: false });
export const IndexView = Type.Object({
  period: Type.String(),
  level: Type.String(),
  minCellSize: Type.Integer(),
  weights: Type.Record(Type.String(), Type.Number()),
  entries: Type.Array(IndexEntryView),
});
const ChangeView = Type.Object({ allBasic: FigureView, score: FigureView, scamResistance: FigureView });
export const CompareView = Type.Object({
  from: Type.String(),
  to: Type.String(),
  level: Type.String(),
  groups: Type.Array(Type.Object({ region: Type.Union([Type.String(), Type.Null()]), ageGroup: Type.Union([Type.String(), Type.Null()]), sex: Type.Union([Type.String(), Type.Null()]), from: Type.Union([IndexEntryView, Type.Null()]), to: IndexEntryView, change: ChangeView })),
});
export const FraudJoinView = Type.Object({
  period: Type.String(),
  rows: Type.Array(
    Type.Object({
      region: Type.String(),
      ageGroup: Type.String(),
      population: Type.Number(),
      index: Type.Union([IndexEntryView, Type.Null()]),
      fraudReports: Type.Union([Type.Integer(), Type.Null()]),
      fraudLossesKzt: Type.Union([Type.Number(), Type.Null()]),
      fraudReportsPer100k: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
});
export const PopulationRow = Type.Object({ region: Type.String({ maxLength: 40 }), ageGroup: Type.String({ maxLength: 10 }), sex: Type.String({ maxLength: 10 }), population: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
export const PopulationBody = Type.Object({ source: Short(300), rows: Type.Array(PopulationRow, { maxItems: 1000 }) }, { additionalProperties: false });
export const PopulationView = Type.Object({ source: Type.String(), total: Type.Number(), rows: Type.Array(Type.Object({ region: Type.String(), ageGroup: Type.String(), sex: Type.String(), population: Type.Number() })) });
export const RegionsView = Type.Array(Type.Object({ code: Type.String(), names: TextView }));
export const PeriodsView = Type.Array(Type.Object({ period: Type.String(), n: Type.Integer() }));
