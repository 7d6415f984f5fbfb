import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, getTestDatabase } from '../../../test/helpers/test-database.js';
import { buildApp } from '../../http/app.js';
import { buildPerson, buildSubjectKey } from '../../../test/helpers/pki-factories.js';
import { tempDir, toPem, writeTemp } from '../../../test/helpers/cms-fixtures.js';
import { openssl } from '../../../test/helpers/openssl.js';
import { CertificateIssuer } from '../ca/index.js';
import { revokeCertificates } from '../ca/index.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { readPkcs12, signerFromPrivateKey } from '../../client/pkcs12.js';
import { signCms } from '../../client/sign.js';
import type { VerificationReport } from './signature-verifier.js';
import { requestTimeStamp } from '../../client/time-stamp-client.js';
import { parseTimeStampResponse } from '../../pkix/time-stamp-protocol.js';

const NCA = path.resolve(import.meta.dirname, '../../../test/fixtures/nca');

describe('POST /pki/tsa and POST /v1/signatures/verify', () => {
  let app: FastifyInstance;
  let dir: string;
  let chainFile: string;

  /** fetch() over app.inject, so the TSA client talks to the real route without a socket. */
  const injectFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const response = await app.inject({
      method: 'POST',
      url: new URL(String(url)).pathname,
      headers: init?.headers as Record<string, string>,
      payload: Buffer.from(init?.body as Uint8Array),
    });
    return new Response(new Uint8Array(response.rawPayload), { status: response.statusCode, headers: { 'content-type': String(response.headers['content-type']) } });
  }) as typeof fetch;

  async function issueToPerson() {
    const person = buildPerson();
    const authKey = buildSubjectKey();
    const signKey = buildSubjectKey();
    const issued = await new CertificateIssuer(app.database.db, app.pki!, app.config.publicUrl).issuePair({
      holder: 'individual',
      person,
      authKey: authKey.spki,
      signKey: signKey.spki,
      proofing: 'remote',
    });
    return { person, issued, authKey, signKey };
  }

  const verify = async (payload: Record<string, unknown>) => {
    const response = await app.inject({ method: 'POST', url: '/v1/signatures/verify', payload });
    return { status: response.statusCode, body: response.json() as VerificationReport & { code?: string } };
  };
  const checkOf = (report: VerificationReport, name: string) => report.signers[0].checks.find((c) => c.check === name);

  beforeAll(async () => {
    dir = tempDir();
    // Trust configured the operator's way: files in <dataDir>/pki/trust/.
    const dataDir = tempDir('qorgau-data-');
    mkdirSync(path.join(dataDir, 'pki', 'trust'), { recursive: true });
    copyFileSync(path.join(NCA, 'nca_rsa_test.crt'), path.join(dataDir, 'pki', 'trust', 'nca_rsa_test.crt'));
    copyFileSync(path.join(NCA, 'nca_rsa_test.crl'), path.join(dataDir, 'pki', 'trust', 'nca_rsa_test.crl'));
    app = await buildTestApp({ dataDir });
    chainFile = writeTemp(dir, 'chain.pem', toPem(app.pki!.root.der) + toPem(app.pki!.issuing.der));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('time-stamps an openssl ts query; openssl ts -verify prints "Verification: OK"', async () => {
    const data = writeTemp(dir, 'doc.txt', `restriction lift ${Math.random()}`);
    const query = `${dir}/q.tsq`;
    expect(openssl(['ts', '-query', '-data', data, '-sha256', '-cert', '-out', query]).status).toBe(0);
    const response = await app.inject({ method: 'POST', url: '/pki/tsa', headers: { 'content-type': 'application/timestamp-query' }, payload: readFileSync(query) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/timestamp-reply');
    const reply = writeTemp(dir, 'r.tsr', response.rawPayload);
    const verified = openssl(['ts', '-verify', '-in', reply, '-queryfile', query, '-CAfile', chainFile]);
    expect(verified.stdout).toContain('Verification: OK');
  });

  it('answers a malformed time-stamp query with a rejection TimeStampResp and HTTP 400', async () => {
    const response = await app.inject({ method: 'POST', url: '/pki/tsa', headers: { 'content-type': 'application/timestamp-query' }, payload: Buffer.from([0x30, 0x82, 0x01]) });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/timestamp-reply');
    expect(parseTimeStampResponse(response.rawPayload)).toMatchObject({ status: 2, failure: [5] });
    const wrongType = await app.inject({ method: 'POST', url: '/pki/tsa', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('verifies a time-stamped signature by a certificate Qorgau issued: valid, with the signer and the SIGN purpose', async () => {
    const { person, issued, signKey } = await issueToPerson();
    const content = Buffer.from(`I lift my restriction ${Math.random()}`);
    const cms = await signCms({
      content,
      signer: signerFromPrivateKey(signKey.privateKey),
      certificate: issued.sign.der,
      chain: [app.pki!.issuing.der],
      detached: true,
      timeStamp: (signature) => requestTimeStamp(`${app.config.publicUrl}/pki/tsa`, signature, injectFetch),
    });
    const { status, body } = await verify({ cms: cms.toString('base64'), data: content.toString('base64') });
    expect(status).toBe(200);
    expect(body.result, JSON.stringify(body.signers[0].checks)).toBe('valid');
    expect(body.detached).toBe(true);
    expect(body.signers[0].signedAt.source).toBe('time-stamp');
    expect(checkOf(body, 'revocation')?.reason).toContain('certificates of Qorgau CA');
    expect(body.signers[0].signer).toMatchObject({ iin: { value: person.iin, valid: true }, surname: person.surname.toUpperCase(), patronymic: person.patronymic?.toUpperCase(), purpose: 'SIGN', identityProofing: 'remote' });

    // openssl agrees on the same bytes.
    const file = writeTemp(dir, 'lift.p7s', cms);
    const data = writeTemp(dir, 'lift.txt', content);
    expect(openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', file, '-content', data, '-CAfile', chainFile, '-out', '/dev/null']).stderr).toContain('Verification successful');
  });

  it('tells AUTH from SIGN, and a revocation shows at once: invalid without a time-stamp, still valid with one made before it', async () => {
    const { issued, authKey } = await issueToPerson();
    const signer = signerFromPrivateKey(authKey.privateKey);
    const challenge = Buffer.from(`sign-in challenge ${Math.random()}`);
    const plain = await signCms({ content: challenge, signer, certificate: issued.auth.der, chain: [app.pki!.issuing.der] });
    const stamped = await signCms({
      content: challenge,
      signer,
      certificate: issued.auth.der,
      timeStamp: (signature) => requestTimeStamp('http://qorgau.test/pki/tsa', signature, injectFetch),
    });
    const before = await verify({ cms: plain.toString('base64') });
    expect(before.body.result).toBe('valid');
    expect(before.body.signers[0].signer?.purpose).toBe('AUTH');

    await revokeCertificates(app.database.db, { issuer: app.pki!.issuing.name, serials: [CertificateInfo.parse(issued.auth.der).serialHex], reason: 'keyCompromise', actor: 'test' });
    const after = await verify({ cms: plain.toString('base64') });
    expect(after.body.result).toBe('invalid');
    expect(checkOf(after.body, 'revocation')).toMatchObject({ status: 'failed', code: 'REVOKED' });
    expect(checkOf(after.body, 'revocation')?.reason).toContain('keyCompromise');
    const stampedAfter = await verify({ cms: stamped.toString('base64') });
    expect(stampedAfter.body.result, JSON.stringify(stampedAfter.body.signers[0].checks)).toBe('valid');
    expect(checkOf(stampedAfter.body, 'revocation')?.reason).toContain('revoked only later');
  });

  it('accepts the raw DER as application/pkcs7-mime, and PEM inside the JSON', async () => {
    const { issued, signKey } = await issueToPerson();
    const cms = await signCms({ content: Buffer.from('raw'), signer: signerFromPrivateKey(signKey.privateKey), certificate: issued.sign.der });
    const response = await app.inject({ method: 'POST', url: '/v1/signatures/verify', headers: { 'content-type': 'application/pkcs7-mime' }, payload: cms });
    expect(response.statusCode).toBe(200);
    expect(response.json().result).toBe('valid');
    const pem = await verify({ cms: toPem(cms, 'CMS') });
    expect(pem.status).toBe(200);
    expect(pem.body.result).toBe('valid');
  });

  it('finds the certificate of a Qorgau signer that the CMS left out (openssl cms -nocerts)', async () => {
    const { person, issued, signKey } = await issueToPerson();
    const cert = writeTemp(dir, 'nocerts.pem', toPem(issued.sign.der));
    const key = writeTemp(dir, 'nocerts.key', signKey.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const out = `${dir}/nocerts.p7s`;
    const made = openssl(['cms', '-sign', '-binary', '-md', 'sha256', '-nodetach', '-nocerts', '-outform', 'DER', '-in', writeTemp(dir, 'nocerts.txt', 'small'), '-signer', cert, '-inkey', key, '-out', out]);
    expect(made.status, made.stderr).toBe(0);
    const { body } = await verify({ cms: readFileSync(out).toString('base64') });
    expect(body.result, JSON.stringify(body.signers[0].checks)).toBe('valid');
    expect(body.signers[0].signer?.iin?.value).toBe(person.iin);
  });

  it("trusts the anchors in <dataDir>/pki/trust/: the national CA's test CA and its CRL", async () => {
    expect(app.trustStore.anchors.map((a) => a.kind).sort()).toEqual(['partial-chain', 'root']);
    const report = await app.signatureVerifier.verifyCertificate(readFileSync(path.join(NCA, 'individual_valid_sign_2004_rsa.cer')), { at: new Date('2022-04-15T00:00:00Z') });
    expect(report.result).toBe('valid');
    expect(report.signer.purpose).toBe('SIGN');

    const p12 = readPkcs12(readFileSync(path.join(NCA, 'AUTH_RSA256_test.p12')), 'Qwerty12');
    const cms = await signCms({ content: Buffer.from('x'), signer: signerFromPrivateKey(p12.privateKey), certificate: p12.certificate, signingTime: new Date('2019-03-01T00:00:00Z') });
    const { status, body } = await verify({ cms: cms.toString('base64') });
    expect(status).toBe(200);
    expect(body.result).toBe('indeterminate');
    expect(body.signers[0].signer).toMatchObject({ iin: { value: '123456789011', valid: false }, purpose: 'AUTH' });
  });

  it.each([
    ['a truncated CMS', async () => ({ cms: (await signedSample()).subarray(0, 60).toString('base64') }), 'CMS_MALFORMED'],
    ['bytes that are not DER', async () => ({ cms: Buffer.from('%PDF-1.7 not a signature').toString('base64') }), 'CMS_MALFORMED'],
    ['a PEM certificate instead of a CMS', async () => ({ cms: readFileSync(path.join(NCA, 'individual_valid_sign_2004_rsa.cer'), 'utf8') }), 'CMS_NOT_SIGNED_DATA'],
    ['a PEM block of broken base64', async () => ({ cms: '-----BEGIN CMS-----\nMII*\n-----END CMS-----\n' }), 'INVALID_BASE64'],
    ['a DER certificate instead of a CMS', async () => ({ cms: CertificateInfo.parse(readFileSync(path.join(NCA, 'individual_valid_sign_2004_rsa.cer'))).der.toString('base64') }), 'CMS_NOT_SIGNED_DATA'],
    ['a detached signature without data', async () => ({ cms: (await signedSample(true)).toString('base64') }), 'CMS_DETACHED_DATA_REQUIRED'],
    ['data that is not base64', async () => ({ cms: (await signedSample(true)).toString('base64'), data: 'not*base64' }), 'INVALID_BASE64'],
    ['no cms field', async () => ({ data: 'AAAA' }), 'VALIDATION_FAILED'],
  ] as const)('refuses %s with a 400 and a stable code', async (_label, body, code) => {
    const { status, body: problem } = await verify(await body());
    expect(status).toBe(400);
    expect(problem.code).toBe(code);
  });

  let sample: { attached: Buffer; detached: Buffer } | undefined;
  async function signedSample(detached = false): Promise<Buffer> {
    if (!sample) {
      const { issued, signKey } = await issueToPerson();
      const make = (d: boolean) => signCms({ content: Buffer.from('sample'), signer: signerFromPrivateKey(signKey.privateKey), certificate: issued.sign.der, detached: d });
      sample = { attached: await make(false), detached: await make(true) };
    }
    return detached ? sample.detached : sample.attached;
  }

  it('without a CA hierarchy the TSA answers 503 and verification still runs on the configured anchors', async () => {
    const { database, config } = await getTestDatabase();
    const bare = await buildApp({ config: { ...config, dataDir: app.config.dataDir }, database, logger: false });
    try {
      const tsa = await bare.inject({ method: 'POST', url: '/pki/tsa', headers: { 'content-type': 'application/timestamp-query' }, payload: Buffer.from([0x30, 0x00]) });
      expect(tsa.statusCode).toBe(503);
      expect(tsa.json().code).toBe('TSA_UNAVAILABLE');
      expect(bare.trustStore.anchors.map((a) => a.kind)).toEqual(['partial-chain']);
      const report = await bare.signatureVerifier.verifyCertificate(readFileSync(path.join(NCA, 'individual_valid_sign_2004_rsa_auth.cer')), { at: new Date('2022-04-15T00:00:00Z') });
      expect(report.result).toBe('valid');
    } finally {
      await bare.close();
    }
  });

  it('documents both routes in the OpenAPI document', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/pki/tsa', '/v1/signatures/verify']));
  });
});
