import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, getTestDatabase } from '../../test/helpers/test-database.js';
import { buildBin, buildIin, buildOperatorToken } from '../../test/helpers/factories.js';
import { verifyCheckAnswer, type CheckAnswer } from './check-answer.js';

let app: FastifyInstance;
let lenderKey: string;
let keys: { keys: [] };
const as = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  app = await buildTestApp();
  const admin = await buildOperatorToken((await getTestDatabase()).database.db, 'admin');
  const bin = buildBin();
  expect((await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: as(admin), payload: { bin, name: 'Verify Bank', licence: 'bank' } })).statusCode).toBe(201);
  lenderKey = (await app.inject({ method: 'POST', url: `/v1/credit/lenders/${bin}/keys`, headers: as(admin) })).json().key;
  keys = (await app.inject('/v1/credit/signing-key')).json();
});
afterAll(async () => app.close());

async function answers(count: number): Promise<CheckAnswer[]> {
  // Sent together, so that several answers can share one signed tree.
  const replies = await Promise.all(
    Array.from({ length: count }, () => app.inject({ method: 'POST', url: '/v1/credit/checks', headers: as(lenderKey), payload: { iin: buildIin(), product: 'bank_loan', channel: 'online', amount: 150000 } })),
  );
  return replies.map((r) => {
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  });
}

describe("a lender's check of a registry answer", () => {
  it('accepts every genuine answer', async () => {
    for (const answer of await answers(8)) {
      const verdict = await verifyCheckAnswer(answer, keys);
      expect(verdict, JSON.stringify(answer.signature)).toMatchObject({ valid: true, kid: answer.signature.kid });
    }
  });

  it('refuses an answer whose decision, audit path, signed text, JWS or key was changed', async () => {
    const [answer] = await answers(1);
    const changed = (edit: (a: CheckAnswer) => void) => {
      const copy = structuredClone(answer);
      edit(copy);
      return verifyCheckAnswer(copy, keys);
    };
    expect(await changed((a) => (a.decision = a.decision === 'allow' ? 'deny' : 'allow'))).toMatchObject({ valid: false, reason: expect.stringContaining('decision') });
    expect(await changed((a) => (a.signature.signedAnswer = a.signature.signedAnswer.replace('"allow"', '"deny"').replace('"bank_loan"', '"microcredit"')))).toMatchObject({ valid: false });
    expect(await changed((a) => a.signature.auditPath.push(Buffer.alloc(32).toString('base64url')))).toMatchObject({ valid: false });
    expect(await changed((a) => (a.signature.treeSize += 1))).toMatchObject({ valid: false });
    const jws = answer.signature.jws;
    const flipped = jws.slice(0, -5) + (jws.at(-5) === 'A' ? 'B' : 'A') + jws.slice(-4);
    expect(await changed((a) => (a.signature.jws = flipped))).toMatchObject({ valid: false, reason: expect.stringContaining('JWS') });
    expect(await changed((a) => (a.signature.kid = 'another-key'))).toMatchObject({ valid: false, reason: expect.stringContaining('another-key') });
  });

  it('qorgau credit verify-answer says valid (exit 0) or NOT valid (exit 1)', async () => {
    const [answer] = await answers(1);
    const dir = mkdtempSync(path.join(tmpdir(), 'qorgau-answer-'));
    writeFileSync(path.join(dir, 'keys.json'), JSON.stringify(keys));
    writeFileSync(path.join(dir, 'answer.json'), JSON.stringify(answer));
    writeFileSync(path.join(dir, 'forged.json'), JSON.stringify({ ...answer, decision: answer.decision === 'allow' ? 'deny' : 'allow' }));
    const run = (file: string) =>
      promisify(execFile)(process.execPath, ['bin/qorgau.js', 'credit', 'verify-answer', path.join(dir, file), '--key', path.join(dir, 'keys.json')], { encoding: 'utf8' }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
    const good = await run('answer.json');
    expect(good).toMatchObject({ code: 0, stdout: expect.stringContaining(`valid: decision ${answer.decision}`) });
    const forged = await run('forged.json');
    expect(forged).toMatchObject({ code: 1, stdout: expect.stringContaining('NOT valid') });
  }, 120_000);
});
