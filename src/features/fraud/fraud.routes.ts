import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../errors/app-error.js';
import { checkIin } from '../../identifiers/iin.js';
import { SignedDocuments } from '../trust/index.js';
import { enqueueNotifications } from '../notifications/index.js';
import { SESSION_COOKIE, cookieValue } from '../signin/index.js';
import { Appeals } from './appeals.service.js';
import { Indicators, toCsv, toStixBundle } from './indicators.service.js';
import { Investigation, type Investigator } from './investigation.service.js';
import type { IsVolunteer, NotifyStatus, SignedStatements } from './ports.js';
import { addVolunteer, isListedVolunteer } from './reports.repository.js';
import { FraudReports, parseKztRates } from './reports.service.js';
import { INDICATOR_KINDS, normalizeIdentifier } from './identifiers.js';
import {
  AppealInput,
  AppealView,
  ATTACHMENT_MAX_BYTES,
  ATTACHMENTS_MAX,
  CLUSTER_STATUSES,
  ClusterDetail,
  ClusterIdParams,
  ClusterSummary,
  CreateReportBody,
  Enum,
  IdentifierInput,
  Indicator,
  IndicatorParams,
  LinkReason,
  ReportCreated,
  ReportIdParams,
  ReportStatusView,
  StatisticsQuery,
  StatisticsView,
  WarningEntryInput,
} from './schema.js';
import { fraudStatistics } from './statistics.js';
import { WarningList } from './warning-list.js';
import { problems } from '../../schemas/problem.js';

export interface FraudServices {
  reports: FraudReports;
  investigation: Investigation;
  indicators: Indicators;
  warningList: WarningList;
  appeals: Appeals;
}

declare module 'fastify' {
  interface FastifyInstance {
    fraud: FraudServices;
  }
}

export interface FraudPluginOptions {
  /** Whether a signed-in person is a digital volunteer (the literacy feature's port); default: the fraud_volunteers list. */
  isVolunteer?: IsVolunteer;
  /** The evidence mechanism for signed statements; default: the one credit's signed requests use. */
  statements?: SignedStatements;
  notify?: NotifyStatus;
  clock?: () => Date;
}

const investigator = [{ operatorToken: [] }];
const lookupKey = [{ operatorToken: [] }];
const TrackingHeader = Type.Object({ 'x-tracking-code': Type.Optional(Type.String({ maxLength: 100, description: 'The tracking code shown when the report or appeal was made' })) });
const Note = Type.String({ minLength: 1, maxLength: 4000 });

/** The notices a victim gets when a report's status changes (transactional outbox). */
export const notifyThroughOutbox: NotifyStatus = async (db, at, changes) => {
  await enqueueNotifications(db, 'fraud.report-status', at, changes.map((c) => ({ personHash: c.personHash, payload: { reportId: c.reportId, status: c.status } })));
};

/**
 * Online-fraud reports, linking into clusters, investigator actions, the indicator look-up for
 * banks and telecoms, and public statistics (/v1/fraud/...).
 */
