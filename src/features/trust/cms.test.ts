import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { buildTestHierarchy, caExtensions, issuePerson, issueTestCertificate, privateKeyPkcs8, tempDir, toPem, writeTemp, type TestPerson } from '../../../test/helpers/cms-fixtures.js';
import { openssl } from '../../../test/helpers/openssl.js';
import { AppError } from '../../errors/app-error.js';
import { kz_role_employee, kz_role_hr, kz_role_legalEntity } from '../../pkix/oids.js';
import { TimeStampAuthority } from '../ca/index.js';
import { parseTimeStampResponse, buildTimeStampRequest } from '../../pkix/time-stamp-protocol.js';
import { createHash } from 'node:crypto';
import { CertificateInfo } from '../../pkix/certificate.js';
import { RevocationChecker, type RevocationAnswer, type RevocationStatusSource } from './revocation-status.js';
import { signCms } from '../../client/sign.js';
import { SignatureVerifier, type VerificationReport } from './signature-verifier.js';
import { TrustStore } from './trust-anchors.js';

/** Revocation answers set per test: serial -> answer; anything else good. */
class ScriptedRevocation implements RevocationStatusSource {
  readonly answers = new Map<string, RevocationAnswer>();
  async check({ certificate }: { certificate: CertificateInfo }): Promise<RevocationAnswer> {
    return this.answers.get(certificate.serialHex) ?? { status: 'good', source: 'test', detail: 'not revoked' };
  }
}

const checkOf = (report: VerificationReport, name: string) => report.signers[0].checks.find((c) => c.check === name);

async function expectAppError(promise: Promise<unknown>, code: string) {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  expect((err as AppError).kind).toBe('malformed');
}

