import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../errors/app-error.js';
import { KZ_REGIONS } from '../../identifiers/regions.js';
import { KZ_REGION_NAMES_I18N } from '../../identifiers/region-names.js';
import { SESSION_COOKIE } from '../signin/index.js';
import { platformDocumentSigner } from '../ca/index.js';
import { AssessmentService } from './assessment.service.js';
import { BankService } from './bank.service.js';
import { CentersService } from './centers.service.js';
import { checkAgeGroup, checkRegion, checkSex } from './demographics.js';
import { IndexService, noFraudStats, type FraudStatsByRegionAge, type IndexLevel } from './index.service.js';
import { periodsWithResults, populationTable, replacePopulation } from './index.repository.js';
import { AGE_GROUPS, SEXES, type Answer, type ItemDefinition } from './items.js';
import { presentCenter, presentItemForOperator, presentResult, presentServedItem, presentStatistic, presentVolunteer } from './presenter.js';
import * as S from './schema.js';
import { problems } from '../../schemas/problem.js';
import { AREA_WEIGHTS } from './scoring.js';
import { VolunteersService, type SignDocument } from './volunteers.service.js';

export interface LiteracyPluginOptions {
  /**
   * Fraud reports by region and age group for a period (the fraud feature's port). The default
   * returns nothing, and the join shows the index alone.
   */
  fraudStatsByRegionAge?: FraudStatsByRegionAge;
  /** Groups with fewer results are suppressed in the index (default 30). */
  minCellSize?: number;
  /** Signs certificates of completion; default: the platform document signer of the app's CA. */
  signDocument?: SignDocument;
  clock?: () => Date;
}

export interface LiteracyDecorator {
  /** Whether the person (by pseudonym) holds a volunteer's certificate of completion. */
  isTrainedVolunteer(personPseudonym: Buffer): Promise<boolean>;
}

declare module 'fastify' {
  interface FastifyInstance {
    literacy: LiteracyDecorator;
  }
}

const operator = [{ operatorToken: [] }];
const person = [{ personSession: [] }];
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/**
 * Digital literacy: the question bank (operators), assessments (anyone; signed-in people get
 * their result linked to them), the public index, centers with sessions, and volunteers.
 */
