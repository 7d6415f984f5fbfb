import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openssl } from '../../../test/helpers/openssl.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { CrlRevocationSource, RevocationChecker } from './revocation-status.js';
import { SignatureVerifier } from './signature-verifier.js';
import { signerIdentityOf } from './signer-identity.js';
import { TrustStore } from './trust-anchors.js';

/** Real certificates of the national CA's test hierarchy (test/fixtures/nca/README.md). */
const NCA = path.resolve(import.meta.dirname, '../../../test/fixtures/nca');
const fixture = (name: string) => readFileSync(path.join(NCA, name));

describe("the national CA's test certificates", () => {
  let auth: CertificateInfo;
  let sign: CertificateInfo;
  let issuingCa: CertificateInfo;
  let verifier: SignatureVerifier;

  beforeAll(() => {
    auth = CertificateInfo.parse(fixture('individual_valid_sign_2004_rsa_auth.cer'));
    sign = CertificateInfo.parse(fixture('individual_valid_sign_2004_rsa.cer'));
    issuingCa = CertificateInfo.parse(fixture('nca_rsa_test.crt'));
    const trust = new TrustStore().addAnchor(issuingCa, 'NCA RSA TEST (partial chain)');
    verifier = new SignatureVerifier(trust, new RevocationChecker([new CrlRevocationSource([fixture('nca_rsa_test.crl')])]));
  });

  it('reads the subject as the national CA writes it, reporting the test IIN as invalid', () => {
    expect(signerIdentityOf(auth)).toEqual({
      iin: { value: '123456789011', valid: false, problem: 'IIN_CENTURY_DIGIT' },
      commonName: 'ТЕСТОВ ТЕСТ',
      surname: 'ТЕСТОВ',
      givenName: 'ТЕСТ',
      patronymic: 'ТЕСТОВИЧ',
      country: 'KZ',
      roles: ['individual'],
      purpose: 'AUTH',
    });
    expect(signerIdentityOf(sign)).toMatchObject({ purpose: 'SIGN', roles: ['individual'], iin: { value: '123456789011', valid: false } });
    expect(auth.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(sign.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(auth.policies).toEqual(['1.2.398.3.3.2.4']);
  });

  it('the test issuing CA is not self-signed, so it is a partial-chain anchor', () => {
    expect(issuingCa.selfIssued).toBe(false);
    expect(new TrustStore().addAnchor(issuingCa).anchors[0].kind).toBe('partial-chain');
  });

  it.each([
    ['AUTH', () => auth],
    ['SIGN', () => sign],
  ])('the %s certificate is valid on 2022-04-15: chain to the partial-chain anchor, not on the CRL', async (_label, certificate) => {
    const report = await verifier.verifyCertificate(certificate(), { at: new Date('2022-04-15T12:00:00Z') });
    expect(report.result, JSON.stringify(report.checks)).toBe('valid');
    expect(report.checks.find((c) => c.check === 'revocation')?.reason).toContain('2022-03-29');
    expect(report.certificate.trustAnchor).toBe('NCA RSA TEST (partial chain)');
  });

  it('OpenSSL agrees: openssl verify -partial_chain at 2022-04-15 prints OK', () => {
    const result = openssl(['verify', '-partial_chain', '-CAfile', path.join(NCA, 'nca_rsa_test.crt'), '-attime', '1650000000', path.join(NCA, 'individual_valid_sign_2004_rsa_auth.cer')]);
    expect(result.stdout).toContain(': OK');
  });

  it('is invalid after it expired, and indeterminate once the CRL is out of date', async () => {
    const expired = await verifier.verifyCertificate(auth, { at: new Date('2023-06-01T00:00:00Z') });
    expect(expired.result).toBe('invalid');
    expect(expired.checks.find((c) => c.check === 'certificate-validity')?.code).toBe('CERTIFICATE_EXPIRED');
    // The CRL's nextUpdate is 2022-09-25: it says nothing about later dates.
    const stale = await verifier.verifyCertificate(auth, { at: new Date('2022-12-01T00:00:00Z') });
    expect(stale.result).toBe('indeterminate');
    expect(stale.checks.find((c) => c.check === 'revocation')?.code).toBe('REVOCATION_UNKNOWN');
  });

  it('without the national CA configured as an anchor, the chain is indeterminate', async () => {
    const untrusting = new SignatureVerifier(new TrustStore(), new RevocationChecker([]));
    const report = await untrusting.verifyCertificate(auth, { at: new Date('2022-04-15T12:00:00Z') });
    expect(report.result).toBe('indeterminate');
    expect(report.checks.find((c) => c.check === 'chain')?.code).toBe('NO_TRUSTED_CHAIN');
  });
});
