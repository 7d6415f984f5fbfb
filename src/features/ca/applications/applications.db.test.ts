import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, getTestDatabase, getTestHierarchy } from '../../../../test/helpers/test-database.js';
import { buildBreach, buildIin, buildOperatorToken } from '../../../../test/helpers/factories.js';
import { applicationBody, buildCsrPair, buildEmployee, buildPerson, giveCapture, openssl, tempDir, toPem, writeTemp } from '../../../../test/helpers/pki-factories.js';
import { AutomaticProofing, OperatorReviewProofing } from './identity-proofing.js';

let app: FastifyInstance;
let operatorToken: string;
let chainArgs: string[];
let dir: string;

beforeAll(async () => {
  app = await buildTestApp();
  const { database } = await getTestDatabase();
  operatorToken = await buildOperatorToken(database.db, 'ca-operator');
  const hierarchy = await getTestHierarchy();
  dir = tempDir();
  chainArgs = ['-CAfile', writeTemp(dir, 'root.pem', toPem(hierarchy.root.der)), '-untrusted', writeTemp(dir, 'issuing.pem', toPem(hierarchy.issuing.der))];
});
afterAll(async () => {
  await app.close();
});

const operator = () => ({ authorization: `Bearer ${operatorToken}` });
const useProofing = (proofing: AutomaticProofing | OperatorReviewProofing) => {
  app.certificateApplications!.proofing = proofing;
};

function problem(res: { statusCode: number; headers: Record<string, unknown>; json: () => any }, status: number, code: string) {
  expect(res.json()).toMatchObject({ status, code });
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

async function submit(person = buildPerson(), overrides: Record<string, unknown> = {}) {
  const csrs = await buildCsrPair(person);
  return app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, csrs, overrides) });
}

