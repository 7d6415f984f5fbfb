import { describe, expect, it } from 'vitest';
import { caExtensions, certificate, crl, dn, ext, generalName, leafExtensions, newKey, opensslVerify, type Entity } from '../../../../test/helpers/pkix-builder.js';
import { PathCertificate } from './path-certificate.js';
import { PathCrl } from './path-crl.js';
import { validatePath, type PathValidationInput } from './path-validator.js';

/**
 * Each case is built here from certificates and CRLs written byte by byte, validated by our
 * RFC 5280 validator and by `openssl verify -crl_check_all`, and both must give the same verdict.
 */
interface Case {
  target: Entity;
  anchors: Entity[];
  intermediates?: Entity[];
  crls?: Buffer[];
  revocation?: PathValidationInput['revocation'];
  opensslExtra?: string[];
}

async function both(c: Case) {
  const ours = await validatePath({
    target: new PathCertificate(c.target.der),
    anchors: c.anchors.map((a) => new PathCertificate(a.der)),
    intermediates: (c.intermediates ?? []).map((i) => new PathCertificate(i.der)),
    crls: (c.crls ?? []).map((d) => new PathCrl(d)),
    revocation: c.revocation ?? 'all',
  });
  const theirs = opensslVerify({
    target: c.target.der,
    anchors: c.anchors.map((a) => a.der),
    intermediates: (c.intermediates ?? []).map((i) => i.der),
    crls: c.crls ?? [],
    crlCheck: c.revocation === 'none' ? 'none' : c.revocation === 'target' ? 'leaf' : 'all',
    extra: c.opensslExtra,
  });
  return { ours, theirs };
}

function hierarchy(options: { caUsage?: number[]; caExtra?: ReturnType<typeof ext.unknown>[]; rootExtra?: ReturnType<typeof ext.unknown>[] } = {}) {
  const root = certificate({ subject: dn(['CN', 'Path Test Root']), extensions: [...caExtensions(), ...(options.rootExtra ?? [])] });
  const ca = certificate({ subject: dn(['O', 'Qorgau Test'], ['CN', 'Path Test CA']), issuer: root, extensions: [...caExtensions(undefined, options.caUsage), ...(options.caExtra ?? [])] });
  const leaf = certificate({ subject: dn(['O', 'Qorgau Test'], ['CN', 'Leaf']), issuer: ca, extensions: leafExtensions() });
  const rootCrl = crl({ issuer: root });
  return { root, ca, leaf, rootCrl };
}

