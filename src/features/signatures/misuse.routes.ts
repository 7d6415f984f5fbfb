import { IdempotencyHeaders } from '../../schemas/idempotency.js';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../errors/app-error.js';
import { checkBin } from '../../identifiers/bin.js';
import { checkIin } from '../../identifiers/iin.js';
import { CertificateHoldings } from '../ca/index.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { AlertService, INSPECTORS_MAILBOX } from './alerts.js';
import { languageFrom } from '../notifications/index.js';
import { parseMciTable } from './fines.js';
import {
  AlertQuery,
  AlertView,
  ComplianceResult,
  FineScheduleView,
  IdParams,
  IngestResultView,
  InspectorContact,
  StatisticsQuery,
  StatisticsView,
  UsageEventBatch,
  ViolationCreate,
  ViolationDecision,
  ViolationQuery,
  ViolationView,
} from './misuse.schema.js';
import { recordSignatureUse, UsageService } from './usage-events.js';
import { ViolationService } from './violations.js';
import { problems } from '../../schemas/problem.js';

declare module 'fastify' {
  interface FastifyInstance {
    violations: ViolationService;
  }
}

const operator = [{ operatorToken: [] }];

export interface MisusePluginOptions {
  clock?: () => Date;
}

/**
 * Usage events (ingest from relying parties), misuse alerts, violation cases and fines,
 * and the periodic compliance check (rule 3).
 */
