import { describe, expect, it } from 'vitest';
import { caExtensions, certificate, crl, dn, ext, generalName, GOST, gostKey, leafExtensions, newKey, opensslVerify } from '../../../test/helpers/pkix-builder.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { CrlRevocationSource, RevocationChecker } from './revocation-status.js';
import { SignatureVerifier } from './signature-verifier.js';
import { TrustStore } from './trust-anchors.js';

/**
 * The wrong answers of the signature verifier (the one /v1/signatures/verify and sign-in use),
 * each made here from certificates and CRLs written byte by byte, with OpenSSL's verdict beside.
 */
function verifierWith(anchors: Buffer[], crls: Buffer[] = []) {
  const trust = new TrustStore();
  for (const a of anchors) trust.addAnchor(CertificateInfo.parse(a));
  return new SignatureVerifier(trust, new RevocationChecker([new CrlRevocationSource(crls, trust)]));
}
const checkOf = (report: Awaited<ReturnType<SignatureVerifier['verifyCertificate']>>, name: string) => report.checks.find((c) => c.check === name)!;

describe('signature verifier: relying-party rules of RFC 5280', () => {
  const root = certificate({ subject: dn(['CN', 'RP Root']), extensions: caExtensions() });

  it('applies name constraints', async () => {
    const ca = certificate({ subject: dn(['O', 'Good'], ['CN', 'RP CA']), issuer: root, extensions: [...caExtensions(), ext.nameConstraints([generalName.directory(dn(['O', 'Good']))])] });
    const outside = certificate({ subject: dn(['O', 'Evil'], ['CN', 'Outside']), issuer: ca, extensions: leafExtensions() });
    const report = await verifierWith([root.der], [crl({ issuer: root }), crl({ issuer: ca })]).verifyCertificate(outside.der, { intermediates: [ca.der] });
    expect(checkOf(report, 'chain')).toMatchObject({ status: 'failed', code: 'NAME_CONSTRAINTS_VIOLATED' });
    expect(report.result).toBe('invalid');
    expect(opensslVerify({ target: outside.der, anchors: [root.der], intermediates: [ca.der], crlCheck: 'none' }).ok).toBe(false);
  });

  it('does not count a self-issued certificate against pathLenConstraint', async () => {
    const oldKey = newKey();
    const name = dn(['CN', 'RP Rollover CA']);
    const caOld = certificate({ subject: name, issuer: root, keys: oldKey, extensions: caExtensions(0) });
    const newKeys = newKey();
    const oldWithNew = certificate({ subject: name, issuer: { ...caOld, ...oldKey }, keys: newKeys, extensions: caExtensions(0) });
    const leaf = certificate({ subject: dn(['CN', 'RP Rollover Leaf']), issuer: { ...oldWithNew, ...newKeys }, extensions: leafExtensions() });
    const report = await verifierWith([root.der]).verifyCertificate(leaf.der, { intermediates: [caOld.der, oldWithNew.der] });
    expect(checkOf(report, 'chain'), checkOf(report, 'chain').reason).toMatchObject({ status: 'passed' });
    expect(opensslVerify({ target: leaf.der, anchors: [root.der], intermediates: [caOld.der, oldWithNew.der], crlCheck: 'none' }).ok).toBe(true);
  });

  it('does not take serial 255 for -1, nor a CRL from a key without cRLSign, nor a CRL out of its scope', async () => {
    const ca = certificate({ subject: dn(['CN', 'RP Serial CA']), issuer: root, extensions: caExtensions() });
    const leaf = certificate({ subject: dn(['CN', 'Serial 255']), issuer: ca, serial: '00ff', extensions: leafExtensions() });
    const minusOne = crl({ issuer: ca, revoked: [{ serial: 'ff' }] });
    const report = await verifierWith([root.der], [minusOne]).verifyCertificate(leaf.der, { intermediates: [ca.der] });
    expect(checkOf(report, 'revocation')).toMatchObject({ status: 'passed', code: 'NOT_REVOKED' });
    expect(opensslVerify({ target: leaf.der, anchors: [root.der], intermediates: [ca.der], crls: [minusOne], crlCheck: 'leaf' }).ok).toBe(true);

    const noCrlSign = certificate({ subject: dn(['CN', 'RP No cRLSign CA']), issuer: root, extensions: caExtensions(undefined, [5]) });
    const leaf2 = certificate({ subject: dn(['CN', 'Leaf 2']), issuer: noCrlSign, extensions: leafExtensions() });
    const itsCrl = crl({ issuer: noCrlSign });
    const report2 = await verifierWith([root.der], [itsCrl]).verifyCertificate(leaf2.der, { intermediates: [noCrlSign.der] });
    expect(checkOf(report2, 'revocation')).toMatchObject({ status: 'unknown' });
    expect(checkOf(report2, 'revocation').reason).toContain('cRLSign');
    expect(opensslVerify({ target: leaf2.der, anchors: [root.der], intermediates: [noCrlSign.der], crls: [itsCrl], crlCheck: 'leaf' }).ok).toBe(false);

    const onlyCa = crl({ issuer: ca, extensions: [ext.crlNumber(1), ext.issuingDistributionPoint({ onlyCaCerts: true })] });
    const report3 = await verifierWith([root.der], [onlyCa]).verifyCertificate(leaf.der, { intermediates: [ca.der] });
    expect(checkOf(report3, 'revocation')).toMatchObject({ status: 'unknown' });
    expect(opensslVerify({ target: leaf.der, anchors: [root.der], intermediates: [ca.der], crls: [onlyCa], crlCheck: 'leaf' }).ok).toBe(false);
  });

  it('says a GOST anchor cannot be checked, instead of "no trusted issuer found"', async () => {
    const gostCa = certificate({ subject: dn(['C', 'KZ'], ['CN', 'ҰКО 3.0 (GOST TEST)']), keys: gostKey(), extensions: caExtensions(), unsupportedSignature: GOST.signature });
    const leaf = certificate({ subject: dn(['CN', 'GOST Leaf']), issuer: gostCa, keys: gostKey(), extensions: leafExtensions(), unsupportedSignature: GOST.signature });
    const report = await verifierWith([gostCa.der]).verifyCertificate(leaf.der);
    const chain = checkOf(report, 'chain');
    expect(chain).toMatchObject({ status: 'unknown', code: 'SIGNATURE_ALGORITHM_UNSUPPORTED' });
    expect(chain.reason).toContain('GOST');
    expect(chain.reason).not.toContain('no trusted issuer');
    expect(report.result).toBe('indeterminate');
  });
});