export const literacyPlugin = fp(
  async function literacy(root: FastifyInstance, options: LiteracyPluginOptions) {
    const db = root.database.db;
    const bank = new BankService(db);
    await bank.seed();
    const assessments = new AssessmentService(db, options.clock);
    const index = new IndexService(db, options.minCellSize ?? 30, options.fraudStatsByRegionAge ?? noFraudStats);
    const centers = new CentersService(db);
    const signDocument = options.signDocument ?? (root.pki ? platformDocumentSigner(db, root.pki, root.config.publicUrl, 'Qorgau Digital Literacy Programme') : undefined);
    const volunteers = new VolunteersService(db, signDocument, options.clock);
    root.decorate('literacy', { isTrainedVolunteer: (pseudonym: Buffer) => volunteers.isTrained(pseudonym) });

    await root.register(async (scope) => {
      const app = scope.withTypeProvider<TypeBoxTypeProvider>();
      const literacyOperator = root.requireRole('literacy-operator');
      const requirePerson = root.requirePerson();
      // Anonymous is welcome; a session cookie, when sent, must be good, and links the result to the person.
      const personIfSignedIn: preHandlerAsyncHookHandler = async function (request, reply) {
        if (request.headers.cookie?.includes(`${SESSION_COOKIE}=`)) await requirePerson.call(this, request, reply);
      };
      const tags = ['literacy'];

      // ── Reference lists ──────────────────────────────────────────────────────────
      app.get('/v1/literacy/regions', {
        schema: { tags, summary: 'Regions of Kazakhstan (codes and names in kk, ru, en)', response: { 200: S.RegionsView } },
      }, async () => KZ_REGIONS.map((code) => ({ code, names: KZ_REGION_NAMES_I18N[code] })));

      // ── Assessments ──────────────────────────────────────────────────────────────
      app.post('/v1/literacy/assessments', {
        preHandler: personIfSignedIn,
        schema: {
          tags,
          summary: 'Start an assessment',
          description:
            'Anonymous or signed in (session cookie). Declare region, age group and sex (they place the result in the index). ' +
            'Answers the items of the latest published bank version in the chosen language; the version is fixed for this assessment.',
          body: S.StartBody,
          response: { 201: S.StartedView, ...problems(400, 401, 503) },
        },
      }, async (request, reply) => {
        const started = await assessments.start(request.body, request.person?.personHash ?? null);
        return reply.status(201).send({
          id: started.id,
          bankVersion: started.version,
          language: started.language,
          signedIn: request.person !== null,
          items: started.items.map((i) => presentServedItem(i, started.language)),
        });
      });

      app.post('/v1/literacy/assessments/:id/answers', {
        schema: {
          tags,
          summary: 'Submit the answers of an assessment (once)',
          description:
            'Scores per area with your own 95% band, the graded score and scam resistance, what to learn next and the nearest center. ' +
            'An answer to an item of another bank version, an option that does not exist or an ordering that is not a permutation is refused (422) and nothing is saved.',
          params: S.IdParams,
          body: S.SubmitBody,
          response: { 200: S.ResultView, ...problems(400, 404, 409, 422) },
        },
      }, async (request) => presentResult(await assessments.submit(request.params.id, request.body.answers as Answer[])));

      app.get('/v1/literacy/assessments/:id/result', {
        schema: { tags, summary: 'The result of a submitted assessment', params: S.IdParams, response: { 200: S.ResultView, ...problems(404, 409) } },
      }, async (request) => presentResult(await assessments.result(request.params.id)));

      // ── The index (public) ───────────────────────────────────────────────────────
      app.get('/v1/literacy/index', {
        schema: {
          tags,
          summary: 'The digital literacy index for a quarter',
          description:
            'Per level (cell = region × age group × sex; region-age; region; age-group; sex; national): the share at least basic in all five areas, ' +
            'the graded score and scam resistance, post-stratified to the population table, with 95% intervals and sample sizes. Groups below the minimum size are suppressed.',
          querystring: S.IndexQuery,
          response: { 200: S.IndexView, ...problems(400) },
        },
      }, async (request) => {
        const level = (request.query.level ?? 'region') as IndexLevel;
        return { period: request.query.period, level, minCellSize: options.minCellSize ?? 30, weights: AREA_WEIGHTS, entries: await index.level(request.query.period, level) };
      });

      app.get('/v1/literacy/index/periods', {
        schema: { tags, summary: 'Quarters with results', response: { 200: S.PeriodsView } },
      }, async () => periodsWithResults(db));

      app.get('/v1/literacy/index/compare', {
        schema: { tags, summary: 'Change of the index between two quarters, with 95% intervals of the change', querystring: S.CompareQuery, response: { 200: S.CompareView, ...problems(400) } },
      }, async (request) => {
        const level = (request.query.level ?? 'region') as IndexLevel;
        return { from: request.query.from, to: request.query.to, level, groups: await index.compare(request.query.from, request.query.to, level) };
      });

      app.get('/v1/literacy/index/fraud', {
        schema: {
          tags,
          summary: 'The index by region and age group beside fraud reports there',
          description: 'Fraud figures come from the fraud feature through an injected port; without it they are null.',
          querystring: S.PeriodQuery,
          response: { 200: S.FraudJoinView, ...problems(400) },
        },
      }, async (request) => ({ period: request.query.period, rows: await index.withFraud(request.query.period) }));

      app.get('/v1/literacy/population', {
        schema: { tags, summary: 'The population table the index is weighted with', response: { 200: S.PopulationView } },
      }, async () => {
        const rows = await populationTable(db);
        return {
          source: rows[0]?.source ?? '',
          total: rows.reduce((s, r) => s + Number(r.population), 0),
          rows: rows.map((r) => ({ region: r.region, ageGroup: r.age_group, sex: r.sex, population: Number(r.population) })),
        };
      });

      app.put('/v1/literacy/population', {
        preHandler: literacyOperator,
        schema: {
          tags,
          summary: 'Replace the population table (every region × age group × sex once)',
          security: operator,
          body: S.PopulationBody,
          response: { 204: { type: 'null' }, ...problems(400, 401, 403, 422) },
        },
      }, async (request, reply) => {
        const seen = new Set<string>();
        const rows = request.body.rows.map((r) => {
          const key = `${checkRegion(r.region)}|${checkAgeGroup(r.ageGroup)}|${checkSex(r.sex)}`;
          if (seen.has(key)) throw AppError.unprocessable('LITERACY_POPULATION_DUPLICATE', `${key} appears twice`);
          seen.add(key);
          return { region: r.region, age_group: r.ageGroup, sex: r.sex, population: r.population };
        });
        const expected = KZ_REGIONS.length * AGE_GROUPS.length * SEXES.length;
        if (rows.length !== expected) {
          throw AppError.unprocessable('LITERACY_POPULATION_INCOMPLETE', `The table needs all ${expected} region × age group × sex cells; it has ${rows.length}. Nothing was changed.`);
        }
        await replacePopulation(db, rows, request.body.source);
        return reply.status(204).send();
      });

      // ── Question bank (operators) ────────────────────────────────────────────────
      app.get('/v1/literacy/bank/versions', {
        preHandler: literacyOperator,
        schema: { tags, summary: 'Bank versions', security: operator, response: { 200: Type.Array(S.VersionView), ...problems(401, 403) } },
      }, async () =>
        (await bank.repository.listVersions()).map((v) => ({
          version: v.version,
          status: v.status,
          basedOn: v.based_on,
          note: v.note,
          createdBy: v.created_by,
          createdAt: iso(v.created_at)!,
          publishedAt: iso(v.published_at),
          items: Number(v.items),
          pending: Number(v.pending),
          retired: Number(v.retired),
        })),
      );

      app.post('/v1/literacy/bank/versions', {
        preHandler: literacyOperator,
        schema: {
          tags,
          summary: 'Start a draft version from the latest published one',
          security: operator,
          body: S.DraftBody,
          response: { 201: Type.Object({ version: Type.Integer() }), ...problems(400, 401, 403, 409) },
        },
      }, async (request, reply) => reply.status(201).send({ version: await bank.createDraft(request.body.note, request.principal!.name) }));

      app.get('/v1/literacy/bank/versions/:version/items', {
        preHandler: literacyOperator,
        schema: { tags, summary: 'Items of a version, with solutions and review state', security: operator, params: S.VersionParams, response: { 200: Type.Array(S.ItemAdminView), ...problems(401, 403, 404) } },
      }, async (request) => {
        if (!(await bank.repository.findVersion(request.params.version))) throw AppError.notFound('LITERACY_VERSION_NOT_FOUND', `There is no bank version ${request.params.version}`);
        return (await bank.repository.items(request.params.version)).map(presentItemForOperator);
      });

      app.put('/v1/literacy/bank/versions/:version/items/:key', {
        preHandler: literacyOperator,
        schema: {
          tags,
          summary: 'Add or change an item of a draft (it then needs review)',
          description: 'Every text needs Kazakh, Russian and English; an item missing one is refused with LITERACY_ITEM_INVALID naming it.',
          security: operator,
          params: S.ItemParams,
          body: S.ItemBody,
          response: { 204: { type: 'null' }, ...problems(400, 401, 403, 404, 409, 422) },
        },
      }, async (request, reply) => {
        await bank.putItem(request.params.version, { key: request.params.key, ...request.body } as unknown as ItemDefinition);
        return reply.status(204).send();
      });

      app.post('/v1/literacy/bank/versions/:version/items/:key/review', {
        preHandler: literacyOperator,
        schema: { tags, summary: 'Approve or reject an item of a draft', security: operator, params: S.ItemParams, body: S.ReviewBody, response: { 204: { type: 'null' }, ...problems(400, 401, 403, 404, 409) } },
      }, async (request, reply) => {
        await bank.review(request.params.version, request.params.key, request.body.decision, request.body.note ?? null, request.principal!.name);
        return reply.status(204).send();
      });

      app.post('/v1/literacy/bank/versions/:version/items/:key/retire', {
        preHandler: literacyOperator,
        schema: { tags, summary: 'Retire an item: no longer served; results that used it keep it', security: operator, params: S.ItemParams, response: { 204: { type: 'null' }, ...problems(401, 403, 404) } },
      }, async (request, reply) => {
        await bank.retire(request.params.version, request.params.key);
        return reply.status(204).send();
      });

      app.post('/v1/literacy/bank/versions/:version/publish', {
        preHandler: literacyOperator,
        schema: { tags, summary: 'Publish a draft: new assessments use it', security: operator, params: S.VersionParams, response: { 204: { type: 'null' }, ...problems(401, 403, 404, 409) } },
      }, async (request, reply) => {
        await bank.publish(request.params.version);
        return reply.status(204).send();
      });

      app.get('/v1/literacy/bank/versions/:version/statistics', {
        preHandler: literacyOperator,
        schema: {
          tags,
          summary: 'Item statistics from results: difficulty (p-value) and discrimination (point-biserial)',
          security: operator,
          params: S.VersionParams,
          response: { 200: Type.Array(S.ItemStatisticView), ...problems(401, 403, 404) },
        },
      }, async (request) => {
        if (!(await bank.repository.findVersion(request.params.version))) throw AppError.notFound('LITERACY_VERSION_NOT_FOUND', `There is no bank version ${request.params.version}`);
        return (await bank.repository.statistics(request.params.version)).map(presentStatistic);
      });

      // ── Centers and sessions ─────────────────────────────────────────────────────
      app.post('/v1/literacy/centers', {
        preHandler: literacyOperator,
        schema: { tags, summary: 'Register a digital literacy center', security: operator, body: S.CenterBody, response: { 201: S.CenterView, ...problems(400, 401, 403) } },
      }, async (request, reply) => reply.status(201).send(presentCenter(await centers.create(request.body))));

      app.get('/v1/literacy/centers', {
        schema: { tags, summary: 'Centers, by region or nearest to a point', querystring: S.CentersQuery, response: { 200: Type.Array(S.CenterView), ...problems(400) } },
      }, async (request) => (await centers.list(request.query)).map(presentCenter));

      const presentSession = (s: { id: string; center_id: string; topic: string; language: string; starts_at: Date; capacity: number; enrolled: number; attended: number }) => ({
        id: s.id,
        centerId: s.center_id,
        topic: s.topic,
        language: s.language,
        startsAt: iso(s.starts_at)!,
        capacity: s.capacity,
        enrolled: s.enrolled,
        attended: s.attended,
      });

      app.post('/v1/literacy/centers/:id/sessions', {
        preHandler: literacyOperator,
        schema: { tags, summary: 'Schedule a session at a center', security: operator, params: S.IdParams, body: S.SessionBody, response: { 201: S.SessionView, ...problems(400, 401, 403, 404) } },
      }, async (request, reply) => reply.status(201).send(presentSession(await centers.addSession(request.params.id, request.body))));

      app.get('/v1/literacy/centers/:id/sessions', {
        schema: { tags, summary: 'Sessions of a center with seats taken', params: S.IdParams, response: { 200: Type.Array(S.SessionView), ...problems(404) } },
      }, async (request) => (await centers.sessions(request.params.id)).map(presentSession));

      app.post('/v1/literacy/sessions/:id/enrolments', {
        preHandler: requirePerson,
        schema: { tags, summary: 'Enrol in a session (signed in)', security: person, params: S.IdParams, response: { 201: S.EnrolmentView, ...problems(401, 404, 409) } },
      }, async (request, reply) => reply.status(201).send(await centers.enrol(request.params.id, request.person!.personHash)));

      app.get('/v1/literacy/sessions/:id/enrolments', {
        preHandler: literacyOperator,
        schema: { tags, summary: 'Enrolments of a session (center staff)', security: operator, params: S.IdParams, response: { 200: S.EnrolmentsView, ...problems(401, 403) } },
      }, async (request) => (await centers.repository.enrolmentsOf(request.params.id)).map((e) => ({ id: e.id, enrolledAt: iso(e.enrolled_at)!, attended: e.attended })));

      app.post('/v1/literacy/sessions/:id/attendance', {
        preHandler: literacyOperator,
        schema: { tags, summary: 'Record attendance (all or nothing)', security: operator, params: S.IdParams, body: S.AttendanceBody, response: { 200: S.EnrolmentsView, ...problems(400, 401, 403, 422) } },
      }, async (request) =>
        (await centers.recordAttendance(request.params.id, request.body.enrolmentIds, request.body.attended)).map((e) => ({ id: e.id, enrolledAt: iso(e.enrolled_at)!, attended: e.attended })),
      );

      // ── Volunteers ───────────────────────────────────────────────────────────────
      app.post('/v1/literacy/volunteers', {
        preHandler: requirePerson,
        schema: { tags, summary: 'Apply to be a digital volunteer (signed in)', security: person, body: S.VolunteerBody, response: { 201: S.VolunteerView, ...problems(400, 401, 409) } },
      }, async (request, reply) => {
        const who = request.person!;
        return reply.status(201).send(presentVolunteer(await volunteers.apply(who.personHash, who.displayName, request.body)));
      });

      app.get('/v1/literacy/volunteers/me', {
        preHandler: requirePerson,
        schema: { tags, summary: 'Your volunteer training: modules, passing assessment, certificate', security: person, response: { 200: S.VolunteerView, ...problems(401, 404) } },
      }, async (request) => presentVolunteer(await volunteers.status(request.person!.personHash)));

      app.post('/v1/literacy/volunteers/:id/modules/:module', {
        preHandler: literacyOperator,
        schema: { tags, summary: 'Record a completed training module (center staff)', security: operator, params: S.ModuleParams, response: { 200: S.VolunteerView, ...problems(400, 401, 403, 404) } },
      }, async (request) => presentVolunteer(await volunteers.recordModule(request.params.id, request.params.module, request.principal!.name)));

      app.post('/v1/literacy/volunteers/me/certificate', {
        preHandler: requirePerson,
        schema: {
          tags,
          summary: 'Receive the signed certificate of completion',
          description: 'After every training module and a passing assessment taken while signed in. The CMS is signed by the platform certificate issued by Qorgau\'s CA.',
          security: person,
          response: { 201: S.CertificateView, ...problems(401, 404, 409, 503) },
        },
      }, async (request, reply) => {
        const issued = await volunteers.issueCertificate(request.person!.personHash);
        return reply.status(201).send({ id: issued.id, issuedAt: issued.issuedAt.toISOString(), document: issued.document, cms: issued.cms.toString('base64') });
      });
    });
  },
  { name: 'literacy', dependencies: ['database', 'auth'] },
);
