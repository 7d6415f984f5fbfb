import { mkdirSync, writeFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestHierarchy, issuePerson, tempDir, toPem, type TestPerson } from '../../../test/helpers/cms-fixtures.js';
import { ecdsa_with_SHA256 } from '../../pkix/oids.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { algorithmIdentifier, explicit, sequence, smallInteger, tlv, unsignedInteger, utcTime } from '../../der/writer.js';
import { signCms } from '../../client/sign.js';
import { createSignatureVerifier } from './signature-service.js';

/** A CRL of `issuer` listing `serials`, signed by its key (RFC 5280 5.1). */
async function crlOf(issuer: Awaited<ReturnType<typeof buildTestHierarchy>>['issuing'], serials: string[]): Promise<Buffer> {
  const now = Date.now();
  const tbs = sequence(
    smallInteger(1),
    algorithmIdentifier(ecdsa_with_SHA256),
    CertificateInfo.parse(issuer.der).fields.subject,
    utcTime(new Date(now - 60_000)),
    utcTime(new Date(now + 86_400_000)),
    ...(serials.length ? [sequence(...serials.map((s) => sequence(unsignedInteger(Buffer.from(s, 'hex')), utcTime(new Date(now - 120_000)))))] : []),
    explicit(0, sequence()),
  );
  return sequence(tbs, algorithmIdentifier(ecdsa_with_SHA256), tlv(0x03, Uint8Array.from([0]), await issuer.signer.sign(tbs)));
}

describe('the verifier configured from a trust folder', () => {
  let hierarchy: Awaited<ReturnType<typeof buildTestHierarchy>>;
  let person: TestPerson;
  let trustDir: string;

  beforeAll(async () => {
    hierarchy = await buildTestHierarchy();
    person = await issuePerson(hierarchy.issuing);
    trustDir = path.join(tempDir(), 'trust');
    mkdirSync(trustDir);
    // An operator trusts a foreign CA by its certificate; its CRL arrives later.
    writeFileSync(path.join(trustDir, 'foreign-root.pem'), toPem(hierarchy.root.der));
  });

  it('picks up a new CRL in the folder without a restart', async () => {
    const { verifier, refreshCrls } = createSignatureVerifier({ trustDir });
    const cms = await signCms({ content: Buffer.from('x'), signer: person.sign.signer, certificate: person.sign.der, chain: [hierarchy.issuing.der] });
    const before = await verifier.verify(cms);
    expect(before.result).toBe('indeterminate');
    expect(before.signers[0].checks.find((c) => c.check === 'revocation')?.code).toBe('REVOCATION_UNKNOWN');
    expect(refreshCrls()).toBe(false);

    writeFileSync(path.join(trustDir, 'issuing.crl'), await crlOf(hierarchy.issuing, [CertificateInfo.parse(person.sign.der).serialHex]));
    expect(refreshCrls()).toBe(true);
    expect((await verifier.verify(cms)).result).toBe('invalid');

    const file = path.join(trustDir, 'issuing.crl');
    writeFileSync(file, await crlOf(hierarchy.issuing, []));
    utimesSync(file, new Date(), new Date(Date.now() + 1000));
    expect(refreshCrls()).toBe(true);
    expect((await verifier.verify(cms)).result).toBe('valid');
  });

  it('keeps the CRLs it has when a new file cannot be read', async () => {
    const { verifier, refreshCrls } = createSignatureVerifier({ trustDir });
    writeFileSync(path.join(trustDir, 'broken.crl'), Buffer.from('not a CRL'));
    expect(() => refreshCrls()).toThrow(/broken\.crl/);
    const cms = await signCms({ content: Buffer.from('y'), signer: person.sign.signer, certificate: person.sign.der, chain: [hierarchy.issuing.der] });
    expect((await verifier.verify(cms)).result).toBe('valid');
  });
});
