import { describe, expect, it } from 'vitest';
import { getTestDatabase } from '../../../../test/helpers/test-database.js';
import { buildTestHierarchy, insertTestCertificate, openssl, pem, tempDir, writeTemp } from '../../../../test/helpers/revocation-fixtures.js';
import { CertificateStatusReader } from './certificate-status.js';
import { revokeCertificates } from './certificate-revoker.js';
import { OcspResponder } from './ocsp-responder.js';
import { PresignedOcsp } from './ocsp-presigned.js';

const HOUR = 3_600_000;

describe('pre-signed OCSP answers: the signing pass', () => {
  it('signs an answer for every certificate ahead of need, none again while fresh, all again at half their validity, and a revoked one at once', async () => {
    const { database } = await getTestDatabase();
    const h = await buildTestHierarchy();
    const certs: Awaited<ReturnType<typeof insertTestCertificate>>[] = [];
    for (let i = 0; i < 3; i++) certs.push(await insertTestCertificate(database.db, h));
    let now = Date.now();
    const responder = await OcspResponder.create({ issuer: h.issuing, signer: h.ocspSigner, status: new CertificateStatusReader(database.db) });
    const presigned = new PresignedOcsp({ db: database.db, readDb: database.readDb, kind: database.kind, issuer: h.issuing.name, responder, validityMs: 24 * HOUR, clock: () => now });

    expect(await presigned.produce()).toBe(3);
    const stored = () => database.db.selectFrom('ocsp_responses').selectAll().where('issuer', '=', h.issuing.name).orderBy('serial').execute();
    const first = await stored();
    expect(first.map((r) => r.serial)).toEqual(certs.map((c) => c.serial).sort());
    for (const row of first) expect(new Date(row.next_update).getTime() - new Date(row.this_update).getTime()).toBe(24 * HOUR);
    expect(await presigned.produce(), 'fresh answers are left alone').toBe(0);

    // What is stored is what is served, and openssl accepts it.
    const answer = await presigned.answerFor(certs[0].serial, { revokedAt: null, reason: null });
    const dir = tempDir();
    const checked = await openssl([
      'ocsp', '-respin', writeTemp(dir, 'answer.der', answer.der), '-issuer', writeTemp(dir, 'issuing.pem', pem('CERTIFICATE', h.issuing.der)),
      '-cert', writeTemp(dir, 'cert.pem', pem('CERTIFICATE', certs[0].der)), '-CAfile', writeTemp(dir, 'chain.pem', pem('CERTIFICATE', h.root.der) + pem('CERTIFICATE', h.issuing.der)), '-no_nonce',
    ]);
    expect(checked.stderr).toContain('Response verify OK');
    expect(checked.stdout).toContain(': good');

    now += 13 * HOUR;
    expect(await presigned.produce(), 'less than half the validity left: all re-signed').toBe(3);
    const second = await stored();
    for (const [i, row] of second.entries()) expect(new Date(row.this_update).getTime()).toBeGreaterThan(new Date(first[i].this_update).getTime());

    // A revocation drops the stored answer in its transaction; the next pass (or request) signs the revoked one.
    await revokeCertificates(database.db, { issuer: h.issuing.name, serials: [certs[1].serial], reason: 'superseded', actor: 'test' });
    expect((await stored()).map((r) => r.serial)).not.toContain(certs[1].serial);
    expect(await presigned.produce()).toBe(1);
    const revoked = (await stored()).find((r) => r.serial === certs[1].serial)!;
    expect(revoked.revoked_at).not.toBeNull();
    expect(revoked.revocation_reason).toBe('superseded');
  });

  it('never serves an answer stating another status than the one asked with: it signs the current one instead', async () => {
    const { database } = await getTestDatabase();
    const h = await buildTestHierarchy();
    const cert = await insertTestCertificate(database.db, h);
    const responder = await OcspResponder.create({ issuer: h.issuing, signer: h.ocspSigner, status: new CertificateStatusReader(database.db) });
    const presigned = new PresignedOcsp({ db: database.db, readDb: database.readDb, kind: database.kind, issuer: h.issuing.name, responder, validityMs: 24 * HOUR });
    const good = await presigned.answerFor(cert.serial, { revokedAt: null, reason: null });
    const revokedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const revoked = await presigned.answerFor(cert.serial, { revokedAt, reason: 'keyCompromise' });
    expect(revoked.der.equals(good.der)).toBe(false);
    expect(revoked.revokedAt).toBe(revokedAt.getTime());
    // Two processes asking at once for the same answer serve the same bytes.
    const other = new PresignedOcsp({ db: database.db, readDb: database.readDb, kind: database.kind, issuer: h.issuing.name, responder, validityMs: 24 * HOUR });
    const fromOther = await other.answerFor(cert.serial, { revokedAt, reason: 'keyCompromise' });
    expect(fromOther.der.equals(revoked.der)).toBe(true);
  });
});