export const misusePlugin = fp(
  async function misuse(root: FastifyInstance, options: MisusePluginOptions) {
    const db = root.database.db;
    const config = root.config;
    const alerts = new AlertService(db, root.pseudonymizer, { complianceGraceHours: config.usageComplianceGraceHours, clock: options.clock });
    // Revocation is read from the primary: a use right after a revocation must see it.
    const holdings = new CertificateHoldings(db);
    const issuing = root.pki?.issuing;
    const ownIssuer = issuing ? { dn: CertificateInfo.parse(issuing.der).subject, revokedAmong: (serials: string[]) => holdings.revokedAmong(issuing.name, serials) } : undefined;
    const usage = new UsageService(db, root.pseudonymizer, alerts, { twoDevicesWindowMinutes: config.usageTwoDevicesWindowMinutes, ownIssuer, clock: options.clock });
    const violations = new ViolationService(db, alerts, parseMciTable(config.mciTenge), options.clock);
    root.decorate('usage', usage);
    // Trust announces every signature use it sees; each one becomes a usage event here.
    root.signatureUses.onSignatureUsed((use) => recordSignatureUse(usage, use));
    root.decorate('violations', violations);

    const everyMs = config.usageComplianceIntervalMinutes * 60_000;
    if (everyMs > 0 && root.runsBackgroundJobs) {
      const timer = setInterval(() => {
        alerts.complianceCheck().then(
          (r) => r.alertsCreated > 0 && root.log.info(r, 'compliance check raised alerts'),
          (err) => root.log.error({ err }, 'compliance check failed'),
        );
      }, everyMs);
      timer.unref();
      root.addHook('onClose', async () => clearInterval(timer));
    }

    await root.register(async (scope) => {
      const app = scope.withTypeProvider<TypeBoxTypeProvider>();
      app.addSchema(AlertView);
      app.addSchema(ViolationView);
      const inspector = root.requireRole('inspector');

      app.post('/v1/usage-events', {
        preHandler: root.requireRole('relying-party'),
        bodyLimit: 8 * 1024 * 1024,
        config: { idempotent: true },
        schema: {
          headers: IdempotencyHeaders,
          tags: ['signatures'],
          summary: 'Report uses of certificates (batch)',
          description: 'A relying party reports each use of a certificate it saw. The misuse rules run on the batch before the answer: a 201 means the events are stored and judged. ' +
            'Give each event an `eventId` to make retries safe: events already reported under their ids are answered with their stored ids, not stored twice.',
          security: operator,
          body: UsageEventBatch,
          response: { 201: IngestResultView, ...problems(400, 401, 403, 413) },
          // (400 also for an IIN or BIN whose check digit is wrong: IIN_INVALID_CHECKSUM, BIN_INVALID_CHECKSUM, with the event's index.)
        },
      }, async (request, reply) => {
        // A wrong identifier would silently cut the use off from its holder: refuse the batch, naming the event.
        request.body.events.forEach((e, index) => {
          const iin = e.holderIin === undefined ? undefined : checkIin(e.holderIin);
          if (iin && !iin.ok) throw AppError.badRequest(iin.problem, `events[${index}].holderIin: ${iin.message}`, { index });
          const bin = e.organizationBin === undefined ? undefined : checkBin(e.organizationBin);
          if (bin && !bin.ok) throw AppError.badRequest(bin.problem, `events[${index}].organizationBin: ${bin.message}`, { index });
        });
        const source = `token:${request.principal!.name}`;
        const result = await usage.ingest(
          request.body.events.map((e) => ({
            occurredAt: new Date(e.occurredAt),
            certificateSerial: e.certificateSerial,
            certificateIssuer: e.certificateIssuer,
            holderIin: e.holderIin,
            organizationBin: e.organizationBin,
            purpose: e.purpose,
            outcome: e.outcome ?? 'accepted',
            clientIp: e.clientIp,
            deviceId: e.deviceId,
            signedAt: e.signedAt ? new Date(e.signedAt) : undefined,
            signedAtSource: e.signedAt ? 'relying-party' : undefined,
            source,
            clientEventId: e.eventId,
          })),
        );
        return reply.status(201).send({ accepted: result.eventIds.length, ...result });
      });

      app.get('/v1/usage-alerts', {
        preHandler: inspector,
        schema: { tags: ['signatures'], summary: 'Misuse alerts, newest first', security: operator, querystring: AlertQuery, response: { 200: Type.Array(Type.Ref('UsageAlert')), ...problems(400, 401, 403) } },
      }, async (request) => alerts.list({ organizationBin: request.query.organization, rule: request.query.rule, status: request.query.status, limit: request.query.limit }));

      app.get('/v1/orgs/:bin/alerts', {
        config: { org: 'administer' },
        schema: {
          tags: ['signatures'],
          summary: "The organization's misuse alerts, newest first (its first head, HR, HR system, or an admin)",
          params: Type.Object({ bin: Type.String({ maxLength: 40 }) }),
          querystring: Type.Omit(AlertQuery, ['organization']),
          response: { 200: Type.Array(Type.Ref('UsageAlert')), ...problems(400, 401, 403, 404) },
        },
      }, async (request) => {
        return alerts.list({ organizationBin: request.params.bin, rule: request.query.rule, status: request.query.status, limit: request.query.limit });
      });

      app.get('/v1/usage-alerts/:id', {
        preHandler: inspector,
        schema: { tags: ['signatures'], summary: 'One alert with its evidence', security: operator, params: IdParams, response: { 200: Type.Ref('UsageAlert'), ...problems(401, 403, 404) } },
      }, async (request) => alerts.get(request.params.id));

      app.post('/v1/usage-alerts/:id/dismiss', {
        preHandler: inspector,
        schema: { tags: ['signatures'], summary: 'Dismiss an alert (no violation)', security: operator, params: IdParams, response: { 200: Type.Ref('UsageAlert'), ...problems(401, 403, 404, 409) } },
      }, async (request) => alerts.dismiss(request.params.id));

      app.post('/v1/usage-alerts/compliance-check', {
        preHandler: inspector,
        schema: {
          tags: ['signatures'],
          summary: 'Run the compliance check now',
          description: 'Finds certificates of ended employees still unrevoked after the grace period (QORGAU_USAGE_COMPLIANCE_GRACE_HOURS); it also runs periodically.',
          security: operator,
          response: { 200: ComplianceResult, ...problems(401, 403) },
        },
      }, async () => alerts.complianceCheck());

      app.post('/v1/inspectors/contacts', {
        preHandler: inspector,
        schema: {
          tags: ['signatures'],
          summary: "Add a contact to the inspectors' mailbox (alerts are sent there)",
          description: 'The inspector who adds it vouches for the address: it is used at once, without a confirmation code (a person\'s own e-mail contacts need one).',
          security: operator,
          body: InspectorContact, response: { 201: Type.Object({ id: Type.String(), channel: Type.String(), address: Type.String(), createdAt: Type.String() }), ...problems(400, 401, 403, 409) } },
      }, async (request, reply) => {
        const language = request.body.language ?? languageFrom(request.headers['accept-language']);
        const { contact } = await root.notifications.contacts.add(INSPECTORS_MAILBOX, request.body.channel, request.body.address, language, { vouchedFor: true });
        return reply.status(201).send(contact);
      });

      app.post('/v1/violations', {
        preHandler: inspector,
        schema: {
          tags: ['signatures'],
          summary: 'Escalate an alert to a violation case',
          security: operator,
          body: ViolationCreate,
          response: { 201: Type.Ref('ViolationCase'), ...problems(400, 401, 403, 404, 409, 422) },
        },
      }, async (request, reply) => reply.status(201).send(await violations.open(request.body, `token:${request.principal!.name}`)));

      app.get('/v1/violations', {
        preHandler: inspector,
        schema: {
          tags: ['signatures'],
          summary: 'Violation cases, newest first (of one status or organization), with their fines in MCI and tenge',
          security: operator,
          querystring: ViolationQuery,
          response: { 200: Type.Array(Type.Ref('ViolationCase')), ...problems(400, 401, 403) },
        },
      }, async (request) => violations.list({ status: request.query.status, organizationBin: request.query.organization, limit: request.query.limit }));

      app.get('/v1/violations/fine-schedule', {
        schema: { tags: ['signatures'], summary: 'The fine schedule (MCI per violation type and offender category)', response: { 200: FineScheduleView } },
      }, async () => violations.schedule());

      app.get('/v1/violations/statistics', {
        schema: { tags: ['signatures'], summary: 'Violation cases by year and type, with fines', querystring: StatisticsQuery, response: { 200: StatisticsView, ...problems(400) } },
      }, async (request) => violations.statistics(request.query.year));

      app.get('/v1/violations/:id', {
        preHandler: inspector,
        schema: { tags: ['signatures'], summary: 'One violation case, its fine in MCI and in tenge', security: operator, params: IdParams, response: { 200: Type.Ref('ViolationCase'), ...problems(401, 403, 404) } },
      }, async (request) => violations.get(request.params.id));

      app.post('/v1/violations/:id/decision', {
        preHandler: inspector,
        schema: {
          tags: ['signatures'],
          summary: 'Decide a case: fined, appealed or closed',
          description: 'A fine is in MCI within the schedule (its minimum when fineMci is left out), priced in tenge at the MCI of `year` (the current year by default).',
          security: operator,
          params: IdParams,
          body: ViolationDecision,
          response: { 200: Type.Ref('ViolationCase'), ...problems(400, 401, 403, 404, 409, 422) },
        },
      }, async (request) => violations.decide(request.params.id, request.body));
    });
  },
  { name: 'signatures-misuse', dependencies: ['database', 'auth', 'notifications', 'trust', 'signatures-orgs'] },
);
