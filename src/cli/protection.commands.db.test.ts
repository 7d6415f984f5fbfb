import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test/helpers/test-database.js';
import { tempDir, writeTemp } from '../../test/helpers/cms-fixtures.js';
import { certifyPerson, type CertifiedPerson } from '../../test/helpers/person-sessions.js';
import { openssl } from '../../test/helpers/openssl.js';
import { buildPkcs12 } from '../client/pkcs12-writer.js';
import { runQorgau } from '../../test/helpers/cli.js';

const qorgau = (args: string[]) => runQorgau(args);

describe('qorgau protection and qorgau me', () => {
  let app: FastifyInstance;
  let baseUrl: string;
  let dir: string;
  const password = 'Менің қорғауым 2026!';

  beforeAll(async () => {
    app = await buildTestApp();
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    dir = tempDir('qorgau-protection-');
  });
  afterAll(async () => app?.close());

  async function p12Of(who: CertifiedPerson, purpose: 'auth' | 'sign'): Promise<string> {
    const p12 = await buildPkcs12({
      privateKeyPkcs8: (purpose === 'auth' ? who.authKey : who.signKey).export({ type: 'pkcs8', format: 'der' }),
      certificate: who.issued[purpose].der,
      chain: [app.pki!.issuing.der, app.pki!.root.der],
      password,
      name: who.person.surname,
    });
    return writeTemp(dir, `${purpose}-${Math.random().toString(36).slice(2)}.p12`, p12);
  }

  it('places, shows, lifts with cooling-off and cancels, each request shown and signed with the SIGN key', async () => {
    const person = await certifyPerson(app);
    const passwordFile = writeTemp(dir, 'password', `${password}\n`);
    const session = path.join(dir, 'session.json');
    const login = await qorgau(['login', '--p12', await p12Of(person, 'auth'), '--password-file', passwordFile, '--url', baseUrl, '--save', session]);
    expect(login.code, login.stderr).toBe(0);
    const sign = ['--session', session, '--p12', await p12Of(person, 'sign'), '--password-file', passwordFile];

    // Not on a terminal and no --yes: nothing is signed or sent.
    const unconfirmed = await qorgau(['protection', 'place', ...sign]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('[CONFIRMATION_REQUIRED]');
    expect(unconfirmed.stderr).toContain('lenders may not give you bank_loan or microcredit');

    const wrongKey = await qorgau(['protection', 'place', '--yes', '--session', session, '--p12', await p12Of(person, 'auth'), '--password-file', passwordFile]);
    expect(wrongKey.stderr).toContain('[WRONG_CERTIFICATE]');

    const signedFile = path.join(dir, 'place.cms');
    const placed = await qorgau(['protection', 'place', '--yes', '--products', 'microcredit', '--out', signedFile, ...sign]);
    expect(placed.code, placed.stderr).toBe(0);
    const restrictionId = /restriction (\d+) placed/.exec(placed.stdout)![1];
    // The kept document is a CMS that OpenSSL reads: its content is the request shown to the person.
    const content = (openssl(['cms', '-verify', '-noverify', '-inform', 'DER', '-in', signedFile])).stdout;
    expect(JSON.parse(content)).toMatchObject({ action: 'restriction.place', iin: person.iin, products: ['microcredit'] });

    const shown = JSON.parse((await qorgau(['protection', 'show', '--json', '--session', session])).stdout);
    expect(shown.restrictions.map((r: { id: string }) => r.id)).toContain(restrictionId);

    const lifted = await qorgau(['protection', 'lift', restrictionId, '--yes', ...sign]);
    expect(lifted.code, lifted.stderr).toBe(0);
    expect(lifted.stderr).toContain(`Lift restriction ${restrictionId} for good`);
    const liftId = /lift ([0-9a-f-]{36}) requested/.exec(lifted.stdout)![1];

    const cancelled = await qorgau(['protection', 'cancel', liftId, '--session', session]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const after = JSON.parse((await qorgau(['protection', 'show', '--json', '--session', session])).stdout);
    expect(after.lifts.find((l: { id: string }) => l.id === liftId).status).toBe('cancelled');

    const documents = JSON.parse((await qorgau(['me', 'documents', '--session', session])).stdout);
    expect(documents.length ?? documents.items.length).toBe(2);
  }, 300_000);
});
