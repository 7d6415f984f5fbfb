import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../db/database.js';
import { migrateToLatest } from '../../../db/migrate.js';
import { buildApp } from '../../../http/app.js';
import { buildTestApp, testConfig } from '../../../../test/helpers/test-database.js';
import { buildPerson, buildSubjectKey } from '../../../../test/helpers/pki-factories.js';
import { pemOf } from '../../../../test/helpers/pkix-builder.js';
import { CertificateIssuer, initCa, loadCaHierarchy, revokeCertificates, type CaHierarchy } from '../../ca/index.js';
import type { PathValidationReport } from './path-validator.js';

/**
 * A relying party (this app) validates certificates of a foreign CA: a second Qorgau instance
 * listening on loopback with its own CA and database, whose CRL distribution point and OCSP
 * responder the certificates name.
 */
describe('POST /v1/certificates/verify against a foreign CA on loopback', () => {
  let foreign: FastifyInstance;
  let foreignDb: Database;
  let foreignPki: CaHierarchy;
  let relyingParty: FastifyInstance;
  let foreignUrl: string;

  async function issueForeign() {
    const person = buildPerson();
    const authKey = buildSubjectKey();
    const signKey = buildSubjectKey();
    return new CertificateIssuer(foreignDb.db, foreignPki, foreignUrl).issuePair({ holder: 'individual', person, authKey: authKey.spki, signKey: signKey.spki, proofing: 'remote' });
  }

  const verify = async (payload: Record<string, unknown>) => {
    const response = await relyingParty.inject({ method: 'POST', url: '/v1/certificates/verify', payload });
    return { status: response.statusCode, body: response.json() as PathValidationReport & { code?: string; detail?: string } };
  };

  beforeAll(async () => {
    const port = 18800 + Math.floor(Math.random() * 100);
    foreignUrl = `http://127.0.0.1:${port}`;
    const caDir = path.join(mkdtempSync(path.join(tmpdir(), 'pathval-foreign-')), 'pki');
    const passphrase = randomBytes(18).toString('base64url');
    await initCa({ dir: caDir, passphrase, publicUrl: foreignUrl });
    foreignPki = await loadCaHierarchy(caDir, passphrase);
    foreignDb = await openDatabase({ inMemory: true });
    await migrateToLatest(foreignDb.db);
    foreign = await buildApp({ config: { ...testConfig(), publicUrl: foreignUrl, port }, database: foreignDb, logger: false, pki: foreignPki });
    await foreign.listen({ port, host: '127.0.0.1' });

    // The relying party trusts the foreign root through its trust folder, nothing else.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pathval-rp-'));
    mkdirSync(path.join(dataDir, 'pki', 'trust'), { recursive: true });
    writeFileSync(path.join(dataDir, 'pki', 'trust', 'foreign-root.pem'), pemOf(foreignPki.root.der));
    relyingParty = await buildTestApp({ dataDir });
    // A second embedded database takes long to start on a busy machine.
  }, 240_000);

  afterAll(async () => {
    await relyingParty?.close();
    await foreign?.close();
    await foreignDb?.close();
  });

  it('answers valid from the foreign OCSP responder and CRLs, invalid once revoked there, indeterminate when it cannot be reached', async () => {
    const chain = [pemOf(foreignPki.issuing.der)];
    const good = await issueForeign();
    const first = await verify({ certificate: pemOf(good.sign.der), chain });
    expect(first.status).toBe(200);
    expect(first.body.result, JSON.stringify(first.body.decidedBy)).toBe('valid');
    expect(first.body.path.map((p) => p.subject)).toHaveLength(3);
    expect(first.body.checks.filter((c) => c.check === 'revocation').map((c) => c.reason).join(' ')).toContain(foreignUrl);

    const revoked = await issueForeign();
    await revokeCertificates(foreignDb.db, { issuer: 'issuing', serials: [revoked.sign.serial], reason: 'keyCompromise', includePair: false, actor: 'test' });
    const second = await verify({ certificate: pemOf(revoked.sign.der), chain });
    expect(second.body).toMatchObject({ result: 'invalid', decidedBy: { check: 'revocation', code: 'REVOKED' } });
    expect(second.body.decidedBy.reason).toContain('keyCompromise');

    await foreign.close();
    const unreachable = await issueForeign();
    const third = await verify({ certificate: pemOf(unreachable.sign.der), chain });
    expect(third.body.result).toBe('indeterminate');
    expect(third.body.decidedBy.code).toMatch(/REVOCATION_UNKNOWN/);
    expect(third.body.decidedBy.reason).toMatch(/cannot be reached|did not answer/);
  }, 60_000);

  it('refuses input that is not a certificate with a 400 problem, and says what to send', async () => {
    const response = await verify({ certificate: 'bm90IGEgY2VydGlmaWNhdGU=' });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('CERTIFICATE_MALFORMED');
    expect(response.body.detail).toContain('PEM');
    const notBase64 = await verify({ certificate: '%%%' });
    expect(notBase64.status).toBe(400);
  });
});