describe('remote certificate applications', () => {
  it('with automatic proofing: issues AUTH and SIGN as a pair that OpenSSL verifies', async () => {
    useProofing(new AutomaticProofing());
    const person = buildPerson();
    const res = await submit(person);
    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(view).toMatchObject({ status: 'issued', holder: 'individual', proofingMethod: 'remote', pairId: expect.any(String) });
    expect(view).not.toHaveProperty('iin');
    expect(view.certificates.map((c: { kind: string }) => c.kind).sort()).toEqual(['auth', 'sign']);

    const status = await app.inject(`/v1/pki/applications/${view.id}`);
    expect(status.json()).toEqual(view);

    for (const kind of ['auth', 'sign']) {
      const download = await app.inject(`/v1/pki/applications/${view.id}/certificates/${kind}`);
      expect(download.statusCode).toBe(200);
      expect(download.headers['content-type']).toBe('application/pkix-cert');
      const file = writeTemp(dir, `${view.id}-${kind}.cer`, download.rawPayload);
      const verified = await openssl(['verify', '-x509_strict', ...chainArgs, '-purpose', kind === 'auth' ? 'sslclient' : 'smimesign', file]);
      expect(verified.stderr).toBe('');
      expect(verified.code).toBe(0);
      const text = (await openssl(['x509', '-inform', 'DER', '-in', file, '-noout', '-text'])).stdout;
      expect(text).toContain(`serialNumber = IIN${person.iin}`);
      expect(text).toContain('1.2.398.3.3.4.3.2'); // remote proofing
    }
    const pem = await app.inject(`/v1/pki/applications/${view.id}/certificates/sign?format=pem`);
    expect(pem.body).toMatch(/^-----BEGIN CERTIFICATE-----\n/);

    const { database } = await getTestDatabase();
    const rows = await database.db.selectFrom('certificates').select(['pair_id', 'application_id', 'subject_iin']).where('application_id', '=', view.id).execute();
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.pair_id))).toEqual(new Set([view.pairId]));
  });

  it('refuses an employee pair for an organization that is not enrolled, without proof of headship (employee pairs come from an authorization: employee-applications.db.test.ts; heads: head-enrolment.db.test.ts)', async () => {
    useProofing(new AutomaticProofing());
    const employee = buildEmployee();
    const res = await submit(employee);
    problem(res, 404, 'ORG_NOT_ENROLLED');
    const { database } = await getTestDatabase();
    expect(await database.db.selectFrom('certificates').select('serial').where('subject_iin', '=', employee.iin).execute()).toEqual([]);
  });

  it('by default waits for an operator, who approves (in person) once', async () => {
    useProofing(new OperatorReviewProofing());
    const person = buildPerson();
    const res = await submit(person);
    expect(res.statusCode).toBe(201);
    const { id } = res.json();
    expect(res.json()).toMatchObject({ status: 'pending_review', certificates: [] });
    problem(await app.inject(`/v1/pki/applications/${id}/certificates/auth`), 409, 'APPLICATION_NOT_ISSUED');

    problem(await app.inject('/v1/pki/review-queue'), 401, 'AUTH_REQUIRED');
    const { database } = await getTestDatabase();
    const registryToken = await buildOperatorToken(database.db, 'registry-operator');
    problem(await app.inject({ url: '/v1/pki/review-queue', headers: { authorization: `Bearer ${registryToken}` } }), 403, 'AUTH_FORBIDDEN');
    const queue = await app.inject({ url: '/v1/pki/review-queue?limit=500', headers: operator() });
    expect(queue.json().items).toContainEqual(expect.objectContaining({ id, iin: person.iin, idDocumentNumber: '045123456', surname: person.surname }));

    const approved = await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/approve`, headers: operator(), payload: { proofingMethod: 'in-person' } });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'issued', proofingMethod: 'in-person' });
    const download = await app.inject(`/v1/pki/applications/${id}/certificates/auth`);
    const text = (await openssl(['x509', '-inform', 'DER', '-in', writeTemp(dir, `${id}.cer`, download.rawPayload), '-noout', '-text'])).stdout;
    expect(text).toContain('1.2.398.3.3.4.3.1'); // in-person proofing

    problem(await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/approve`, headers: operator(), payload: {} }), 409, 'APPLICATION_NOT_PENDING');
    const after = await app.inject({ url: '/v1/pki/review-queue?limit=500', headers: operator() });
    expect(after.json().items.map((i: { id: string }) => i.id)).not.toContain(id);
  });

  it('two operators approving at once issue one pair, not two', async () => {
    useProofing(new OperatorReviewProofing());
    const { id, captureSecret } = (await submit()).json();
    await giveCapture(app, id, captureSecret);
    const approve = () => app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/approve`, headers: operator() }); // no body at all: every field is optional
    const answers = await Promise.all([approve(), approve()]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    const { database } = await getTestDatabase();
    const rows = await database.db.selectFrom('certificates').select('serial').where('application_id', '=', id).execute();
    expect(rows).toHaveLength(2);
  });

  it('an operator rejects with a reason the applicant sees', async () => {
    useProofing(new OperatorReviewProofing());
    const { id } = (await submit()).json();
    problem(await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/reject`, headers: operator(), payload: {} }), 400, 'VALIDATION_FAILED');
    const rejected = await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/reject`, headers: operator(), payload: { reason: 'The ID document photo does not match' } });
    expect(rejected.json()).toMatchObject({ status: 'rejected', decisionReason: 'The ID document photo does not match' });
    problem(await app.inject({ method: 'POST', url: `/v1/pki/applications/${id}/approve`, headers: operator(), payload: {} }), 409, 'APPLICATION_NOT_PENDING');
  });

  it('an IIN in a published breach always goes to review, even with automatic proofing', async () => {
    useProofing(new AutomaticProofing());
    const person = buildPerson();
    const breach = await app.registry.createBreach(buildBreach());
    await app.registry.importAffected(breach.id, 'csv', [`iin\n${person.iin}\n`]);
    await app.registry.publishBreach(breach.id);

    const res = await submit(person);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'pending_review', reviewReason: expect.stringContaining(breach.id) });
    // A person in no breach is still issued at once.
    expect((await submit()).json().status).toBe('issued');
  });

  it('accepts a CSR made by the real openssl req', async () => {
    useProofing(new AutomaticProofing());
    const person = buildPerson();
    const subject = `/CN=${person.surname.toUpperCase()} ${person.givenName.toUpperCase()}/serialNumber=IIN${person.iin}/C=KZ`;
    const csr = async (name: string) => {
      const key = `${dir}/${name}.key`;
      await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
      const out = `${dir}/${name}.csr`;
      const made = await openssl(['req', '-new', '-key', key, '-subj', subject, '-utf8', '-sha256', '-out', out]);
      expect(made.code).toBe(0);
      return (await import('node:fs')).readFileSync(out, 'utf8');
    };
    const body = { ...applicationBody(person, { authCsr: Buffer.alloc(0), signCsr: Buffer.alloc(0) }), authCsr: await csr(`${person.iin}-a`), signCsr: await csr(`${person.iin}-s`) };
    const res = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: body });
    expect(res.json()).toMatchObject({ status: 'issued' });
  });
});

describe('bad input gets a clear 4xx, never a 500', () => {
  it('malformed and truncated CSRs are 400 CSR_MALFORMED', async () => {
    const person = buildPerson();
    const csrs = await buildCsrPair(person);
    const post = (overrides: Record<string, unknown>) => app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, csrs, overrides) });
    problem(await post({ authCsr: 'this is not a certificate request!!' }), 400, 'CSR_MALFORMED');
    problem(await post({ authCsr: csrs.authCsr.subarray(0, csrs.authCsr.length - 10).toString('base64') }), 400, 'CSR_MALFORMED');
    problem(await post({ signCsr: Buffer.concat([csrs.signCsr, Buffer.from([0, 0])]).toString('base64') }), 400, 'CSR_MALFORMED');
    problem(await post({ signCsr: Buffer.from('3003020100', 'hex').toString('base64') + 'AAAAAAAAAAAAAAAA' }), 400, 'CSR_MALFORMED');
    problem(await post({ authCsr: undefined }), 400, 'VALIDATION_FAILED');
  });

  it('a CSR whose signature does not verify is 422 CSR_SIGNATURE_INVALID', async () => {
    const person = buildPerson();
    const csrs = await buildCsrPair(person);
    const tampered = Buffer.from(csrs.authCsr);
    tampered[tampered.length - 5] ^= 0x01; // inside the signature value
    const res = await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, { ...csrs, authCsr: tampered }) });
    problem(res, 422, 'CSR_SIGNATURE_INVALID');
  });

  it("a CSR for another IIN, or the same key twice, is refused", async () => {
    const person = buildPerson();
    const other = await buildCsrPair(buildPerson());
    const csrs = await buildCsrPair(person);
    problem(await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, { ...csrs, signCsr: other.signCsr }) }), 422, 'CSR_SUBJECT_MISMATCH');
    problem(await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, { ...csrs, signCsr: csrs.authCsr }) }), 422, 'CSR_SAME_KEY');
  });

  it('an application with a wrong IIN check digit is 400, a bad BIN for an employee too', async () => {
    const person = buildPerson();
    const csrs = await buildCsrPair(person);
    const wrong = person.iin.slice(0, 11) + String((Number(person.iin[11]) + 1) % 10);
    problem(await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, csrs, { iin: wrong }) }), 400, 'IIN_INVALID_CHECKSUM');
    problem(
      await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, csrs, { holder: 'employee', organization: 'X', bin: '940140000386' }) }),
      400,
      'BIN_INVALID_CHECKSUM',
    );
    problem(await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, csrs, { idDocumentNumber: '№ 1' }) }), 400, 'ID_DOCUMENT_FORMAT');
    problem(await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, csrs, { surname: 'Қ'.repeat(50), givenName: 'Ә'.repeat(20) }) }), 422, 'NAME_TOO_LONG');
    problem(await app.inject({ method: 'POST', url: '/v1/pki/applications', payload: applicationBody(person, csrs, { givenName: '   ' }) }), 400, 'NAME_REQUIRED');
  });

  it('unknown applications are 404', async () => {
    problem(await app.inject('/v1/pki/applications/00000000-0000-4000-8000-000000000000'), 404, 'APPLICATION_NOT_FOUND');
    problem(await app.inject('/v1/pki/applications/not-a-uuid/certificates/auth'), 404, 'APPLICATION_NOT_FOUND');
    problem(await app.inject({ method: 'POST', url: '/v1/pki/applications/00000000-0000-4000-8000-000000000000/approve', headers: operator(), payload: {} }), 404, 'APPLICATION_NOT_FOUND');
    problem(await app.inject('/v1/pki/applications/x/certificates/other'), 400, 'VALIDATION_FAILED');
  });
});

describe('CA certificates', () => {
  it('serves each CA certificate as DER (application/pkix-cert) and PEM', async () => {
    const hierarchy = await getTestHierarchy();
    for (const entity of [hierarchy.root, hierarchy.issuing, hierarchy.ocspSigner, hierarchy.tsa]) {
      const res = await app.inject(`/pki/ca/${entity.name}.cer`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/pkix-cert');
      expect(res.rawPayload.equals(entity.der)).toBe(true);
    }
    const pem = await app.inject('/pki/ca/root.pem');
    expect(pem.body).toBe(toPem(hierarchy.root.der));
    problem(await app.inject('/pki/ca/nobody.cer'), 404, 'CA_NOT_FOUND');
    problem(await app.inject('/pki/ca/root.exe'), 400, 'VALIDATION_FAILED');
    expect(buildIin()).toMatch(/^\d{12}$/);
  });
});

describe('the hierarchy in the certificates table', () => {
  it('records the issuing CA, OCSP signer and TSA certificates once, however often the app starts', async () => {
    const hierarchy = await getTestHierarchy();
    const again = await buildTestApp();
    await again.close();
    const { database } = await getTestDatabase();
    const rows = await database.db
      .selectFrom('certificates')
      .select(['issuer', 'profile', 'der'])
      .where('profile', 'in', ['issuing-ca', 'ocsp-signer', 'tsa'])
      .where((eb) => eb.or([hierarchy.issuing, hierarchy.ocspSigner, hierarchy.tsa].map((e) => eb('der', '=', e.der))))
      .orderBy('profile')
      .execute();
    expect(rows.map((r) => `${r.issuer}/${r.profile}`)).toEqual(['root/issuing-ca', 'issuing/ocsp-signer', 'issuing/tsa']);
  });

  it('documents every route in the OpenAPI description', async () => {
    const res = await app.inject('/docs/json');
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/v1/pki/applications', '/v1/pki/applications/{id}', '/v1/pki/review-queue', '/pki/ca/{file}']));
  });
});
