import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { buildOperatorToken } from '../../../test/helpers/factories.js';
import { certifyPerson, signIn } from '../../../test/helpers/person-sessions.js';
import { openssl, tempDir, toPem, writeTemp } from '../../../test/helpers/pki-factories.js';
import { SESSION_COOKIE } from '../signin/index.js';
import { isTrainedVolunteer } from './index.js';
import { SEED_BANK } from './seed-bank.js';
import { IndexService } from './index.service.js';
import type { Answer, Solution } from './items.js';

const solutions = new Map<string, Solution>(SEED_BANK.map((i) => [i.key, i.solution]));
const keyOf = (itemId: string) => itemId.split('@')[0];

/** The right answer to a seed item, by its key (the same in every version copied from the seed). */
function rightAnswer(itemId: string): Answer {
  const s = solutions.get(keyOf(itemId)) as Solution;
  switch (s.type) {
    case 'single':
      return { itemId, choice: s.correct };
    case 'multiple':
      return { itemId, choices: s.correct };
    case 'ordering':
      return { itemId, order: s.order };
    case 'spot-the-scam':
      return { itemId, verdict: s.verdict };
  }
}

const declared = { language: 'ru', region: 'astana', ageGroup: '65+', sex: 'female' };

describe('digital literacy', () => {
  let app: FastifyInstance;
  let operator: { authorization: string };

  beforeAll(async () => {
    app = await buildTestApp();
    operator = { authorization: `Bearer ${await buildOperatorToken(app.database.db, 'literacy-operator')}` };
  });
  afterAll(async () => {
    await app?.close();
  });

  const start = (body: Record<string, unknown> = declared, cookie?: string) =>
    app.inject({ method: 'POST', url: '/v1/literacy/assessments', payload: body, headers: cookie ? { cookie } : {} });
  const submit = (id: string, answers: Answer[]) => app.inject({ method: 'POST', url: `/v1/literacy/assessments/${id}/answers`, payload: { answers } });
  const answersStored = async (id: string) =>
    Number((await app.database.db.selectFrom('literacy_answers').select((eb) => eb.fn.countAll<string>().as('n')).where('assessment_id', '=', id).executeTakeFirstOrThrow()).n);
  const resultStored = async (id: string) => (await app.database.db.selectFrom('literacy_results').select('assessment_id').where('assessment_id', '=', id).executeTakeFirst()) !== undefined;

  describe('taking an assessment', () => {
    it('serves items without their solutions; all right answers give 100, advanced everywhere, and the nearest center', async () => {
      const center = await app.inject({
        method: 'POST',
        url: '/v1/literacy/centers',
        headers: operator,
        payload: { name: 'Astana library center', region: 'astana', address: 'Kabanbay Batyr 1', latitude: 51.128, longitude: 71.43, schedule: 'Mon-Fri 10-18', capacity: 20, accessibility: ['step-free'], languages: ['kk', 'ru'] },
      });
      expect(center.statusCode, center.body).toBe(201);

      const started = await start();
      expect(started.statusCode, started.body).toBe(201);
      const body = started.json();
      expect(body.signedIn).toBe(false);
      expect(body.items.length).toBe(25);
      expect(started.body).not.toMatch(/"(solution|correct|verdict|explanation|order)"/);
      const scamItem = body.items.find((i: { type: string }) => i.type === 'spot-the-scam');
      expect(scamItem.exhibit.body).toMatch(/[а-яё]/i);

      const submitted = await submit(body.id, body.items.map((i: { id: string }) => rightAnswer(i.id)));
      expect(submitted.statusCode, submitted.body).toBe(200);
      const result = submitted.json();
      expect(result.score).toBe(100);
      expect(result.allBasic).toBe(true);
      expect(result.scamResistance).toBe(100);
      expect(result.bankVersion).toBe(body.bankVersion);
      for (const area of result.areas) expect(area.level).toBe('advanced');
      expect(result.nextSteps).toEqual([]);
      expect(result.nearestCenter.region).toBe('astana');
      expect(result.explanations.length).toBe(25);

      const again = await app.inject({ method: 'GET', url: `/v1/literacy/assessments/${body.id}/result` });
      expect(again.json()).toEqual(result);
      const twice = await submit(body.id, []);
      expect(twice.statusCode).toBe(409);
      expect(twice.json().code).toBe('LITERACY_ALREADY_SUBMITTED');
    });

    it('unanswered items earn nothing and the advice names the weak areas in the chosen language', async () => {
      const started = (await start({ ...declared, language: 'kk' })).json();
      const safetyOnly = started.items.filter((i: { area: string }) => i.area === 'safety').map((i: { id: string }) => rightAnswer(i.id));
      const result = (await submit(started.id, safetyOnly)).json();
      expect(result.areas.find((a: { area: string }) => a.area === 'safety').share).toBe(1);
      expect(result.score).toBeCloseTo(30, 5);
      expect(result.allBasic).toBe(false);
      expect(result.nextSteps.map((s: { area: string }) => s.area).sort()).toEqual(['communication', 'content_creation', 'information', 'problem_solving']);
      expect(result.nextSteps[0].advice).toMatch(/[әіңғүұқөһ]/);
    });

    it('refuses a region not in the list, a wrong age group, sex or language, with stable codes', async () => {
      const cases: [Record<string, unknown>, number, string][] = [
        [{ ...declared, region: 'moscow' }, 400, 'LITERACY_REGION_UNKNOWN'],
        [{ ...declared, region: 'Astana' }, 400, 'LITERACY_REGION_UNKNOWN'],
        [{ ...declared, ageGroup: '10-14' }, 400, 'LITERACY_AGE_GROUP_UNKNOWN'],
        [{ ...declared, ageGroup: '65-74' }, 400, 'LITERACY_AGE_GROUP_UNKNOWN'],
        [{ ...declared, sex: 'x' }, 400, 'LITERACY_SEX_UNKNOWN'],
        [{ ...declared, language: 'de' }, 400, 'LITERACY_LANGUAGE_UNKNOWN'],
        [{ ...declared, latitude: 51.1 }, 400, 'LITERACY_LOCATION_PARTIAL'],
        [{ ...declared, extra: 1 }, 400, 'VALIDATION_FAILED'],
        [{ region: 'astana' }, 400, 'VALIDATION_FAILED'],
      ];
      for (const [body, status, code] of cases) {
        const response = await start(body);
        expect(response.statusCode, JSON.stringify(body)).toBe(status);
        expect(response.json().code, JSON.stringify(body)).toBe(code);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
    });

    it('refuses answers to another version\'s item, out-of-range choices and broken orderings, and saves nothing', async () => {
      const started = (await start()).json();
      const right = started.items.map((i: { id: string }) => rightAnswer(i.id));
      const single = started.items.find((i: { type: string }) => i.type === 'single');
      const ordering = started.items.find((i: { type: string }) => i.type === 'ordering');
      const otherVersion = `${keyOf(single.id)}@${started.bankVersion + 1000}`;
      // An item of another real version: make a draft, whose items are copies under a new version.
      const draft = await app.inject({ method: 'POST', url: '/v1/literacy/bank/versions', headers: operator, payload: { note: 'for the other-version test' } });
      expect(draft.statusCode, draft.body).toBe(201);
      const draftItem = `${keyOf(single.id)}@${draft.json().version}`;

      const cases: [Answer[], number, string][] = [
        [[...right.filter((a: Answer) => a.itemId !== single.id), { itemId: draftItem, choice: 0 }], 422, 'LITERACY_ITEM_OTHER_VERSION'],
        [[...right, { itemId: otherVersion, choice: 0 }], 422, 'LITERACY_ITEM_NOT_SERVED'],
        [right.map((a: Answer) => (a.itemId === single.id ? { itemId: single.id, choice: single.options.length } : a)), 422, 'LITERACY_CHOICE_OUT_OF_RANGE'],
        [right.map((a: Answer) => (a.itemId === single.id ? { itemId: single.id, choice: -1 } : a)), 422, 'LITERACY_CHOICE_OUT_OF_RANGE'],
        [right.map((a: Answer) => (a.itemId === single.id ? { itemId: single.id, verdict: 'scam' } : a)), 422, 'LITERACY_ANSWER_TYPE'],
        [right.map((a: Answer) => (a.itemId === ordering.id ? { itemId: ordering.id, order: [0, 0, 1] } : a)), 422, 'LITERACY_ORDER_INVALID'],
        [[...right, right[0]], 422, 'LITERACY_ANSWER_REPEATED'],
      ];
      for (const [answers, status, code] of cases) {
        const response = await submit(started.id, answers);
        expect(response.statusCode, response.body).toBe(status);
        expect(response.json().code).toBe(code);
        expect(await answersStored(started.id)).toBe(0);
        expect(await resultStored(started.id)).toBe(false);
      }
      // Corrected, the same assessment goes through.
      expect((await submit(started.id, right)).statusCode).toBe(200);
      expect(await answersStored(started.id)).toBe(25);

      const unknown = await submit(randomUUID(), right);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().code).toBe('LITERACY_ASSESSMENT_NOT_FOUND');
    });
  });

  describe('bad input, generated', () => {
    it('answers every generated malformed submission with a 4xx problem and saves nothing', async () => {
      let started = (await start()).json();
      const ids: string[] = started.items.map((i: { id: string }) => i.id);
      let seed = 7;
      const rand = (n: number) => {
        seed = (seed * 48271) % 2147483647;
        return seed % n;
      };
      const junk = (): unknown => [() => rand(40) - 20, () => 'x'.repeat(rand(5)), () => null, () => [rand(9) - 4, rand(9)], () => ({ a: 1 }), () => true, () => 1.5][rand(7)]();
      const fields = ['choice', 'choices', 'order', 'verdict', 'itemId', 'extra'];
      for (let round = 0; round < 150; round++) {
        const answers = Array.from({ length: 1 + rand(4) }, () => {
          const answer: Record<string, unknown> = { itemId: rand(5) ? ids[rand(ids.length)] : `${ids[0]}x` };
          for (let k = 0; k < 1 + rand(3); k++) answer[fields[rand(fields.length)]] = junk();
          return answer;
        });
        const response = await app.inject({ method: 'POST', url: `/v1/literacy/assessments/${started.id}/answers`, payload: rand(10) ? { answers } : answers });
        if (response.statusCode === 200) {
          // A generated answer set that happens to be valid is scored; go on with a fresh assessment of the same items.
          started = { ...(await start()).json(), items: started.items };
          await app.database.db.updateTable('literacy_assessments').set({ item_ids: ids }).where('id', '=', started.id).execute();
          continue;
        }
        expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, response.body).toBeLessThan(500);
        expect(response.json().code).toMatch(/^[A-Z_]+$/);
        expect(await answersStored(started.id)).toBe(0);
      }
    });

    it('documents every literacy route in OpenAPI with its schemas', async () => {
      const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
      const paths = Object.entries(spec.paths as Record<string, Record<string, { responses?: object; tags?: string[] }>>).filter(([p]) => p.startsWith('/v1/literacy/'));
      expect(paths.length).toBeGreaterThanOrEqual(20);
      for (const [path, methods] of paths) {
        for (const [method, operation] of Object.entries(methods)) {
          expect(operation.tags, `${method} ${path}`).toEqual(['literacy']);
          expect(Object.keys(operation.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
        }
      }
    });
  });

  describe('the question bank', () => {
    it('is for literacy operators only', async () => {
      expect((await app.inject({ method: 'GET', url: '/v1/literacy/bank/versions' })).statusCode).toBe(401);
      const registry = { authorization: `Bearer ${await buildOperatorToken(app.database.db, 'registry-operator')}` };
      const forbidden = await app.inject({ method: 'GET', url: '/v1/literacy/bank/versions', headers: registry });
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.json().code).toBe('AUTH_FORBIDDEN');
    });

    it('drafts, reviews, publishes and retires; results name the version they used; published versions are frozen', async () => {
      const draft = (await app.inject({ method: 'POST', url: '/v1/literacy/bank/versions', headers: operator, payload: { note: 'new item on QR sign-in' } })).json().version as number;
      const url = (key: string) => `/v1/literacy/bank/versions/${draft}/items/${key}`;
      const item = {
        area: 'safety',
        type: 'spot-the-scam',
        difficulty: 2,
        content: {
          prompt: { kk: 'Алаяқтық па?', ru: 'Мошенничество?', en: 'A scam?' },
          exhibit: { channel: 'sms', from: '+7 700 000 0000', body: { kk: 'Сіздің туысыңыз...', ru: 'Ваш родственник...', en: 'Your relative...' } },
        },
        solution: { type: 'spot-the-scam', verdict: 'scam', explanation: { kk: 'Иә.', ru: 'Да.', en: 'Yes.' } },
      };
      const missingRu = structuredClone(item);
      delete (missingRu.content.exhibit.body as Partial<typeof item.content.prompt>).ru;
      const refused = await app.inject({ method: 'PUT', url: url('safety-new-relative-sms'), headers: operator, payload: missingRu });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().code).toBe('LITERACY_ITEM_INVALID');
      expect(refused.json().problems).toEqual(['exhibit has no ru text']);

      expect((await app.inject({ method: 'PUT', url: url('safety-new-relative-sms'), headers: operator, payload: item })).statusCode).toBe(204);
      solutions.set('safety-new-relative-sms', item.solution as Solution);
      const pending = await app.inject({ method: 'POST', url: `/v1/literacy/bank/versions/${draft}/publish`, headers: operator });
      expect(pending.statusCode).toBe(409);
      expect(pending.json().code).toBe('LITERACY_REVIEW_PENDING');
      expect(pending.json().detail).toContain('safety-new-relative-sms');
      const review = await app.inject({ method: 'POST', url: `${url('safety-new-relative-sms')}/review`, headers: operator, payload: { decision: 'approved', note: 'checked with the police press office' } });
      expect(review.statusCode).toBe(204);
      expect((await app.inject({ method: 'POST', url: `/v1/literacy/bank/versions/${draft}/publish`, headers: operator })).statusCode).toBe(204);

      const frozen = await app.inject({ method: 'PUT', url: url('safety-new-relative-sms'), headers: operator, payload: item });
      expect(frozen.statusCode).toBe(409);
      expect(frozen.json().code).toBe('LITERACY_VERSION_PUBLISHED');

      const retire = await app.inject({ method: 'POST', url: `/v1/literacy/bank/versions/${draft}/items/safety-relative-in-trouble/retire`, headers: operator });
      expect(retire.statusCode).toBe(204);
      for (let i = 0; i < 4; i++) {
        const started = (await start()).json();
        expect(started.bankVersion).toBe(draft);
        expect(started.items.map((x: { id: string }) => x.id)).not.toContain(`safety-relative-in-trouble@${draft}`);
        expect(started.items.every((x: { id: string }) => x.id.endsWith(`@${draft}`))).toBe(true);
      }
      const versions = (await app.inject({ method: 'GET', url: '/v1/literacy/bank/versions', headers: operator })).json();
      expect(versions.find((v: { version: number }) => v.version === draft)).toMatchObject({ status: 'published', retired: 1, pending: 0 });
    });

    it('computes item statistics (p-value, point-biserial) that agree with an independent computation', async () => {
      const version = (await app.inject({ method: 'POST', url: '/v1/literacy/bank/versions', headers: operator, payload: { note: 'statistics' } })).json().version as number;
      expect((await app.inject({ method: 'POST', url: `/v1/literacy/bank/versions/${version}/publish`, headers: operator })).statusCode).toBe(204);
      // Eight people of growing skill: person k answers right the first k·3 items served.
      for (let k = 0; k < 8; k++) {
        const started = (await start()).json();
        const answers = started.items.map((it: { id: string; type: string; options?: string[] }, i: number) => {
          if (i < k * 3) return rightAnswer(it.id);
          const s = solutions.get(keyOf(it.id))!;
          if (s.type === 'spot-the-scam') return { itemId: it.id, verdict: s.verdict === 'scam' ? 'genuine' : 'scam' };
          if (s.type === 'single') return { itemId: it.id, choice: (s.correct + 1) % it.options!.length };
          return { itemId: it.id };
        }).filter((a: Answer) => Object.keys(a).length > 1);
        expect((await submit(started.id, answers)).statusCode).toBe(200);
      }
      const stats = (await app.inject({ method: 'GET', url: `/v1/literacy/bank/versions/${version}/statistics`, headers: operator })).json();
      // Independent: every stored credit of the version, then the correlation in plain JS.
      const rows = await app.database.db
        .selectFrom('literacy_answers as a')
        .innerJoin('literacy_items as i', 'i.id', 'a.item_id')
        .select(['a.assessment_id', 'a.item_id', 'a.credit'])
        .where('i.version', '=', version)
        .execute();
      const byAssessment = new Map<string, { item: string; credit: number }[]>();
      for (const r of rows) byAssessment.set(r.assessment_id, [...(byAssessment.get(r.assessment_id) ?? []), { item: r.item_id, credit: Number(r.credit) }]);
      const checked = stats.filter((s: { responses: number }) => s.responses >= 3);
      expect(checked.length).toBeGreaterThan(5);
      for (const s of checked) {
        const pairs: [number, number][] = [];
        for (const answers of byAssessment.values()) {
          const own = answers.find((a) => a.item === s.itemId);
          if (!own) continue;
          const rest = answers.filter((a) => a.item !== s.itemId);
          pairs.push([own.credit, rest.reduce((t, a) => t + a.credit, 0) / rest.length]);
        }
        expect(pairs.length).toBe(s.responses);
        const mean = (xs: number[]) => xs.reduce((t, x) => t + x, 0) / xs.length;
        expect(s.pValue).toBeCloseTo(mean(pairs.map((p) => p[0])), 3);
        const mx = mean(pairs.map((p) => p[0]));
        const my = mean(pairs.map((p) => p[1]));
        const sxy = pairs.reduce((t, [x, y]) => t + (x - mx) * (y - my), 0);
        const sxx = pairs.reduce((t, [x]) => t + (x - mx) ** 2, 0);
        const syy = pairs.reduce((t, [, y]) => t + (y - my) ** 2, 0);
        const r = sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
        if (r === null) expect(s.pointBiserial).toBeNull();
        else expect(s.pointBiserial).toBeCloseTo(r, 2);
        expect(s.flag).toBe('too-few-responses');
      }
    });
  });

  describe('the index', () => {
    /** A small data set: a few strata of different sizes, values from a seeded generator. */
    async function generate(period: string, seedStart: number) {
      let seed = seedStart;
      const rand = () => {
        seed = (seed * 48271) % 2147483647;
        return seed / 2147483647;
      };
      const plan: [string, string, string, number, number][] = [
        // region, age group, sex, size, skill
        ['astana', '25-34', 'female', 60, 0.8],
        ['astana', '25-34', 'male', 45, 0.7],
        ['astana', '65+', 'female', 35, 0.35],
        ['astana', '65+', 'male', 10, 0.3],
        ['turkistan', '25-34', 'female', 50, 0.55],
        ['turkistan', '25-34', 'male', 40, 0.6],
        ['turkistan', '65+', 'female', 32, 0.2],
        ['turkistan', '65+', 'male', 1, 0.2],
        ['ulytau', '45-54', 'male', 12, 0.5],
      ];
      const rows = plan.flatMap(([region, age_group, sex, size, skill]) =>
        Array.from({ length: size }, () => {
          const score = Math.min(100, Math.max(0, 100 * (skill + (rand() - 0.5) * 0.6)));
          return {
            assessment_id: randomUUID(),
            version: 1,
            period,
            region,
            age_group,
            sex,
            information: score / 100,
            communication: score / 100,
            content_creation: score / 100,
            safety: score / 100,
            problem_solving: score / 100,
            score,
            all_basic: rand() < skill,
            scam_resistance: Math.round(rand() * skill * 10) / 10,
          };
        }),
      );
      await app.database.db.insertInto('literacy_results').values(rows).execute();
      return rows;
    }

    /** The post-stratified estimate and 95% interval, computed here from the raw rows, apart from the SQL. */
    async function expected(rows: Awaited<ReturnType<typeof generate>>, inGroup: (r: { region: string; age_group: string; sex: string }) => boolean, value: (r: (typeof rows)[number]) => number, cap: number) {
      const population = await app.database.db.selectFrom('literacy_population').selectAll().execute();
      const strata = population.filter(inGroup).map((p) => {
        const values = rows.filter((r) => r.region === p.region && r.age_group === p.age_group && r.sex === p.sex).map(value);
        const n = values.length;
        const mean = n ? values.reduce((s, v) => s + v, 0) / n : 0;
        const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
        return { pop: Number(p.population), n, mean, variance };
      });
      const usable = strata.filter((s) => s.n >= 2);
      const total = usable.reduce((s, h) => s + h.pop, 0);
      const estimate = usable.reduce((s, h) => s + (h.pop / total) * h.mean, 0);
      const variance = usable.reduce((s, h) => s + (h.pop / total) ** 2 * (h.variance / h.n), 0);
      const half = 1.959964 * Math.sqrt(variance);
      return {
        n: strata.reduce((s, h) => s + h.n, 0),
        coverage: total / strata.reduce((s, h) => s + h.pop, 0),
        estimate: (estimate / cap) * 100,
        low: (Math.max(0, estimate - half) / cap) * 100,
        high: (Math.min(cap, estimate + half) / cap) * 100,
      };
    }

    const near = (actual: number, wanted: number) => expect(Math.abs(actual - wanted), `${actual} vs ${wanted}`).toBeLessThanOrEqual(0.051);
    const index = async (period: string, level: string) => {
      const response = await app.inject({ method: 'GET', url: `/v1/literacy/index?period=${period}&level=${level}` });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().entries as Record<string, any>[];
    };

    it('post-stratifies to the population table with 95% intervals that match an independent computation', async () => {
      const rows = await generate('2031-Q1', 17);
      const national = (await index('2031-Q1', 'national'))[0];
      const all = () => true;
      for (const [field, value, cap] of [
        ['allBasic', (r: (typeof rows)[number]) => (r.all_basic ? 1 : 0), 1],
        ['score', (r: (typeof rows)[number]) => r.score, 100],
        ['scamResistance', (r: (typeof rows)[number]) => r.scam_resistance, 1],
      ] as const) {
        const want = await expected(rows, all, value, cap);
        expect(national.n).toBe(want.n);
        near(national[field].estimate, want.estimate);
        near(national[field].low, want.low);
        near(national[field].high, want.high);
        near(national.coverage * 100, want.coverage * 100);
      }
      const regions = await index('2031-Q1', 'region');
      expect(regions.length).toBe(20);
      const astana = regions.find((r) => r.region === 'astana')!;
      const want = await expected(rows, (p) => p.region === 'astana', (r) => r.score, 100);
      expect(astana.n).toBe(want.n);
      near(astana.score.estimate, want.estimate);
      near(astana.score.low, want.low);
      near(astana.score.high, want.high);
      // The weighting matters: the unweighted mean differs from the published figure.
      const inAstana = rows.filter((r) => r.region === 'astana');
      expect(Math.abs(inAstana.reduce((s, r) => s + r.score, 0) / inAstana.length - astana.score.estimate)).toBeGreaterThan(0.5);
      const byAge = await index('2031-Q1', 'age-group');
      const old = byAge.find((r) => r.ageGroup === '65+')!;
      const wantOld = await expected(rows, (p) => p.age_group === '65+', (r) => (r.all_basic ? 1 : 0), 1);
      near(old.allBasic.estimate, wantOld.estimate);
      near(old.allBasic.high, wantOld.high);
    });

    it('gives a single cell a Wilson interval, and suppresses small cells and groups', async () => {
      const rows = await generate('2031-Q3', 29);
      const cells = await index('2031-Q3', 'cell');
      expect(cells.length).toBe(20 * 6 * 2);
      const cell = cells.find((c) => c.region === 'astana' && c.ageGroup === '25-34' && c.sex === 'female')!;
      const own = rows.filter((r) => r.region === 'astana' && r.age_group === '25-34' && r.sex === 'female');
      const k = own.filter((r) => r.all_basic).length;
      const n = own.length;
      const z = 1.959964;
      const p = k / n;
      const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
      const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
      expect(cell.n).toBe(60);
      near(cell.allBasic.estimate, p * 100);
      near(cell.allBasic.low, (centre - half) * 100);
      near(cell.allBasic.high, (centre + half) * 100);

      const small = cells.find((c) => c.region === 'astana' && c.ageGroup === '65+' && c.sex === 'male')!;
      expect(small).toMatchObject({ n: 10, suppressed: true, allBasic: null, score: null, scamResistance: null });
      const empty = cells.find((c) => c.region === 'abai' && c.ageGroup === '15-24' && c.sex === 'female')!;
      expect(empty).toMatchObject({ n: 0, suppressed: true, score: null });
      const ulytau = (await index('2031-Q3', 'region')).find((r) => r.region === 'ulytau')!;
      expect(ulytau).toMatchObject({ n: 12, suppressed: true, allBasic: null });
      // A stratum of one result is not weighted; the region's coverage says so.
      const turkistan = (await index('2031-Q3', 'region')).find((r) => r.region === 'turkistan')!;
      expect(turkistan.suppressed).toBe(false);
      expect(turkistan.coverage).toBeLessThan(1);
    });

    it('compares two periods, and joins fraud statistics through the injected port', async () => {
      await generate('2032-Q1', 41);
      await generate('2032-Q2', 43);
      const response = await app.inject({ method: 'GET', url: '/v1/literacy/index/compare?from=2032-Q1&to=2032-Q2&level=national' });
      expect(response.statusCode, response.body).toBe(200);
      const [group] = response.json().groups;
      near(group.change.score.estimate, group.to.score.estimate - group.from.score.estimate);
      expect(group.change.score.low).toBeLessThan(group.change.score.estimate);
      expect(group.change.score.high).toBeGreaterThan(group.change.score.estimate);

      const joined = (await app.inject({ method: 'GET', url: '/v1/literacy/index/fraud?period=2032-Q1' })).json();
      expect(joined.rows.length).toBe(20 * 6);
      expect(joined.rows.every((r: { fraudReports: unknown }) => r.fraudReports === null)).toBe(true);

      const service = new IndexService(app.database.db, 30, async (period) => (period === '2032-Q1' ? [{ region: 'astana', ageGroup: '25-34', reports: 120, lossesKzt: 5_000_000 }] : []));
      const rows = await service.withFraud('2032-Q1');
      const astana = rows.find((r) => r.region === 'astana' && r.ageGroup === '25-34')!;
      expect(astana.fraudReports).toBe(120);
      near(astana.fraudReportsPer100k!, Math.round((120 / astana.population) * 100_000 * 10) / 10);
      expect(astana.index!.n).toBe(105);
    });

    it('refuses a malformed period, and replaces the population table only whole', async () => {
      const bad = await app.inject({ method: 'GET', url: '/v1/literacy/index?period=2031-Q5' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('VALIDATION_FAILED');

      const table = (await app.inject({ method: 'GET', url: '/v1/literacy/population' })).json();
      expect(table.rows.length).toBe(240);
      expect(table.total).toBeGreaterThan(12_000_000);
      expect(table.total).toBeLessThan(16_000_000);
      const put = (rows: unknown[]) => app.inject({ method: 'PUT', url: '/v1/literacy/population', headers: operator, payload: { source: 'test', rows } });
      const wrongRegion = await put([{ region: 'siberia', ageGroup: '65+', sex: 'male', population: 1 }]);
      expect(wrongRegion.json().code).toBe('LITERACY_REGION_UNKNOWN');
      const incomplete = await put(table.rows.slice(1));
      expect(incomplete.statusCode).toBe(422);
      expect(incomplete.json().code).toBe('LITERACY_POPULATION_INCOMPLETE');
      expect((await app.inject({ method: 'GET', url: '/v1/literacy/population' })).json().source).toBe(table.source);

      // Doubling every cell changes no weight, so no estimate.
      const before = (await index('2031-Q1', 'region')).find((r) => r.region === 'astana')!;
      expect((await put(table.rows.map((r: { population: number }) => ({ ...r, population: r.population * 2 })))).statusCode).toBe(204);
      const after = (await index('2031-Q1', 'region')).find((r) => r.region === 'astana')!;
      expect(after.score).toEqual(before.score);
      expect((await put(table.rows)).statusCode).toBe(204);
    });
  });

  describe('centers and sessions', () => {
    it('lists centers by region and by distance; enrols within capacity; records attendance all or nothing', async () => {
      const create = (name: string, region: string, latitude: number, longitude: number) =>
        app.inject({
          method: 'POST',
          url: '/v1/literacy/centers',
          headers: operator,
          payload: { name, region, address: 'main street', latitude, longitude, schedule: 'Tue, Thu 14-17', capacity: 10, accessibility: ['ramp', 'large print'], languages: ['kk', 'ru'] },
        });
      expect((await create('Nowhere', 'moscow', 55, 60)).json().code).toBe('LITERACY_REGION_UNKNOWN');
      const shymkent = (await create('Shymkent center', 'shymkent', 42.32, 69.59)).json();
      await create('Turkistan center', 'turkistan', 43.3, 68.25);
      const byRegion = (await app.inject({ method: 'GET', url: '/v1/literacy/centers?region=shymkent' })).json();
      expect(byRegion.map((c: { id: string }) => c.id)).toContain(shymkent.id);
      const nearest = (await app.inject({ method: 'GET', url: '/v1/literacy/centers?latitude=42.35&longitude=69.6' })).json();
      expect(nearest[0].id).toBe(shymkent.id);
      expect(nearest[0].distanceKm).toBeLessThan(5);
      expect(nearest[1].distanceKm).toBeGreaterThan(nearest[0].distanceKm);

      const session = await app.inject({ method: 'POST', url: `/v1/literacy/centers/${shymkent.id}/sessions`, headers: operator, payload: { topic: 'Spotting phone fraud', language: 'kk', startsAt: '2026-12-10T09:00:00Z', capacity: 1 } });
      expect(session.statusCode, session.body).toBe(201);
      const sessionId = session.json().id;
      const alice = await signIn(app, await certifyPerson(app));
      const bob = await signIn(app, await certifyPerson(app));
      const enrol = (cookie?: string) => app.inject({ method: 'POST', url: `/v1/literacy/sessions/${sessionId}/enrolments`, headers: cookie ? { cookie } : {} });
      expect((await enrol()).statusCode).toBe(401);
      const enrolled = await enrol(alice);
      expect(enrolled.statusCode, enrolled.body).toBe(201);
      expect((await enrol(alice)).json().code).toBe('LITERACY_ALREADY_ENROLLED');
      expect((await enrol(bob)).json().code).toBe('LITERACY_SESSION_FULL');

      const attend = (enrolmentIds: string[]) => app.inject({ method: 'POST', url: `/v1/literacy/sessions/${sessionId}/attendance`, headers: operator, payload: { enrolmentIds, attended: true } });
      const mixed = await attend([enrolled.json().enrolmentId, randomUUID()]);
      expect(mixed.statusCode).toBe(422);
      expect(mixed.json().code).toBe('LITERACY_ENROLMENT_UNKNOWN');
      const sessions = () => app.inject({ method: 'GET', url: `/v1/literacy/centers/${shymkent.id}/sessions` });
      expect((await sessions()).json()[0]).toMatchObject({ enrolled: 1, attended: 0 });
      expect((await attend([enrolled.json().enrolmentId])).statusCode).toBe(200);
      expect((await sessions()).json()[0]).toMatchObject({ enrolled: 1, attended: 1 });
    });
  });

  describe('volunteers', () => {
    it('after the modules and a passing signed-in assessment, receive a certificate of completion that OpenSSL and the verify route accept', async () => {
      const person = await certifyPerson(app);
      const cookie = await signIn(app, person);
      expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
      const apply = () => app.inject({ method: 'POST', url: '/v1/literacy/volunteers', headers: { cookie }, payload: { region: 'almaty-city', languages: ['kk', 'ru'], motivation: 'I teach my neighbours to use eGov' } });
      const applied = await apply();
      expect(applied.statusCode, applied.body).toBe(201);
      const volunteer = applied.json();
      expect(volunteer).toMatchObject({ trained: false, remainingModules: ['fraud-schemes', 'esign-and-egov', 'helping-older-people', 'reporting-fraud'] });
      expect((await apply()).json().code).toBe('LITERACY_ALREADY_APPLIED');

      const certificate = () => app.inject({ method: 'POST', url: '/v1/literacy/volunteers/me/certificate', headers: { cookie } });
      expect((await certificate()).json().code).toBe('LITERACY_TRAINING_INCOMPLETE');
      const unknownModule = await app.inject({ method: 'POST', url: `/v1/literacy/volunteers/${volunteer.id}/modules/juggling`, headers: operator });
      expect(unknownModule.json().code).toBe('LITERACY_MODULE_UNKNOWN');
      for (const module of volunteer.remainingModules) {
        expect((await app.inject({ method: 'POST', url: `/v1/literacy/volunteers/${volunteer.id}/modules/${module}`, headers: operator })).statusCode).toBe(200);
      }
      expect((await certificate()).json().code).toBe('LITERACY_ASSESSMENT_NOT_PASSED');

      // An anonymous pass does not count; a signed-in one does.
      const anonymous = (await start()).json();
      await submit(anonymous.id, anonymous.items.map((i: { id: string }) => rightAnswer(i.id)));
      expect((await certificate()).json().code).toBe('LITERACY_ASSESSMENT_NOT_PASSED');
      const mine = (await start({ ...declared, region: 'almaty-city' }, cookie)).json();
      expect(mine.signedIn).toBe(true);
      expect((await submit(mine.id, mine.items.map((i: { id: string }) => rightAnswer(i.id)))).statusCode).toBe(200);

      expect(await isTrainedVolunteer(app.database.db, app.pseudonymizer.of(person.iin))).toBe(false);
      const issued = await certificate();
      expect(issued.statusCode, issued.body).toBe(201);
      const { cms, document } = issued.json();
      const completion = JSON.parse(document);
      expect(completion).toMatchObject({ type: 'qorgau/volunteer-certificate-of-completion', volunteerId: volunteer.id, region: 'almaty-city', assessment: { id: mine.id, score: 100 } });
      expect(completion.name).toBe(volunteer.name);

      // OpenSSL, against the root alone: the CMS carries the platform and issuing CA certificates.
      const dir = tempDir('qorgau-literacy-');
      const cmsFile = writeTemp(dir, 'certificate.p7s', Buffer.from(cms, 'base64'));
      const rootFile = writeTemp(dir, 'root.pem', toPem(app.pki!.root.der));
      const verified = await openssl(['cms', '-verify', '-inform', 'DER', '-in', cmsFile, '-CAfile', rootFile, '-purpose', 'any']);
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.stdout).toBe(document);
      const tampered = Buffer.from(cms, 'base64');
      const at = tampered.indexOf(Buffer.from('almaty-city'));
      tampered[at] = 'A'.charCodeAt(0);
      const tamperedFile = writeTemp(dir, 'tampered.p7s', tampered);
      expect((await openssl(['cms', '-verify', '-inform', 'DER', '-in', tamperedFile, '-CAfile', rootFile, '-purpose', 'any'])).code).not.toBe(0);

      const report = (await app.inject({ method: 'POST', url: '/v1/signatures/verify', payload: { cms } })).json();
      expect(report.result, JSON.stringify(report.signers?.[0]?.checks)).toBe('valid');
      expect(report.signers[0].certificate.subject).toContain('Qorgau Digital Literacy Programme');

      const status = (await app.inject({ method: 'GET', url: '/v1/literacy/volunteers/me', headers: { cookie } })).json();
      expect(status).toMatchObject({ trained: true, remainingModules: [], passingAssessment: { assessmentId: mine.id } });
      expect(await app.literacy.isTrainedVolunteer(app.pseudonymizer.of(person.iin))).toBe(true);
      expect(await isTrainedVolunteer(app.database.db, app.pseudonymizer.of((await certifyPerson(app)).iin))).toBe(false);
    });
  });
});
