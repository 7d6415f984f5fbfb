import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test/helpers/test-database.js';
import { tempDir, writeTemp } from '../../test/helpers/cms-fixtures.js';
import { buildBin, buildOperatorToken } from '../../test/helpers/factories.js';
import { certifyPerson } from '../../test/helpers/person-sessions.js';
import { buildPkcs12 } from '../client/pkcs12-writer.js';
import { OperatorReviewProofing } from '../features/ca/index.js';
import { runQorgau } from '../../test/helpers/cli.js';


const qorgau = (args: string[]) => runQorgau(args);

describe('qorgau org head: a company head enrols their organization from the command line', () => {
  let app: FastifyInstance;
  let baseUrl: string;
  let dir: string;
  const password = 'Менің қорғауым 2026!';

  beforeAll(async () => {
    app = await buildTestApp();
    app.certificateApplications!.proofing = new OperatorReviewProofing();
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    dir = tempDir('qorgau-head-cli-');
  }, 600_000);
  afterAll(async () => app?.close());

  it('apply (confirmed), an operator checks the extract, finish, enrol, grant HR to oneself', { timeout: 600_000 }, async () => {
    const x = await certifyPerson(app);
    const passwordFile = writeTemp(dir, 'password', `${password}\n`);
    const individual = writeTemp(dir, 'individual-auth.p12', await buildPkcs12({
      privateKeyPkcs8: x.authKey.export({ type: 'pkcs8', format: 'der' }),
      certificate: x.issued.auth.der,
      chain: [app.pki!.issuing.der, app.pki!.root.der],
      password,
      name: x.person.surname,
    }));
    const bin = buildBin();
    const extract = `KZ-${Date.now()}`;
    const out = path.join(dir, 'head-keys');
    const apply = ['org', 'head', 'apply', '--bin', bin, '--organization', 'ТОО «CLI»', '--iin', x.iin, '--surname', x.person.surname, '--given-name', x.person.givenName,
      '--signed-with', individual, '--registration-extract', extract, '--out', out, '--password-file', passwordFile, '--url', baseUrl];

    // Not on a terminal and no --yes: nothing is made or sent.
    const unconfirmed = await qorgau(apply);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('[CONFIRMATION_REQUIRED]');
    expect(unconfirmed.stderr).toContain(`first head of "ТОО «CLI»" (BIN ${bin})`);
    // An individual certificate without the extract proves only who applies: refused before any key is made.
    const noProof = await qorgau(apply.filter((a, i) => a !== '--registration-extract' && apply[i - 1] !== '--registration-extract').concat('--yes'));
    expect(noProof.stderr).toContain('[HEADSHIP_PROOF_REQUIRED]');

    const applied = await qorgau([...apply, '--yes']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('waiting for an operator to check the registration extract');
    const id = (await import('node:fs')).readFileSync(path.join(out, 'application-id.txt'), 'utf8').trim();

    // The CA operator, from their own command line: the queue says what to check; approval takes the number checked.
    const token = await buildOperatorToken(app.database.db, 'ca-operator');
    const operator = ['--url', baseUrl, '--token', token];
    const queue = await qorgau(['ca', 'queue', ...operator]);
    expect(queue.code, queue.stderr).toBe(0);
    expect(queue.stdout).toContain(`${id}\t`);
    expect(queue.stdout).toContain(`head of ${bin} (ТОО «CLI»): check extract ${extract}; identity proven by signature`);
    const unchecked = await qorgau(['ca', 'approve', id, ...operator]);
    expect(unchecked.stderr).toContain('[HEADSHIP_NOT_CHECKED]');
    const approved = await qorgau(['ca', 'approve', id, '--registration-extract', extract, ...operator]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain('issued (roles first-head)');

    const finished = await qorgau(['keygen', 'finish', '--dir', out, '--password-file', passwordFile, '--url', baseUrl]);
    expect(finished.code, finished.stderr).toBe(0);
    const headP12 = path.join(out, 'auth.p12');

    const enrolled = await qorgau(['org', 'head', 'enrol', '--bin', bin, '--name', 'ТОО «CLI»', '--p12', headP12, '--password-file', passwordFile, '--url', baseUrl, '--yes']);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    expect(enrolled.stdout).toContain(`organization ${bin} (ТОО «CLI») enrolled`);

    const granted = await qorgau(['org', 'head', 'grant-hr', '--bin', bin, '--iin', x.iin, '--p12', headP12, '--password-file', passwordFile, '--url', baseUrl, '--yes']);
    expect(granted.code, granted.stderr).toBe(0);
    expect(granted.stdout).toContain('HR granted');
    const record = await app.database.db.selectFrom('employments').select(['hr', 'first_head']).where('bin', '=', bin).where('iin', '=', x.iin).executeTakeFirstOrThrow();
    expect(record).toEqual({ hr: true, first_head: true });
  });
});