describe('RFC 5280 path validation, cross-checked with openssl verify', () => {
  it('accepts a good path with current CRLs, and refuses it once the leaf is revoked', async () => {
    const { root, ca, leaf, rootCrl } = hierarchy();
    const good = await both({ target: leaf, anchors: [root], intermediates: [ca], crls: [rootCrl, crl({ issuer: ca })] });
    expect(good.theirs.ok, good.theirs.output).toBe(true);
    expect(good.ours.result, good.ours.decidedBy.reason).toBe('valid');
    expect(good.ours.path.map((p) => p.subject)).toEqual(['CN=Path Test Root', 'O=Qorgau Test, CN=Path Test CA', 'O=Qorgau Test, CN=Leaf']);

    const serial = new PathCertificate(leaf.der).serialHex;
    const revoked = await both({ target: leaf, anchors: [root], intermediates: [ca], crls: [rootCrl, crl({ issuer: ca, revoked: [{ serial, extensions: [ext.reasonCode(1)] }] })] });
    expect(revoked.theirs.ok).toBe(false);
    expect(revoked.ours).toMatchObject({ result: 'invalid', decidedBy: { check: 'revocation', code: 'REVOKED' } });
    expect(revoked.ours.decidedBy.reason).toContain('keyCompromise');
  });

  it('does not trust a CRL signed by a CA certificate whose key usage lacks cRLSign', async () => {
    const { root, ca, leaf, rootCrl } = hierarchy({ caUsage: [5] });
    const r = await both({ target: leaf, anchors: [root], intermediates: [ca], crls: [rootCrl, crl({ issuer: ca })] });
    expect(r.theirs.ok).toBe(false);
    expect(r.ours.result).toBe('indeterminate');
    expect(r.ours.decidedBy).toMatchObject({ check: 'revocation', code: 'REVOCATION_UNKNOWN' });
    expect(r.ours.decidedBy.reason).toContain('cRLSign');
  });

  it('does not take a CRL with a critical IssuingDistributionPoint for certificates outside its scope', async () => {
    const { root, ca, leaf, rootCrl } = hierarchy();
    const onlyCa = crl({ issuer: ca, extensions: [ext.crlNumber(1), ext.issuingDistributionPoint({ onlyCaCerts: true })] });
    const r = await both({ target: leaf, anchors: [root], intermediates: [ca], crls: [rootCrl, onlyCa] });
    expect(r.theirs.ok).toBe(false);
    expect(r.ours.result).toBe('indeterminate');
    expect(r.ours.decidedBy.reason).toContain('onlyContainsCACerts');

    const otherPoint = crl({ issuer: ca, extensions: [ext.crlNumber(2), ext.issuingDistributionPoint({ uri: 'http://crl.example/part2.crl' })] });
    const r2 = await both({ target: leaf, anchors: [root], intermediates: [ca], crls: [rootCrl, otherPoint] });
    expect(r2.theirs.ok).toBe(false);
    expect(r2.ours.result).toBe('indeterminate');
  });

  it('uses a partitioned CRL for the certificates that name its distribution point', async () => {
    const root = certificate({ subject: dn(['CN', 'Partition Root']), extensions: caExtensions() });
    const ca = certificate({ subject: dn(['CN', 'Partition CA']), issuer: root, extensions: caExtensions() });
    const uri = 'http://crl.example/part1.crl';
    const leaf = certificate({ subject: dn(['CN', 'Partitioned Leaf']), issuer: ca, extensions: [...leafExtensions(), ext.crlDistributionPoint(uri)] });
    const part = crl({ issuer: ca, extensions: [ext.crlNumber(1), ext.issuingDistributionPoint({ uri })] });
    const r = await both({ target: leaf, anchors: [root], intermediates: [ca], crls: [crl({ issuer: root }), part] });
    expect(r.theirs.ok, r.theirs.output).toBe(true);
    expect(r.ours.result, r.ours.decidedBy.reason).toBe('valid');
  });

  it('refuses CRLs with unknown critical extensions or unknown critical entry extensions', async () => {
    const { root, ca, leaf, rootCrl } = hierarchy();
    const criticalCrl = crl({ issuer: ca, extensions: [ext.crlNumber(1), ext.unknown()] });
    const r = await both({ target: leaf, anchors: [root], intermediates: [ca], crls: [rootCrl, criticalCrl] });
    expect(r.theirs.ok).toBe(false);
    expect(r.ours.result).toBe('indeterminate');
    expect(r.ours.decidedBy.reason).toContain('critical extension 1.3.6.1.4.1.99999.1');

    const criticalEntry = crl({ issuer: ca, revoked: [{ serial: '0a', extensions: [ext.unknown('1.3.6.1.4.1.99999.2')] }] });
    const r2 = await both({ target: leaf, anchors: [root], intermediates: [ca], crls: [rootCrl, criticalEntry] });
    expect(r2.theirs.ok).toBe(false);
    expect(r2.ours.result).toBe('indeterminate');
    expect(r2.ours.decidedBy.reason).toContain('1.3.6.1.4.1.99999.2');
  });

  it('compares serials as integers: 255 (00 FF) is not -1 (FF)', async () => {
    const { root, ca, rootCrl } = hierarchy();
    const leaf = certificate({ subject: dn(['CN', 'Serial 255']), issuer: ca, serial: '00ff', extensions: leafExtensions() });
    const minusOne = crl({ issuer: ca, revoked: [{ serial: 'ff' }] });
    const r = await both({ target: leaf, anchors: [root], intermediates: [ca], crls: [rootCrl, minusOne] });
    expect(r.theirs.ok, r.theirs.output).toBe(true);
    expect(r.ours.result, r.ours.decidedBy.reason).toBe('valid');

    const really = await both({ target: leaf, anchors: [root], intermediates: [ca], crls: [rootCrl, crl({ issuer: ca, revoked: [{ serial: '00ff' }] })] });
    expect(really.theirs.ok).toBe(false);
    expect(really.ours.decidedBy.code).toBe('REVOKED');
  });

  it('does not count self-issued certificates (key rollover) against pathLenConstraint', async () => {
    const root = certificate({ subject: dn(['CN', 'Rollover Root']), extensions: caExtensions() });
    const oldKey = newKey();
    const caName = dn(['CN', 'Rollover CA']);
    const caOld = certificate({ subject: caName, issuer: root, keys: oldKey, extensions: caExtensions(0) });
    const caNewKey = newKey();
    // The old key certifies the new one: a self-issued certificate between the two.
    const oldWithNew = certificate({ subject: caName, issuer: { ...caOld, ...oldKey }, keys: caNewKey, extensions: caExtensions(0) });
    const leaf = certificate({ subject: dn(['CN', 'Rollover Leaf']), issuer: { ...oldWithNew, ...caNewKey }, extensions: leafExtensions() });
    const r = await both({ target: leaf, anchors: [root], intermediates: [caOld, oldWithNew], revocation: 'none' });
    expect(r.theirs.ok, r.theirs.output).toBe(true);
    expect(r.ours.result, r.ours.decidedBy.reason).toBe('valid');
    expect(r.ours.path).toHaveLength(4);

    // A CA certificate that is not self-issued does count.
    const sub = certificate({ subject: dn(['CN', 'Sub CA']), issuer: { ...oldWithNew, ...caNewKey }, extensions: caExtensions() });
    const subLeaf = certificate({ subject: dn(['CN', 'Sub Leaf']), issuer: sub, extensions: leafExtensions() });
    const r2 = await both({ target: subLeaf, anchors: [root], intermediates: [caOld, oldWithNew, sub], revocation: 'none' });
    expect(r2.theirs.ok).toBe(false);
    expect(r2.ours.decidedBy.code).toBe('PATH_LENGTH_EXCEEDED');
  });

  it('refuses unknown critical extensions on an intermediate and on the trust anchor', async () => {
    const onCa = hierarchy({ caExtra: [ext.unknown()] });
    const r = await both({ target: onCa.leaf, anchors: [onCa.root], intermediates: [onCa.ca], revocation: 'none' });
    expect(r.theirs.ok).toBe(false);
    expect(r.ours).toMatchObject({ result: 'invalid', decidedBy: { code: 'UNSUPPORTED_CRITICAL_EXTENSION' } });

    const onRoot = hierarchy({ rootExtra: [ext.unknown()] });
    const r2 = await both({ target: onRoot.leaf, anchors: [onRoot.root], intermediates: [onRoot.ca], revocation: 'none' });
    expect(r2.theirs.ok).toBe(false);
    expect(r2.ours).toMatchObject({ result: 'invalid', decidedBy: { code: 'UNSUPPORTED_CRITICAL_EXTENSION' } });
  });

  it('applies name constraints: directory names, DNS names and e-mail addresses', async () => {
    const root = certificate({ subject: dn(['CN', 'NC Root']), extensions: caExtensions() });
    const ca = certificate({
      subject: dn(['O', 'Good Org'], ['CN', 'NC CA']),
      issuer: root,
      extensions: [...caExtensions(), ext.nameConstraints([generalName.directory(dn(['O', 'Good Org'])), generalName.dns('good.kz')], [generalName.dns('bad.good.kz')])],
    });
    const inside = certificate({ subject: dn(['O', 'Good Org'], ['CN', 'Inside']), issuer: ca, extensions: [...leafExtensions(), ext.subjectAltName(generalName.dns('www.good.kz'))] });
    const outsideDn = certificate({ subject: dn(['O', 'Bad Org'], ['CN', 'Outside']), issuer: ca, extensions: leafExtensions() });
    const excludedDns = certificate({ subject: dn(['O', 'Good Org'], ['CN', 'Excluded']), issuer: ca, extensions: [...leafExtensions(), ext.subjectAltName(generalName.dns('x.bad.good.kz'))] });
    const otherDns = certificate({ subject: dn(['O', 'Good Org'], ['CN', 'Other']), issuer: ca, extensions: [...leafExtensions(), ext.subjectAltName(generalName.dns('evil.kz'))] });
    for (const [target, valid] of [[inside, true], [outsideDn, false], [excludedDns, false], [otherDns, false]] as const) {
      const r = await both({ target, anchors: [root], intermediates: [ca], revocation: 'none' });
      expect(r.theirs.ok, r.theirs.output).toBe(valid);
      expect(r.ours.result, r.ours.decidedBy.reason).toBe(valid ? 'valid' : 'invalid');
      if (!valid) expect(r.ours.decidedBy.code).toBe('NAME_CONSTRAINTS_VIOLATED');
    }
    // Constraints on the anchor itself are applied too.
    const constrainedRoot = certificate({ subject: dn(['CN', 'NC Root 2']), extensions: [...caExtensions(), ext.nameConstraints([generalName.email('.good.kz')])] });
    const ca2 = certificate({ subject: dn(['CN', 'NC CA 2']), issuer: constrainedRoot, extensions: caExtensions() });
    const mail = certificate({ subject: dn(['CN', 'Mail'], ['E', 'someone@evil.kz']), issuer: ca2, extensions: leafExtensions() });
    const r = await both({ target: mail, anchors: [constrainedRoot], intermediates: [ca2], revocation: 'none' });
    expect(r.theirs.ok).toBe(false);
    expect(r.ours.decidedBy.code).toBe('NAME_CONSTRAINTS_VIOLATED');
  });

  it('matches the CRL issuer by RFC 5280 7.1 rules: case, spaces and string type do not matter', async () => {
    const root = certificate({ subject: dn(['CN', 'Match Root']), extensions: caExtensions() });
    const ca = certificate({ subject: dn(['C', 'KZ'], ['CN', 'Name Match CA', 0x13]), issuer: root, extensions: caExtensions() });
    const leaf = certificate({ subject: dn(['CN', 'Name Match Leaf']), issuer: ca, extensions: leafExtensions() });
    const crlWithOtherSpelling = crl({ issuer: ca, issuerName: dn(['C', 'kz', 0x0c], ['CN', '  name   MATCH ca ', 0x0c]) });
    const r = await both({ target: leaf, anchors: [root], intermediates: [ca], crls: [crl({ issuer: root }), crlWithOtherSpelling] });
    expect(r.theirs.ok, r.theirs.output).toBe(true);
    expect(r.ours.result, r.ours.decidedBy.reason).toBe('valid');
  });

  it('takes a CRL signed by a separate CRL-signing certificate of the same CA, and follows CA key rollover', async () => {
    const root = certificate({ subject: dn(['CN', 'Separate Root']), extensions: caExtensions() });
    const caName = dn(['CN', 'Separate Keys CA']);
    const certSigner = certificate({ subject: caName, issuer: root, extensions: caExtensions(undefined, [5]) });
    const crlSigner = certificate({ subject: caName, issuer: root, extensions: caExtensions(undefined, [6]) });
    const leaf = certificate({ subject: dn(['CN', 'Separate Leaf']), issuer: certSigner, extensions: leafExtensions() });
    const leafCrl = crl({ issuer: certSigner, signer: crlSigner });
    const r = await both({ target: leaf, anchors: [root], intermediates: [certSigner, crlSigner], crls: [crl({ issuer: root }), leafCrl], opensslExtra: ['-extended_crl'] });
    expect(r.theirs.ok, r.theirs.output).toBe(true);
    expect(r.ours.result, r.ours.decidedBy.reason).toBe('valid');

    // The CRL signer revoked by the root: its CRL speaks no more.
    const rootRevokes = crl({ issuer: root, revoked: [{ serial: new PathCertificate(crlSigner.der).serialHex }] });
    const r2 = await both({ target: leaf, anchors: [root], intermediates: [certSigner, crlSigner], crls: [rootRevokes, leafCrl], opensslExtra: ['-extended_crl'] });
    expect(r2.theirs.ok).toBe(false);
    expect(r2.ours.result).not.toBe('valid');

    // Rollover: old and new CA certificates with one name; the leaf of the new key finds its way.
    const oldCa = certificate({ subject: dn(['CN', 'Rolled CA']), issuer: root, extensions: caExtensions() });
    const newCa = certificate({ subject: dn(['CN', 'Rolled CA']), issuer: root, extensions: caExtensions() });
    const newLeaf = certificate({ subject: dn(['CN', 'New Key Leaf']), issuer: newCa, extensions: leafExtensions() });
    const r3 = await both({ target: newLeaf, anchors: [root], intermediates: [oldCa, newCa], crls: [crl({ issuer: root }), crl({ issuer: oldCa }), crl({ issuer: newCa })] });
    expect(r3.theirs.ok, r3.theirs.output).toBe(true);
    expect(r3.ours.result, r3.ours.decidedBy.reason).toBe('valid');
  });
});