export const fraudPlugin = fp(
  async function fraud(root: FastifyInstance, options: FraudPluginOptions) {
    const { database, pseudonymizer, config } = root;
    const notify = options.notify ?? notifyThroughOutbox;
    const statements = options.statements ?? (root.signatureVerifier ? new SignedDocuments(database.db, root.signatureVerifier, pseudonymizer, options.clock) : undefined);
    // Volunteers listed here by an admin, and those the injected port knows (trained by the literacy feature).
    const isVolunteer = async (hash: Buffer) => (await isListedVolunteer(database.db, hash)) || (options.isVolunteer ? await options.isVolunteer(hash) : false);
    const settings = {
      policy: { overCorrelationShare: config.fraudOverCorrelationShare, overCorrelationMinReports: config.fraudOverCorrelationMinReports, overCorrelationMaxConnections: config.fraudOverCorrelationMaxConnections },
      kztRates: parseKztRates(config.fraudKztRates),
    };
    const services: FraudServices = {
      reports: new FraudReports(database, pseudonymizer, statements, isVolunteer, notify, settings, options.clock),
      investigation: new Investigation(database, notify, options.clock),
      indicators: new Indicators(database, pseudonymizer, config.fraudLookupsPerMinute, options.clock),
      warningList: new WarningList(database, pseudonymizer, notify),
      appeals: new Appeals(database, pseudonymizer, notify),
    };
    root.decorate('fraud', services);

    const requirePerson = root.requirePerson();
    /** A person if a session cookie is sent (and valid); nobody if none is. */
    async function optionalPerson(request: FastifyRequest, reply: FastifyReply) {
      if (!cookieValue(request.headers.cookie, SESSION_COOKIE)) return undefined;
      await requirePerson.call(root, request, reply);
      return request.person!.personHash;
    }
    const who = (request: FastifyRequest): Investigator => ({ tokenId: request.principal!.tokenId, name: request.principal!.name });

    await root.register(async (scope) => {
      const app = scope.withTypeProvider<TypeBoxTypeProvider>();
      app.addSchema(ReportStatusView);
      app.addSchema(ClusterSummary);
      app.addSchema(AppealView);

      // ---- victims, volunteers, anyone ----------------------------------------------
      app.post('/v1/fraud/reports', {
        bodyLimit: ATTACHMENTS_MAX * Math.ceil((ATTACHMENT_MAX_BYTES * 4) / 3) + 512 * 1024,
        schema: {
          tags: ['fraud'],
          summary: 'Report online fraud (signed in, anonymously with a contact, or as a volunteer for a victim)',
          description:
            'Identifiers are normalized: phones to E.164 (default region KZ; 8-prefixed local numbers), IBANs checked, cards Luhn-checked and kept as BIN, last 4 and a keyed hash only, URLs linked on their registrable domain, t.me and wa.me links unpacked. ' +
            'Refusals: 422 FRAUD_PHONE_INVALID, FRAUD_IBAN_INVALID, FRAUD_CARD_CHECK_FAILED, FRAUD_CARD_INVALID, FRAUD_URL_SCRIPT, FRAUD_URL_SCHEME, FRAUD_URL_INVALID, FRAUD_HANDLE_INVALID, FRAUD_WALLET_INVALID, FRAUD_CONTACT_REQUIRED, FRAUD_CURRENCY_UNKNOWN; ' +
            '413 FRAUD_ATTACHMENT_TOO_LARGE; 415 FRAUD_ATTACHMENT_TYPE; 400 VALIDATION_FAILED (e.g. a narrative over 10,000 characters); 403 FRAUD_NOT_A_VOLUNTEER; signed reports: the DOCUMENT_* refusals of signed requests. Nothing is saved when a report is refused.',
          security: [{}, { personSession: [] }],
          body: CreateReportBody,
          response: { 201: ReportCreated, ...problems(400, 401, 403, 409, 413, 415, 422) },
        },
      }, async (request, reply) => {
        const personHash = await optionalPerson(request, reply);
        reply.status(201);
        return services.reports.reportFraud(request.body, { personHash });
      });

      app.post('/v1/fraud/identifiers/check', {
        schema: {
          tags: ['fraud'],
          summary: "Check one of the fraudster's identifiers before reporting: the form it will be linked on, or why it is refused",
          description:
            'The same normalization as a report (nothing is stored or logged): a phone to E.164, an IBAN checked, a card Luhn-checked and shown as BIN and last 4 only, a URL reduced to its registrable domain. ' +
            'Refusals are the report\'s: 422 FRAUD_PHONE_INVALID, FRAUD_IBAN_INVALID, FRAUD_CARD_CHECK_FAILED, FRAUD_CARD_INVALID, FRAUD_URL_SCRIPT, FRAUD_URL_SCHEME, FRAUD_URL_INVALID, FRAUD_HANDLE_INVALID, FRAUD_WALLET_INVALID.',
          body: IdentifierInput,
          response: {
            200: Type.Object({ kind: Enum(INDICATOR_KINDS), display: Type.String({ description: 'What the report will show (a card: BIN and last 4)' }), country: Type.Optional(Type.String()) }),
            ...problems(400, 422),
          },
        },
      }, async (request) => {
        // Nothing is stored, so a card needs no keyed hash: only its BIN and last 4 go back.
        const result = normalizeIdentifier(request.body.type, request.body.value, { cardHash: () => '' });
        if (!result.ok) throw AppError.unprocessable(result.code, result.message);
        return { kind: result.identifier.kind, display: result.identifier.display, ...(result.identifier.country ? { country: result.identifier.country } : {}) };
      });

      app.get('/v1/fraud/reports/mine', {
        schema: { tags: ['fraud'], summary: 'Your fraud reports (made by you, or for you by a volunteer) and their status', security: [{ personSession: [] }], response: { 200: Type.Array(Type.Ref('FraudReportStatus')), ...problems(401) } },
        preHandler: requirePerson,
      }, async (request) => services.reports.reportsOf(request.person!.personHash));

      app.get('/v1/fraud/reports/:id/status', {
        schema: {
          tags: ['fraud'],
          summary: "A report's status: how many reports it is linked with and on which kind of identifier (tracking code, or sign-in)",
          security: [{}, { personSession: [] }],
          params: ReportIdParams,
          headers: TrackingHeader,
          response: { 200: Type.Ref('FraudReportStatus'), ...problems(401, 404) },
        },
      }, async (request, reply) => {
        const personHash = await optionalPerson(request, reply);
        return services.reports.statusForHolder(request.params.id, { trackingCode: request.headers['x-tracking-code'], personHash });
      });

      app.post('/v1/fraud/appeals', {
        schema: { tags: ['fraud'], summary: 'Appeal: my number, account or site was named wrongly', body: AppealInput, response: { 201: Type.Object({ id: Type.String({ format: 'uuid' }), trackingCode: Type.String(), status: Type.Literal('pending') }), ...problems(400, 422) } },
      }, async (request, reply) => {
        reply.status(201);
        return services.appeals.file(request.body);
      });

      app.get('/v1/fraud/appeals/:id', {
        schema: { tags: ['fraud'], summary: 'An appeal and its answer (with its tracking code)', params: ReportIdParams, headers: TrackingHeader, response: { 200: Type.Ref('FraudAppeal'), ...problems(404) } },
      }, async (request) => services.appeals.forAppellant(request.params.id, request.headers['x-tracking-code'] ?? ''));

      app.get('/v1/fraud/statistics', {
        schema: { tags: ['fraud'], summary: 'Public statistics: reports, losses and share solved by month, region, channel or scheme (small cells suppressed)', querystring: StatisticsQuery, response: { 200: StatisticsView, ...problems(400) } },
      }, async (request) => fraudStatistics(database, request.query.by, request.query.from, request.query.to));

      // ---- banks and telecoms (key scope fraud:lookup) ----------------------------------
      app.get('/v1/fraud/indicators/export', {
        preHandler: root.requireLenderScope('fraud:lookup'),
        schema: {
          tags: ['fraud'],
          summary: 'High-risk identifiers for your own filters: CSV or a STIX 2.1 bundle',
          security: lookupKey,
          querystring: Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('stix')], { default: 'csv' }), limit: Type.Integer({ minimum: 1, maximum: 100_000, default: 10_000 }) }),
          response: { 200: Type.Any({ description: 'text/csv, or application/stix+json;version=2.1' }), ...problems(401, 403) },
        },
      }, async (request, reply) => {
        const rows = await services.indicators.highRisk(request.lender!.keyId, request.query.limit);
        if (request.query.format === 'stix') return reply.type('application/stix+json;version=2.1').send(JSON.stringify(toStixBundle(rows, new Date())));
        return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="qorgau-fraud-indicators.csv"').send(toCsv(rows));
      });

      app.get('/v1/fraud/indicators/:type/:value', {
        // The path holds the looked-up value, a card number among them: request lines are not logged (the look-up log keeps a card as BIN and last 4).
        logLevel: 'warn',
        preHandler: root.requireLenderScope('fraud:lookup'),
        schema: {
          tags: ['fraud'],
          summary: 'Look up a phone, card, IBAN, domain, handle or wallet: reported count, first/last seen, clusters, loss band, risk (never victim data)',
          description: 'Needs an API key with the scope fraud:lookup. Rate-limited per key (429 FRAUD_LOOKUP_RATE_LIMITED) and logged. A card number is hashed on arrival and never stored.',
          security: lookupKey,
          params: IndicatorParams,
          response: { 200: Indicator, ...problems(401, 403, 422, 429) },
        },
      }, async (request) => services.indicators.lookup(request.lender!.keyId, request.params.type, request.params.value));

      // ---- investigators ----------------------------------------------------------------
      await app.register(async (inv) => {
        const app = inv.withTypeProvider<TypeBoxTypeProvider>();
        app.addHook('preHandler', root.requireRole('investigator'));

        app.get('/v1/fraud/clusters', {
          schema: {
            tags: ['fraud'],
            summary: 'Clusters of linked reports, by total losses or growth (last 30 days)',
            security: investigator,
            querystring: Type.Object({
              sort: Type.Union([Type.Literal('losses'), Type.Literal('growth')], { default: 'losses' }),
              status: Type.Optional(Type.Union(CLUSTER_STATUSES.map((s) => Type.Literal(s)))),
              limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
              offset: Type.Integer({ minimum: 0, default: 0 }),
            }),
            response: { 200: Type.Array(Type.Ref('FraudClusterSummary')), ...problems(401, 403) },
          },
        }, async (request) => services.investigation.listClusters(who(request), request.query));

        app.get('/v1/fraud/clusters/:id', {
          schema: { tags: ['fraud'], summary: 'A cluster: its reports, identifiers with their weights and flags, notes', security: investigator, params: ClusterIdParams, response: { 200: ClusterDetail, ...problems(401, 403, 404) } },
        }, async (request) => services.investigation.cluster(who(request), request.params.id));

        app.get('/v1/fraud/links/why', {
          schema: {
            tags: ['fraud'],
            summary: 'Why two reports are together: the chain of shared identifiers (or manual links) between them',
            security: investigator,
            querystring: Type.Object({ a: Type.String({ format: 'uuid' }), b: Type.String({ format: 'uuid' }) }),
            response: { 200: LinkReason, ...problems(401, 403, 404) },
          },
        }, async (request) => services.investigation.why(who(request), request.query.a, request.query.b));

        app.post('/v1/fraud/clusters/:id/assign', {
          schema: { tags: ['fraud'], summary: 'Assign a cluster to an investigator (null: unassign)', security: investigator, params: ClusterIdParams, body: Type.Object({ assignee: Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()]) }, { additionalProperties: false }), response: { 200: Type.Object({ cluster: Type.String() }), ...problems(401, 403, 404) } },
        }, async (request) => ({ cluster: await services.investigation.assign(who(request), request.params.id, request.body.assignee) }));

        app.post('/v1/fraud/clusters/:id/notes', {
          schema: { tags: ['fraud'], summary: 'Annotate a cluster', security: investigator, params: ClusterIdParams, body: Type.Object({ text: Note }, { additionalProperties: false }), response: { 201: Type.Object({ cluster: Type.String() }), ...problems(401, 403, 404) } },
        }, async (request, reply) => {
          reply.status(201);
          return { cluster: await services.investigation.annotate(who(request), request.params.id, request.body.text) };
        });

        app.post('/v1/fraud/clusters/:id/status', {
          schema: {
            tags: ['fraud'],
            summary: "Set a cluster's status; its reports follow and their victims are told",
            security: investigator,
            params: ClusterIdParams,
            body: Type.Object({ status: Type.Union(CLUSTER_STATUSES.map((s) => Type.Literal(s))), note: Type.Optional(Note) }, { additionalProperties: false }),
            response: { 200: Type.Object({ cluster: Type.String() }), ...problems(401, 403, 404) },
          },
        }, async (request) => ({ cluster: await services.investigation.setStatus(who(request), request.params.id, request.body.status, request.body.note) }));

        app.post('/v1/fraud/clusters/:id/merge', {
          schema: { tags: ['fraud'], summary: 'Merge another cluster into this one (kept as a manual link with your note)', security: investigator, params: ClusterIdParams, body: Type.Object({ other: Type.String({ pattern: '^[0-9]{1,18}$' }), note: Note }, { additionalProperties: false }), response: { 200: Type.Object({ cluster: Type.String() }), ...problems(401, 403, 404, 409) } },
        }, async (request) => ({ cluster: await services.investigation.merge(who(request), request.params.id, request.body.other, request.body.note) }));

        app.post('/v1/fraud/clusters/:id/split', {
          schema: {
            tags: ['fraud'],
            summary: 'Split reports off a cluster: their links to the rest are undone (kept with your note)',
            security: investigator,
            params: ClusterIdParams,
            body: Type.Object({ reportIds: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 1000 }), note: Note }, { additionalProperties: false }),
            response: { 200: Type.Object({ cluster: Type.String(), splitInto: Type.Array(Type.String()) }), ...problems(401, 403, 404, 422) },
          },
        }, async (request) => services.investigation.split(who(request), request.params.id, request.body.reportIds, request.body.note));

        app.post('/v1/fraud/links/undo', {
          schema: {
            tags: ['fraud'],
            summary: "Undo one report's link through one identifier; the cluster is recomputed",
            security: investigator,
            body: Type.Object({ reportId: Type.String({ format: 'uuid' }), identifierId: Type.String({ pattern: '^[0-9]{1,18}$' }), note: Note }, { additionalProperties: false }),
            response: { 200: Type.Object({ cluster: Type.Union([Type.String(), Type.Null()]) }), ...problems(401, 403, 404) },
          },
        }, async (request) => services.investigation.undo(who(request), request.body.reportId, request.body.identifierId, request.body.note));

        app.get('/v1/fraud/attachments/:id', {
          schema: { tags: ['fraud'], summary: "A report's attachment (logged)", security: investigator, params: ReportIdParams, response: { 200: Type.Any({ description: 'the file' }), ...problems(401, 403, 404) } },
        }, async (request, reply) => {
          const a = await services.investigation.attachment(who(request), request.params.id);
          return reply.type(a.media_type).header('content-disposition', `attachment; filename="${a.file_name.replace(/[^A-Za-z0-9._-]/g, '_')}"`).header('x-content-type-options', 'nosniff').send(a.content);
        });

        app.get('/v1/fraud/audit', {
          schema: {
            tags: ['fraud'],
            summary: 'Every access to and change of fraud cases, newest first',
            security: investigator,
            querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }), before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })) }),
            response: { 200: Type.Array(Type.Object({ id: Type.String(), at: Type.String({ format: 'date-time' }), actor: Type.String(), action: Type.String(), subject: Type.String(), detail: Type.Record(Type.String(), Type.Unknown()) })), ...problems(401, 403) },
          },
        }, async (request) => services.investigation.auditList(who(request), request.query.limit, request.query.before));

        app.get('/v1/fraud/warning-list', {
          schema: { tags: ['fraud'], summary: 'Legitimate identifiers (banks’ official numbers and sites): marked, never linked', security: investigator, response: { 200: Type.Array(Type.Object({ kind: Type.String(), value: Type.String(), owner: Type.String(), note: Type.Union([Type.String(), Type.Null()]), source: Type.String(), addedAt: Type.String({ format: 'date-time' }) })), ...problems(401, 403) } },
        }, async () => services.warningList.list());

        app.post('/v1/fraud/warning-list', {
          schema: { tags: ['fraud'], summary: 'Add or import legitimate identifiers (idempotent); their existing links are taken back', security: investigator, body: Type.Object({ entries: Type.Array(WarningEntryInput, { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }), response: { 200: Type.Object({ listed: Type.Integer(), unlinked: Type.Integer() }), ...problems(401, 403, 422) } },
        }, async (request) => services.warningList.import(request.body.entries, `api:${request.principal!.tokenId}`));

        app.get('/v1/fraud/appeals', {
          schema: { tags: ['fraud'], summary: 'Appeals, oldest first', security: investigator, querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('upheld'), Type.Literal('rejected')])) }), response: { 200: Type.Array(Type.Object({ ...AppealView.properties, contact: Type.String(), statement: Type.String() })), ...problems(401, 403) } },
        }, async (request) => services.appeals.list(request.query.status));

        app.post('/v1/fraud/appeals/:id/decision', {
          schema: { tags: ['fraud'], summary: 'Decide an appeal; upheld clears the identifier (it stops linking)', security: investigator, params: ReportIdParams, body: Type.Object({ decision: Type.Union([Type.Literal('upheld'), Type.Literal('rejected')]), answer: Note }, { additionalProperties: false }), response: { 200: Type.Ref('FraudAppeal'), ...problems(401, 403, 404, 409) } },
        }, async (request) => services.appeals.decide(who(request), request.params.id, request.body.decision, request.body.answer));
      });

      // ---- administrators: the default volunteer list -----------------------------------
      app.post('/v1/fraud/volunteers', {
        preHandler: root.requireRole('admin'),
        schema: { tags: ['fraud'], summary: 'Register a digital volunteer (when the literacy feature does not provide the list)', security: investigator, body: Type.Object({ iin: Type.String({ pattern: '^[0-9]{12}$' }) }, { additionalProperties: false }), response: { 204: Type.Null(), ...problems(401, 403, 422) } },
      }, async (request, reply) => {
        const check = checkIin(request.body.iin);
        if (!check.ok) throw AppError.unprocessable('IIN_INVALID', check.message);
        await addVolunteer(database.db, pseudonymizer.of(request.body.iin), request.principal!.name);
        return reply.status(204).send(null);
      });
    });
  },
  { name: 'fraud', dependencies: ['database', 'auth'] },
);
