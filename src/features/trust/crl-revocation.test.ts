import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestHierarchy, issuePerson, type TestPerson } from '../../../test/helpers/cms-fixtures.js';
import { openssl } from '../../../test/helpers/openssl.js';
import { ecdsa_with_SHA256, id_ce_cRLReasons } from '../../pkix/oids.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { CRL_REASONS, PathCrl } from './path-validation/path-crl.js';
import { algorithmIdentifier, explicit, objectIdentifier, octetString, sequence, smallInteger, tlv, unsignedInteger, utcTime } from '../../der/writer.js';
import { CrlRevocationSource, RevocationChecker } from './revocation-status.js';
import { signCms } from '../../client/sign.js';
import { SignatureVerifier } from './signature-verifier.js';
import { TrustStore } from './trust-anchors.js';

const NCA_CRL = path.resolve(import.meta.dirname, '../../../test/fixtures/nca/nca_rsa_test.crl');

/** A CRL of the test issuing CA, written here so a test can revoke what it likes (RFC 5280 5.1). */
async function buildCrl(issuer: Awaited<ReturnType<typeof buildTestHierarchy>>['issuing'], entries: { serial: Buffer; date: Date; reason?: number }[], thisUpdate: Date, nextUpdate: Date) {
  const revoked = entries.map((e) =>
    sequence(
      unsignedInteger(e.serial),
      utcTime(e.date),
      ...(e.reason === undefined ? [] : [sequence(sequence(objectIdentifier(id_ce_cRLReasons), octetString(tlv(0x0a, Uint8Array.from([e.reason])))))]),
    ),
  );
  const tbs = sequence(
    smallInteger(1),
    algorithmIdentifier(ecdsa_with_SHA256),
    CertificateInfo.parse(issuer.der).fields.subject,
    utcTime(thisUpdate),
    utcTime(nextUpdate),
    // One concatenated body: 200,000 entries are too many arguments for a spread.
    ...(revoked.length ? [sequence(Buffer.concat(revoked))] : []),
    explicit(0, sequence()),
  );
  const signature = await issuer.signer.sign(tbs);
  return sequence(tbs, algorithmIdentifier(ecdsa_with_SHA256), tlv(0x03, Uint8Array.from([0]), signature));
}

describe('CRLs read by PathCrl, and the CRL revocation source', () => {
  let hierarchy: Awaited<ReturnType<typeof buildTestHierarchy>>;
  let revokedPerson: TestPerson;
  let goodPerson: TestPerson;

  beforeAll(async () => {
    hierarchy = await buildTestHierarchy();
    revokedPerson = await issuePerson(hierarchy.issuing);
    goodPerson = await issuePerson(hierarchy.issuing);
  });

  it("reads the national CA's test CRL as openssl does: 126 entries, dates, reasons", () => {
    const der = readFileSync(NCA_CRL);
    const crl = new PathCrl(der);
    expect(crl.entries.size).toBe(126);
    expect(crl.thisUpdate.toISOString()).toBe('2022-03-29T04:18:29.000Z');
    expect(crl.nextUpdate?.toISOString()).toBe('2022-09-25T04:18:29.000Z');
    expect(crl.entryFor(crl.issuer, '474c38696d8677a2c8b6e40345a8b04168c0905c')?.revocationDate.toISOString()).toBe('2021-04-01T06:56:52.000Z');
    const reasons = [...crl.entries.values()].map((e) => (e.reason === undefined ? undefined : CRL_REASONS[e.reason])).filter(Boolean);
    expect(reasons.filter((r) => r === 'keyCompromise')).toHaveLength(9);
    expect(reasons.filter((r) => r === 'certificateHold')).toHaveLength(5);
    const text = openssl(['crl', '-inform', 'DER', '-in', NCA_CRL, '-noout', '-text']).stdout;
    const serials = [...text.matchAll(/Serial Number: ([0-9A-F]+)/g)].map((m) => m[1].toLowerCase().replace(/^(00)+/, ''));
    expect(new Set(serials)).toEqual(new Set([...crl.entries.keys()].map((k) => k.slice(k.lastIndexOf('|') + 1))));
  });

  it('a certificate on a CRL of its issuer is revoked from the revocation date on', async () => {
    const serial = Buffer.from(CertificateInfo.parse(revokedPerson.sign.der).serialHex, 'hex');
    const revokedAt = new Date(Date.now() - 60_000);
    const crl = await buildCrl(hierarchy.issuing, [{ serial, date: revokedAt, reason: 1 }], new Date(Date.now() - 30_000), new Date(Date.now() + 86_400_000));
    expect(openssl(['crl', '-inform', 'DER', '-noout', '-text'], crl).stdout).toContain('Key Compromise');
    const verifier = new SignatureVerifier(
      new TrustStore().addAnchor(CertificateInfo.parse(hierarchy.root.der)),
      new RevocationChecker([new CrlRevocationSource([crl])]),
    );
    const sign = (who: TestPerson) => signCms({ content: Buffer.from('x'), signer: who.sign.signer, certificate: who.sign.der, chain: [hierarchy.issuing.der] });
    const revoked = await verifier.verify(await sign(revokedPerson));
    expect(revoked.result).toBe('invalid');
    expect(revoked.signers[0].checks.find((c) => c.check === 'revocation')).toMatchObject({ code: 'REVOKED' });
    expect(revoked.signers[0].checks.find((c) => c.check === 'revocation')?.reason).toContain('keyCompromise');
    expect((await verifier.verify(await sign(goodPerson))).result).toBe('valid');
  });

  it('a CRL signed by another key is not believed', async () => {
    const stranger = await buildTestHierarchy();
    const forged = await buildCrl({ ...stranger.issuing, der: hierarchy.issuing.der }, [], new Date(), new Date(Date.now() + 86_400_000));
    const source = new CrlRevocationSource([forged]);
    const answer = await source.check({ certificate: CertificateInfo.parse(goodPerson.sign.der), issuer: CertificateInfo.parse(hierarchy.issuing.der), at: new Date() });
    // Not believed: the status stays unknown, and says why.
    expect(answer).toMatchObject({ status: 'unknown' });
    expect(answer?.detail).toContain('verifies its signature');
  });

  it('reads a CRL of 200,000 entries (beyond asn1js node limits) and finds an entry in it', async () => {
    const entries = Array.from({ length: 200_000 }, (_, i) => ({ serial: Buffer.from((0x10000000 + i).toString(16), 'hex'), date: new Date(1_700_000_000_000 + i * 1000), reason: i % 7 === 0 ? 4 : undefined }));
    const crl = await buildCrl(hierarchy.issuing, entries, new Date(), new Date(Date.now() + 86_400_000));
    const parsed = new PathCrl(crl);
    expect(parsed.entries.size).toBe(200_000);
    expect(parsed.entryFor(parsed.issuer, (0x10000000 + 199_998).toString(16))).toEqual({ revocationDate: new Date(1_700_000_000_000 + 199_998 * 1000) });
    expect(parsed.entryFor(parsed.issuer, (0x10000000 + 7).toString(16))?.reason).toBe(4); // superseded
  });
});