describe('DSA paths (as in PKITS 4.1.4 to 4.1.6)', () => {
  it('inherits DSA parameters from the issuer when the subject key omits them', async () => {
    const { createPrivateKey, createPublicKey } = await import('node:crypto');
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/pathval-dsa-`);
    execFileSync('openssl', ['dsaparam', '-out', `${dir}/p.pem`, '2048'], { stdio: 'ignore' });
    const dsaKey = () => {
      const pem = execFileSync('openssl', ['genpkey', '-paramfile', `${dir}/p.pem`]).toString();
      const key = createPrivateKey(pem);
      const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
      return { key, spki, keyId: spki.subarray(-20) };
    };
    const rootKeys = dsaKey();
    const root = certificate({ subject: dn(['CN', 'DSA Root']), keys: rootKeys, extensions: caExtensions() });
    const leafKeys = dsaKey();
    // SubjectPublicKeyInfo with the algorithm's parameters left out: SEQUENCE { SEQUENCE { id-dsa }, BIT STRING }.
    const { children, readOne } = await import('../../../der/reader.js');
    const { sequence, objectIdentifier } = await import('../../../der/writer.js');
    const [, bitString] = children(readOne(leafKeys.spki, 0x30));
    const inheriting = { ...leafKeys, spki: sequence(sequence(objectIdentifier('1.2.840.10040.4.1')), bitString.der) };
    const leaf = certificate({ subject: dn(['CN', 'DSA Inheriting Leaf']), issuer: root, keys: inheriting, extensions: leafExtensions() });
    const ours = await validatePath({ target: new PathCertificate(leaf.der), anchors: [new PathCertificate(root.der)], revocation: 'none' });
    expect(ours.result, ours.decidedBy.reason).toBe('valid');
    // OpenSSL 3 does not inherit DSA parameters (it cannot load the leaf's key), so it refuses; no second opinion here.
    // That inheritance is not "anything goes" shows below: a leaf signed by another key of the same parameters fails.
    const theirs = opensslVerify({ target: leaf.der, anchors: [root.der], crlCheck: 'none' });
    expect(theirs.ok, theirs.output).toBe(false);

    // A leaf signed by another DSA key than the root's: the signature fails.
    const forged = certificate({ subject: dn(['CN', 'DSA Forged']), issuer: { ...root, ...dsaKey() }, extensions: leafExtensions() });
    const bad = await validatePath({ target: new PathCertificate(forged.der), anchors: [new PathCertificate(root.der)], revocation: 'none' });
    expect(bad.decidedBy.code).toBe('CHAIN_SIGNATURE_INVALID');
    expect(opensslVerify({ target: forged.der, anchors: [root.der], crlCheck: 'none' }).ok).toBe(false);
  });
});