describe('CMS signing and verification', () => {
  let hierarchy: Awaited<ReturnType<typeof buildTestHierarchy>>;
  let person: TestPerson;
  let revocation: ScriptedRevocation;
  let verifier: SignatureVerifier;
  let tsa: TimeStampAuthority;
  let dir: string;
  let chainFile: string;

  const timeStamp = async (signature: Buffer) => {
    const answer = await tsa.respond(buildTimeStampRequest({ hashedMessage: createHash('sha256').update(signature).digest(), certReq: true }));
    return parseTimeStampResponse(answer.response).token!;
  };

  beforeAll(async () => {
    hierarchy = await buildTestHierarchy();
    person = await issuePerson(hierarchy.issuing, { patronymic: 'СЕРІКҚЫЗЫ' });
    revocation = new ScriptedRevocation();
    const trust = new TrustStore().addAnchor(CertificateInfo.parse(hierarchy.root.der), 'Qorgau test root');
    verifier = new SignatureVerifier(trust, new RevocationChecker([revocation]));
    tsa = new TimeStampAuthority(hierarchy.tsa);
    dir = tempDir();
    chainFile = writeTemp(dir, 'chain.pem', toPem(hierarchy.root.der) + toPem(hierarchy.issuing.der));
  });

  const sign = (content: Buffer, options: { detached?: boolean; signingTime?: Date; stamped?: boolean; who?: TestPerson } = {}) =>
    signCms({
      content,
      signer: (options.who ?? person).sign.signer,
      certificate: (options.who ?? person).sign.der,
      chain: [hierarchy.issuing.der],
      detached: options.detached,
      signingTime: options.signingTime,
      timeStamp: options.stamped ? timeStamp : undefined,
    });

  it('openssl cms -verify accepts our attached signature and gives back the content', async () => {
    const content = Buffer.from(`Өтініш: кредиттен бас тарту ${Math.random()}`);
    const file = writeTemp(dir, 'attached.p7s', await sign(content));
    const out = `${dir}/attached.out`;
    const result = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', file, '-CAfile', chainFile, '-out', out]);
    expect(result.stderr).toContain('Verification successful');
    expect(readFileSync(out).equals(content)).toBe(true);
  });

  it('openssl cms -verify accepts our detached signature with the data, and refuses other data', async () => {
    const content = Buffer.from(`detached ${Math.random()}`);
    const file = writeTemp(dir, 'detached.p7s', await sign(content, { detached: true }));
    const data = writeTemp(dir, 'detached.txt', content);
    const ok = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', file, '-content', data, '-CAfile', chainFile, '-out', '/dev/null']);
    expect(ok.stderr).toContain('Verification successful');
    const other = writeTemp(dir, 'other.txt', 'not what was signed');
    const bad = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', file, '-content', other, '-CAfile', chainFile, '-out', '/dev/null']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).not.toContain('Verification successful');
  });

  it('openssl accepts a time-stamped signature and prints our signing-certificate-v2 attribute', async () => {
    const file = writeTemp(dir, 'stamped.p7s', await sign(Buffer.from('stamped'), { stamped: true }));
    const ok = openssl(['cms', '-verify', '-binary', '-inform', 'DER', '-in', file, '-CAfile', chainFile, '-out', '/dev/null']);
    expect(ok.stderr).toContain('Verification successful');
    const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file]).stdout;
    expect(printed).toContain('id-smime-aa-signingCertificateV2');
    expect(printed).toContain('id-smime-aa-timeStampToken');
    expect(printed).toContain('signingTime');
  });

  it('verifies our signature: valid, with the signer read from the SIGN certificate', async () => {
    const report = await verifier.verify(await sign(Buffer.from('lift my restriction')));
    expect(report.result).toBe('valid');
    expect(report.detached).toBe(false);
    const [signer] = report.signers;
    expect(signer.checks.map((c) => [c.check, c.status])).toEqual([
      ['signature', 'passed'],
      ['signing-time', 'passed'],
      ['certificate-validity', 'passed'],
      ['key-usage', 'passed'],
      ['chain', 'passed'],
      ['revocation', 'passed'],
    ]);
    expect(signer.signedAt.source).toBe('signing-time');
    expect(signer.signer).toMatchObject({
      iin: { value: person.iin, valid: true },
      surname: 'ТЕСТОВА',
      givenName: 'АЙГЕРІМ',
      patronymic: 'СЕРІКҚЫЗЫ',
      roles: ['individual'],
      purpose: 'SIGN',
    });
  });

  it('prefers a valid time-stamp token to the signing-time attribute', async () => {
    const report = await verifier.verify(await sign(Buffer.from('stamped'), { stamped: true, signingTime: new Date('2020-01-01T00:00:00Z') }));
    expect(report.result).toBe('valid');
    expect(report.signers[0].signedAt.source).toBe('time-stamp');
    expect(Math.abs(new Date(report.signers[0].signedAt.time).getTime() - Date.now())).toBeLessThan(60_000);
    expect(checkOf(report, 'signing-time')).toMatchObject({ status: 'passed', code: 'TIME_STAMP_VALID' });
    expect(report.signers[0].timeStamp?.tsa).toBe(hierarchy.tsa.certificate.subject);
  });

  it('a claimed signing time outside the certificate validity is invalid', async () => {
    const report = await verifier.verify(await sign(Buffer.from('backdated'), { signingTime: new Date('2001-01-01T00:00:00Z') }));
    expect(report.result).toBe('invalid');
    expect(checkOf(report, 'certificate-validity')).toMatchObject({ status: 'failed', code: 'CERTIFICATE_NOT_YET_VALID' });
  });

  it('detached: valid with the data, invalid with other data, 400 without data', async () => {
    const content = Buffer.from('detached document');
    const cms = await sign(content, { detached: true });
    const good = await verifier.verify(cms, { detachedContent: content });
    expect(good.result).toBe('valid');
    expect(good.detached).toBe(true);
    const bad = await verifier.verify(cms, { detachedContent: Buffer.from('detached documenT') });
    expect(bad.result).toBe('invalid');
    expect(checkOf(bad, 'signature')).toMatchObject({ status: 'failed', code: 'MESSAGE_DIGEST_MISMATCH' });
    await expectAppError(verifier.verify(cms), 'CMS_DETACHED_DATA_REQUIRED');
  });

  it('accepts CMS made by openssl cms -sign (attached and detached, ECDSA and RSA)', async () => {
    const rsaPerson = await issuePerson(hierarchy.issuing, { algorithm: 'RSA-2048' });
    for (const who of [person, rsaPerson]) {
      const cert = writeTemp(dir, `signer-${who.iin}.pem`, toPem(who.sign.der));
      const key = writeTemp(dir, `signer-${who.iin}.key`, toPem(await privateKeyPkcs8(who.sign.keys), 'PRIVATE KEY'));
      const content = Buffer.from(`signed by openssl ${who.iin}`);
      const data = writeTemp(dir, `openssl-${who.iin}.txt`, content);
      for (const mode of ['-nodetach', 'detached'] as const) {
        const out = `${dir}/openssl-${who.iin}${mode}.p7s`;
        const made = openssl(['cms', '-sign', '-binary', '-md', 'sha256', ...(mode === '-nodetach' ? [mode] : []), '-outform', 'DER', '-in', data, '-signer', cert, '-inkey', key, '-certfile', writeTemp(dir, 'issuing.pem', toPem(hierarchy.issuing.der)), '-out', out]);
        expect(made.status, made.stderr).toBe(0);
        const report = await verifier.verify(readFileSync(out), mode === 'detached' ? { detachedContent: content } : {});
        expect(report.result, JSON.stringify(report.signers[0].checks)).toBe('valid');
        expect(report.signers[0].signer?.iin?.value).toBe(who.iin);
        expect(report.signers[0].signedAt.source).toBe('signing-time');
      }
    }
  });

  it('a chain to no trusted anchor is indeterminate', async () => {
    const stranger = await buildTestHierarchy();
    const other = await issuePerson(stranger.issuing);
    const report = await verifier.verify(await signCms({ content: Buffer.from('x'), signer: other.sign.signer, certificate: other.sign.der, chain: [stranger.issuing.der] }));
    expect(report.result).toBe('indeterminate');
    expect(checkOf(report, 'chain')).toMatchObject({ status: 'unknown', code: 'NO_TRUSTED_CHAIN' });
    expect(checkOf(report, 'signature')?.status).toBe('passed');
  });

  it('a certificate signed with a forged issuer name breaks the chain (invalid)', async () => {
    const impostor = await buildTestHierarchy();
    // The trusted issuing CA's name and key identifier, but the impostor's private key signs.
    const fakeIssuing = { ...impostor.issuing, certificate: hierarchy.issuing.certificate, keys: { privateKey: impostor.issuing.keys.privateKey, publicKey: hierarchy.issuing.keys.publicKey } };
    const victim = await issuePerson(fakeIssuing);
    const report = await verifier.verify(await signCms({ content: Buffer.from('x'), signer: victim.sign.signer, certificate: victim.sign.der, chain: [hierarchy.issuing.der] }));
    expect(report.result).toBe('invalid');
    expect(checkOf(report, 'chain')).toMatchObject({ status: 'failed', code: 'CHAIN_SIGNATURE_INVALID' });
  });

  it('revocation: revoked before the time-stamp is invalid; revoked after it stays valid; on hold is indeterminate', async () => {
    const who = await issuePerson(hierarchy.issuing);
    const serial = CertificateInfo.parse(who.sign.der).serialHex;
    const stamped = await sign(Buffer.from('signed before the key was lost'), { stamped: true, who });

    revocation.answers.set(serial, { status: 'revoked', revokedAt: new Date(Date.now() - 3_600_000), reason: 'keyCompromise', source: 'test', detail: 'revoked an hour ago' });
    const revoked = await verifier.verify(stamped);
    expect(revoked.result).toBe('invalid');
    expect(checkOf(revoked, 'revocation')).toMatchObject({ status: 'failed', code: 'REVOKED' });

    revocation.answers.set(serial, { status: 'on-hold', source: 'test', detail: 'on hold' });
    expect((await verifier.verify(stamped)).result).toBe('indeterminate');

    revocation.answers.set(serial, { status: 'good', source: 'test', detail: 'revoked only later' });
    expect((await verifier.verify(stamped)).result).toBe('valid');
    revocation.answers.delete(serial);
  });

  it('reads an employee: organization, BIN and roles from the EKU; AUTH told from SIGN', async () => {
    const employee = await issuePerson(hierarchy.issuing, {
      organization: { name: 'ТОО Qorgau Test', bin: '940140000385' },
      roles: [kz_role_legalEntity, kz_role_employee, kz_role_hr],
    });
    const auth = await verifier.verify(await signCms({ content: Buffer.from('challenge'), signer: employee.auth.signer, certificate: employee.auth.der, chain: [hierarchy.issuing.der] }));
    expect(auth.result).toBe('valid');
    expect(auth.signers[0].signer).toMatchObject({
      organization: { name: 'ТОО Qorgau Test', bin: { value: '940140000385', valid: true } },
      roles: ['legal-entity-employee', 'employee', 'hr'],
      purpose: 'AUTH',
    });
    expect(auth.signers[0].certificate?.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
  });

  it.each([
    ['empty', Buffer.alloc(0), 'CMS_MALFORMED'],
    ['not DER', Buffer.from('this is not a CMS'), 'CMS_MALFORMED'],
    ['a certificate, not CMS', undefined, 'CMS_NOT_SIGNED_DATA'],
  ] as const)('refuses input that is %s', async (_label, input, code) => {
    await expectAppError(verifier.verify(input ?? person.sign.der), code);
  });

  it('refuses every truncation of a CMS with CMS_MALFORMED, never another error', async () => {
    const cms = await sign(Buffer.from('truncate me'), { stamped: true });
    for (const length of [1, 2, 10, 100, Math.floor(cms.length / 2), cms.length - 1]) {
      await expectAppError(verifier.verify(cms.subarray(0, length)), 'CMS_MALFORMED');
    }
  });

  it('a flipped bit in the signature is invalid, not an error', async () => {
    const cms = Buffer.from(await sign(Buffer.from('flip')));
    // The signature OCTET STRING is the last element: flip a byte near the end.
    cms[cms.length - 5] ^= 0x01;
    const report = await verifier.verify(cms);
    expect(report.result).toBe('invalid');
    expect(checkOf(report, 'signature')).toMatchObject({ status: 'failed', code: 'SIGNATURE_INVALID' });
  });

  it('a signing-time in the future is invalid', async () => {
    const report = await verifier.verify(await sign(Buffer.from('from the future'), { signingTime: new Date(Date.now() + 86_400_000) }));
    expect(report.result).toBe('invalid');
    expect(checkOf(report, 'signing-time')).toMatchObject({ status: 'failed', code: 'SIGNING_TIME_IN_FUTURE' });
  });

  it('a time-stamp token made for another signature is invalid', async () => {
    const cms = await signCms({
      content: Buffer.from('x'),
      signer: person.sign.signer,
      certificate: person.sign.der,
      chain: [hierarchy.issuing.der],
      timeStamp: () => timeStamp(Buffer.from('some other signature value')),
    });
    const report = await verifier.verify(cms);
    expect(report.result).toBe('invalid');
    expect(checkOf(report, 'signing-time')).toMatchObject({ status: 'failed', code: 'TIME_STAMP_INVALID' });
    expect(report.signers[0].signedAt.source).toBe('signing-time');
  });

  it('verifies every signer of a CMS signed twice by openssl', async () => {
    const other = await issuePerson(hierarchy.issuing);
    const args: string[] = [];
    for (const who of [person, other]) {
      args.push('-signer', writeTemp(dir, `two-${who.iin}.pem`, toPem(who.sign.der)), '-inkey', writeTemp(dir, `two-${who.iin}.key`, toPem(await privateKeyPkcs8(who.sign.keys), 'PRIVATE KEY')));
    }
    const out = `${dir}/two.p7s`;
    const made = openssl(['cms', '-sign', '-binary', '-md', 'sha256', '-nodetach', '-outform', 'DER', '-in', writeTemp(dir, 'two.txt', 'co-signed'), ...args, '-certfile', writeTemp(dir, 'two-issuing.pem', toPem(hierarchy.issuing.der)), '-out', out]);
    expect(made.status, made.stderr).toBe(0);
    const report = await verifier.verify(readFileSync(out));
    expect(report.result).toBe('valid');
    expect(report.signers.map((s) => s.signer?.iin?.value).sort()).toEqual([person.iin, other.iin].sort());

    revocation.answers.set(CertificateInfo.parse(other.sign.der).serialHex, { status: 'revoked', revokedAt: new Date(0), source: 'test', detail: 'revoked' });
    const oneRevoked = await verifier.verify(readFileSync(out));
    expect(oneRevoked.result).toBe('invalid');
    expect(oneRevoked.signers.map((s) => s.result).sort()).toEqual(['invalid', 'valid']);
  });

  it('a signer key Node cannot load (as a GOST key) is reported, not thrown', async () => {
    const cert = writeTemp(dir, 'gost-signer.pem', toPem(person.sign.der));
    const key = writeTemp(dir, 'gost-signer.key', toPem(await privateKeyPkcs8(person.sign.keys), 'PRIVATE KEY'));
    const out = `${dir}/gost.p7s`;
    expect(openssl(['cms', '-sign', '-binary', '-md', 'sha256', '-nodetach', '-outform', 'DER', '-in', writeTemp(dir, 'gost.txt', 'x'), '-signer', cert, '-inkey', key, '-out', out]).status).toBe(0);
    // id-ecPublicKey -> 1.2.643.7.1.1.1 (the GOST 2012 arc), same length, so the DER stays well formed.
    const ecPublicKey = Buffer.from('06072a8648ce3d0201', 'hex');
    const gost = Buffer.from('06072a850307010101', 'hex');
    const bytes = readFileSync(out);
    const at = bytes.indexOf(ecPublicKey);
    expect(at).toBeGreaterThan(0);
    gost.copy(bytes, at);
    const report = await verifier.verify(bytes);
    expect(checkOf(report, 'signature')).toMatchObject({ status: 'unknown', code: 'SIGNATURE_ALGORITHM_UNSUPPORTED' });
    expect(report.result).not.toBe('valid');
  });

  it.each([
    ['no signed attributes (-noattr)', ['-noattr'], 'NO_SIGNING_TIME'],
    ['the signer named by subjectKeyIdentifier (-keyid)', ['-keyid'], 'SIGNING_TIME_CLAIMED'],
  ])('accepts openssl CMS with %s', async (_label, flags, timeCode) => {
    const cert = writeTemp(dir, 'variant-signer.pem', toPem(person.sign.der));
    const key = writeTemp(dir, 'variant-signer.key', toPem(await privateKeyPkcs8(person.sign.keys), 'PRIVATE KEY'));
    const out = `${dir}/variant${flags[0]}.p7s`;
    const made = openssl(['cms', '-sign', '-binary', '-md', 'sha256', '-nodetach', ...flags, '-outform', 'DER', '-in', writeTemp(dir, 'variant.txt', 'v'), '-signer', cert, '-inkey', key, '-certfile', writeTemp(dir, 'variant-issuing.pem', toPem(hierarchy.issuing.der)), '-out', out]);
    expect(made.status, made.stderr).toBe(0);
    const report = await verifier.verify(readFileSync(out));
    expect(report.result, JSON.stringify(report.signers[0].checks)).toBe('valid');
    expect(checkOf(report, 'signing-time')?.code).toBe(timeCode);
  });

  it('a critical extension the verifier does not process fails the chain', async () => {
    const odd = await issueTestCertificate('odd', 'CN=ODD, C=KZ', hierarchy.issuing, async () => [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.Extension('1.2.398.99.1', true, new Uint8Array([0x05, 0x00])),
    ]);
    const report = await verifier.verify(await signCms({ content: Buffer.from('x'), signer: odd.signer, certificate: odd.der, chain: [hierarchy.issuing.der] }));
    expect(report.result).toBe('invalid');
    expect(checkOf(report, 'chain')).toMatchObject({ status: 'failed', code: 'UNSUPPORTED_CRITICAL_EXTENSION' });
  });

  it('a CA below a pathLenConstraint of 0 fails the chain', async () => {
    const limited = await issueTestCertificate('limited', 'CN=Limited CA, C=KZ', hierarchy.root, () => caExtensions(0));
    const below = await issueTestCertificate('below', 'CN=CA below the limit, C=KZ', limited, () => caExtensions());
    const leaf = await issuePerson(below);
    const report = await verifier.verify(await signCms({ content: Buffer.from('x'), signer: leaf.sign.signer, certificate: leaf.sign.der, chain: [below.der, limited.der] }));
    expect(report.result).toBe('invalid');
    expect(checkOf(report, 'chain')).toMatchObject({ status: 'failed', code: 'PATH_LENGTH_EXCEEDED' });
    // One level less is within the limit.
    const direct = await issuePerson(limited);
    expect((await verifier.verify(await signCms({ content: Buffer.from('x'), signer: direct.sign.signer, certificate: direct.sign.der, chain: [limited.der] }))).result).toBe('valid');
  });

  it('verifies a 20 MB document signed by openssl in streaming (indefinite-length BER) form', async () => {
    const cert = writeTemp(dir, 'big-signer.pem', toPem(person.sign.der));
    const key = writeTemp(dir, 'big-signer.key', toPem(await privateKeyPkcs8(person.sign.keys), 'PRIVATE KEY'));
    const content = Buffer.alloc(20 * 1024 * 1024, 'Қорғау ');
    const out = `${dir}/big.p7s`;
    const made = openssl(['cms', '-sign', '-binary', '-stream', '-md', 'sha256', '-nodetach', '-outform', 'DER', '-in', writeTemp(dir, 'big.bin', content), '-signer', cert, '-inkey', key, '-certfile', writeTemp(dir, 'big-issuing.pem', toPem(hierarchy.issuing.der)), '-out', out]);
    expect(made.status, made.stderr).toBe(0);
    const bytes = readFileSync(out);
    expect(bytes[1]).toBe(0x80); // indefinite length: BER, not DER
    const report = await verifier.verify(bytes);
    expect(report.result, JSON.stringify(report.signers[0].checks)).toBe('valid');
  });

  it("the TSA's own certificate cannot pass for a person's signature", async () => {
    const report = await verifier.verify(await signCms({ content: Buffer.from('x'), signer: hierarchy.tsa.signer, certificate: hierarchy.tsa.der, chain: [hierarchy.issuing.der] }));
    expect(report.result).toBe('invalid');
    expect(checkOf(report, 'key-usage')).toMatchObject({ status: 'failed', code: 'EXTENDED_KEY_USAGE_NOT_FOR_SIGNING' });
  });

  it('a time-stamp made after the certificate expired leaves a signature claimed from within its validity indeterminate', async () => {
    const expired = await issuePerson(hierarchy.issuing, { notBefore: new Date(Date.now() - 400 * 86_400_000), notAfter: new Date(Date.now() - 30 * 86_400_000) });
    const cms = await signCms({
      content: Buffer.from('signed last year, stamped today'),
      signer: expired.sign.signer,
      certificate: expired.sign.der,
      chain: [hierarchy.issuing.der],
      signingTime: new Date(Date.now() - 200 * 86_400_000),
      timeStamp,
    });
    const report = await verifier.verify(cms);
    expect(report.result).toBe('indeterminate');
    expect(checkOf(report, 'certificate-validity')).toMatchObject({ status: 'unknown', code: 'CERTIFICATE_EXPIRED_BEFORE_TIME_STAMP' });
    // Without the token, the claim alone is taken for the signing time.
    const claimedOnly = await verifier.verify(await signCms({ content: Buffer.from('x'), signer: expired.sign.signer, certificate: expired.sign.der, chain: [hierarchy.issuing.der], signingTime: new Date(Date.now() - 200 * 86_400_000) }));
    expect(checkOf(claimedOnly, 'certificate-validity')?.code).toBe('CERTIFICATE_VALID');
  });
});
