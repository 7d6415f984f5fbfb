import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test/helpers/test-database.js';
import { buildPerson, buildSubjectKey } from '../../test/helpers/pki-factories.js';
import { tempDir, toPem, writeTemp } from '../../test/helpers/cms-fixtures.js';
import { openssl } from '../../test/helpers/openssl.js';
import { CertificateIssuer } from '../features/ca/index.js';
import { buildPkcs12 } from '../client/pkcs12-writer.js';
import { runQorgau } from '../../test/helpers/cli.js';

const NCA = path.resolve(import.meta.dirname, '../../test/fixtures/nca');

const qorgau = (args: string[]) => runQorgau(args);

describe('qorgau sign and qorgau verify', () => {
  let app: FastifyInstance;
  let baseUrl: string;
  let dir: string;
  let chainFile: string;

  beforeAll(async () => {
    app = await buildTestApp();
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    dir = tempDir('qorgau-sign-');
    chainFile = writeTemp(dir, 'chain.pem', toPem(app.pki!.root.der) + toPem(app.pki!.issuing.der));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('signs detached and time-stamped with a .p12 of a Qorgau certificate; openssl and our verifier accept it', async () => {
    const person = buildPerson();
    const signKey = buildSubjectKey();
    const authKey = buildSubjectKey();
    const issued = await new CertificateIssuer(app.database.db, app.pki!, app.config.publicUrl).issuePair({ holder: 'individual', person, authKey: authKey.spki, signKey: signKey.spki, proofing: 'in-person' });
    const password = 'Менің құпия сөзім 2026!';
    const p12 = await buildPkcs12({
      privateKeyPkcs8: signKey.privateKey.export({ type: 'pkcs8', format: 'der' }),
      certificate: issued.sign.der,
      chain: [app.pki!.issuing.der, app.pki!.root.der],
      password,
      name: person.surname,
    });
    const p12File = writeTemp(dir, 'sign.p12', p12);
    const passwordFile = writeTemp(dir, 'password', `${password}\n`);
    const document = writeTemp(dir, 'application.txt', `Өтініш: шектеуді алып тастау ${Math.random()}`);
    const out = path.join(dir, 'application.txt.p7s');

    const run = await qorgau(['sign', '--p12', p12File, '--password-file', passwordFile, '--in', document, '--out', out, '--detached', '--tsa', `${baseUrl}/pki/tsa`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('SIGN certificate, detached, time-stamped');

    const verified = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', out, '-content', document, '-CAfile', chainFile, '-out', '/dev/null']);
    expect(verified.stderr).toContain('Verification successful');
    const verifiedByCli = await qorgau(['verify', '--in', out, '--data', document, '--url', baseUrl]);
    expect(verifiedByCli.code, verifiedByCli.stderr).toBe(0);
    expect(JSON.parse(verifiedByCli.stdout)).toMatchObject({ result: 'valid', detached: true, signers: [{ signedAt: { source: 'time-stamp' }, signer: { iin: { value: person.iin }, purpose: 'SIGN' } }] });
    const withoutData = await qorgau(['verify', '--in', out, '--server', baseUrl]);
    expect(withoutData.code).toBe(1);
    expect(withoutData.stderr).toContain('[CMS_DETACHED_DATA_REQUIRED]');
  });

  it("signs with the national CA's legacy .p12 and refuses a wrong password with a stable code", async () => {
    const document = writeTemp(dir, 'doc.txt', 'attached');
    const out = path.join(dir, 'doc.p7s');
    const ok = await qorgau(['sign', '--p12', path.join(NCA, 'AUTH_RSA256_test.p12'), '--password-file', writeTemp(dir, 'nca-pass', 'Qwerty12\n'), '--in', document, '--out', out]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toContain('AUTH certificate');
    const attached = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', out, '-noverify']);
    expect(attached.stdout).toBe('attached');
    // Signed today with a certificate that expired in 2019: invalid, exit status 1.
    const expired = await qorgau(['verify', '--in', out, '--server', baseUrl]);
    expect(expired.code).toBe(1);
    const report = JSON.parse(expired.stdout);
    expect(report.result).toBe('invalid');
    expect(report.signers[0].checks).toContainEqual(expect.objectContaining({ check: 'certificate-validity', code: 'CERTIFICATE_EXPIRED' }));

    const bad = await qorgau(['sign', '--p12', path.join(NCA, 'AUTH_RSA256_test.p12'), '--password-file', writeTemp(dir, 'bad-pass', 'Qwerty13\n'), '--in', document, '--out', path.join(dir, 'bad.p7s')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[PKCS12_BAD_PASSWORD]');
  });
});
