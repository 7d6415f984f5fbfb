import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test/helpers/test-database.js';
import { tempDir, writeTemp } from '../../test/helpers/cms-fixtures.js';
import { certifyPerson, type CertifiedPerson } from '../../test/helpers/person-sessions.js';
import { buildPkcs12 } from '../client/pkcs12-writer.js';
import { revokeCertificates } from '../features/ca/index.js';
import { CertificateInfo } from '../pkix/certificate.js';
import { runQorgau } from '../../test/helpers/cli.js';

const qorgau = (args: string[]) => runQorgau(args);

describe('qorgau login', () => {
  let app: FastifyInstance;
  let baseUrl: string;
  let dir: string;
  const password = 'Кілт сөзі 2026 — login!';

  beforeAll(async () => {
    app = await buildTestApp();
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    dir = tempDir('qorgau-login-');
  });
  afterAll(async () => {
    await app?.close();
  });

  async function p12Of(who: CertifiedPerson, purpose: 'auth' | 'sign'): Promise<string> {
    const key = purpose === 'auth' ? who.authKey : who.signKey;
    const p12 = await buildPkcs12({
      privateKeyPkcs8: key.export({ type: 'pkcs8', format: 'der' }),
      certificate: who.issued[purpose].der,
      chain: [app.pki!.issuing.der, app.pki!.root.der],
      password,
      name: who.person.surname,
    });
    return writeTemp(dir, `${purpose}-${Math.random().toString(36).slice(2)}.p12`, p12);
  }
  const passwordFile = () => writeTemp(dir, 'password', `${password}\n`);

  it('signs in with the AUTH key of a .p12 and saves a session that opens /v1/me', async () => {
    const person = await certifyPerson(app);
    const save = path.join(dir, 'session.json');
    const run = await qorgau(['login', '--p12', await p12Of(person, 'auth'), '--password-file', passwordFile(), '--url', baseUrl, '--save', save]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('signed in as');
    expect(statSync(save).mode & 0o777).toBe(0o600);
    const session = JSON.parse(readFileSync(save, 'utf8'));
    expect(session.cookie).toMatch(/^__Host-qorgau-session=/);
    const me = await fetch(`${baseUrl}/v1/me/restrictions`, { headers: { cookie: session.cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual([]);

    const printed = await qorgau(['login', '--p12', await p12Of(person, 'auth'), '--password-file', passwordFile(), '--url', baseUrl]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(JSON.parse(printed.stdout).sessionId).not.toBe(session.sessionId);
  });

  it('refuses a SIGN .p12, and reports the server refusing a revoked certificate', async () => {
    const person = await certifyPerson(app);
    const sign = await qorgau(['login', '--p12', await p12Of(person, 'sign'), '--password-file', passwordFile(), '--url', baseUrl]);
    expect(sign.code).toBe(1);
    expect(sign.stderr).toContain('[SIGNIN_WRONG_CERTIFICATE]');

    await revokeCertificates(app.database.db, { issuer: app.pki!.issuing.name, serials: [CertificateInfo.parse(person.issued.auth.der).serialHex], reason: 'keyCompromise', actor: 'test' });
    const revoked = await qorgau(['login', '--p12', await p12Of(person, 'auth'), '--password-file', passwordFile(), '--url', baseUrl]);
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toContain('[SIGNIN_CERTIFICATE_REVOKED]');
    expect(revoked.stdout).toBe('');
  });
});
