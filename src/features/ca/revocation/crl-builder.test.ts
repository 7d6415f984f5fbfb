import { describe, expect, it, beforeAll } from 'vitest';
import { buildRsaTestCa, buildTestHierarchy, issueTestCertificate, openssl, pem, randomSerial, tempDir, writeTemp, type TestHierarchy } from '../../../../test/helpers/revocation-fixtures.js';
import { CrlEntriesWriter, CrlLintError, buildCrl, type CrlEntry } from './crl-builder.js';
import { CRL_REASON_CODES } from '../../../pkix/crl-reason.js';
import { WebCryptoSigner } from '../../../pkix/webcrypto-signer.js';

const HOUR = 3_600_000;

function writerOf(entries: CrlEntry[]): CrlEntriesWriter {
  const writer = new CrlEntriesWriter();
  for (const e of entries) writer.add(e);
  return writer;
}

function content(entries: CrlEntry[], crlNumber = 1) {
  const thisUpdate = new Date(Math.floor(Date.now() / 1000) * 1000);
  return { crlNumber, thisUpdate, nextUpdate: new Date(thisUpdate.getTime() + 24 * HOUR), entries: writerOf(entries) };
}

describe('CRL builder', () => {
  let h: TestHierarchy;
  let dir: string;
  let chainFile: string;
  beforeAll(async () => {
    h = await buildTestHierarchy();
    dir = tempDir();
    chainFile = writeTemp(dir, 'chain.pem', pem('CERTIFICATE', h.root.der) + pem('CERTIFICATE', h.issuing.der));
  });

  it('writes a v2 CRL that OpenSSL reads and verifies, with reason, invalidity date, number and AKI', async () => {
    const revokedAt = Date.UTC(2026, 10, 20, 10, 30, 15);
    const serials = [randomSerial(), randomSerial(), randomSerial()].sort();
    const crl = await buildCrl(h.issuing, content([
      { serial: serials[0], revokedAt, reason: CRL_REASON_CODES.keyCompromise, invalidityDate: Date.UTC(2026, 10, 19, 8, 0, 0) },
      { serial: serials[1], revokedAt, reason: CRL_REASON_CODES.certificateHold },
      { serial: serials[2], revokedAt, reason: 0 },
    ], 42));
    const file = writeTemp(dir, 'small.crl', crl);
    const text = await openssl(['crl', '-inform', 'DER', '-in', file, '-text', '-noout']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Version 2 (0x1)');
    expect(text.stdout).toMatch(/CRL Number: \s*42/);
    expect(text.stdout).toContain('Authority Key Identifier');
    expect(text.stdout).toContain('Key Compromise');
    expect(text.stdout).toContain('Certificate Hold');
    expect(text.stdout).toContain('Invalidity Date: \n                Nov 19 08:00:00 2026 GMT');
    expect(text.stdout).toContain('Revocation Date: Nov 20 10:30:15 2026 GMT');
    for (const s of serials) expect(text.stdout).toContain(s.toUpperCase());
    // unspecified is left out rather than written (RFC 5280 5.3.1): only two reason codes.
    expect(text.stdout.match(/CRL Reason Code/g)).toHaveLength(2);
    const verified = await openssl(['crl', '-inform', 'DER', '-in', file, '-CAfile', chainFile, '-noout']);
    expect(verified.stderr + verified.stdout).toContain('verify OK');
  });

  it('lets openssl verify -crl_check accept a good certificate and refuse a revoked one', async () => {
    const good = await issueTestCertificate(h);
    const revoked = await issueTestCertificate(h);
    const crlFile = writeTemp(dir, 'check.crl', pem('X509 CRL', await buildCrl(h.issuing, content([{ serial: revoked.serial, revokedAt: Date.now() - 1000, reason: 1 }]))));
    const goodFile = writeTemp(dir, 'good.pem', pem('CERTIFICATE', good.der));
    const revokedFile = writeTemp(dir, 'revoked.pem', pem('CERTIFICATE', revoked.der));
    const ok = await openssl(['verify', '-crl_check', '-CAfile', chainFile, '-CRLfile', crlFile, goodFile]);
    expect(ok.stdout).toContain(': OK');
    expect(ok.code).toBe(0);
    const refused = await openssl(['verify', '-crl_check', '-CAfile', chainFile, '-CRLfile', crlFile, revokedFile]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain('certificate revoked');
  });

  it('signs with an RSA-2048 CA key too (sha256WithRSAEncryption)', async () => {
    const rsa = await buildRsaTestCa();
    const crl = await buildCrl(rsa, content([{ serial: randomSerial(), revokedAt: Date.now() - 1000, reason: 1 }]));
    const file = writeTemp(dir, 'rsa.crl', crl);
    const caFile = writeTemp(dir, 'rsa-ca.pem', pem('CERTIFICATE', rsa.der));
    const text = await openssl(['crl', '-inform', 'DER', '-in', file, '-text', '-noout', '-CAfile', caFile]);
    expect(text.stdout).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(text.stderr + text.stdout).toContain('verify OK');
  });

  it('leaves revokedCertificates out when nothing is revoked', async () => {
    const file = writeTemp(dir, 'empty.crl', await buildCrl(h.issuing, content([])));
    const text = await openssl(['crl', '-inform', 'DER', '-in', file, '-text', '-noout', '-CAfile', chainFile]);
    expect(text.stdout).toContain('No Revoked Certificates');
    expect(text.stderr + text.stdout).toContain('verify OK');
  });

  it('writes GeneralizedTime for dates from 2050 (RFC 5280 5.1.2.4)', async () => {
    const c = content([{ serial: '01', revokedAt: Date.now() - 1000, reason: 0 }]);
    c.nextUpdate = new Date(Date.UTC(2051, 0, 1));
    const crl = await buildCrl(h.issuing, c);
    const text = await openssl(['crl', '-inform', 'DER', '-in', writeTemp(dir, 'far.crl', crl), '-text', '-noout']);
    expect(text.stdout).toContain('Next Update: Jan  1 00:00:00 2051 GMT');
    expect(crl.includes(Buffer.from('20510101000000Z'))).toBe(true);
  });

  it('OpenSSL parses a CRL of 10,000 entries', async () => {
    const serials = Array.from({ length: 10_000 }, randomSerial).sort();
    const now = Date.now() - 60_000;
    const crl = await buildCrl(h.issuing, content(serials.map((serial, i) => ({ serial, revokedAt: now - i * 1000, reason: (i % 5) + 1 }))));
    const file = writeTemp(dir, 'big.crl', crl);
    const text = await openssl(['crl', '-inform', 'DER', '-in', file, '-text', '-noout', '-CAfile', chainFile]);
    expect(text.code).toBe(0);
    expect(text.stderr + text.stdout).toContain('verify OK');
    expect(text.stdout.match(/Serial Number:/g)).toHaveLength(10_000);
    expect(text.stdout).toContain(serials[9_999].toUpperCase());
  });

  describe('lint before signing', () => {
    const refusal = async (make: () => Promise<Buffer>) => {
      try {
        await make();
      } catch (err) {
        expect(err).toBeInstanceOf(CrlLintError);
        return (err as CrlLintError).problems.join('; ');
      }
      throw new Error('the CRL was signed');
    };

    it('refuses entries out of order or listed twice', async () => {
      expect(await refusal(() => buildCrl(h.issuing, content([{ serial: '05', revokedAt: 0, reason: 1 }, { serial: '03', revokedAt: 0, reason: 1 }])))).toContain('out of order');
      expect(await refusal(() => buildCrl(h.issuing, content([{ serial: '05', revokedAt: 0, reason: 1 }, { serial: '05', revokedAt: 0, reason: 1 }])))).toContain('listed twice');
    });

    it('refuses negative, non-minimal or malformed serials and removeFromCRL in a full CRL', async () => {
      expect(await refusal(() => buildCrl(h.issuing, content([{ serial: '80', revokedAt: 0, reason: 1 }])))).toContain('negative');
      expect(await refusal(() => buildCrl(h.issuing, content([{ serial: '0001', revokedAt: 0, reason: 1 }])))).toContain('redundant leading zero');
      expect(await refusal(() => buildCrl(h.issuing, content([{ serial: 'xyz', revokedAt: 0, reason: 1 }])))).toContain('not the lower-case hex');
      expect(await refusal(() => buildCrl(h.issuing, content([{ serial: '01', revokedAt: 0, reason: 8 }])))).toContain('not allowed in a full CRL');
    });

    it('refuses nextUpdate not after thisUpdate and revocations after thisUpdate', async () => {
      const c = content([]);
      c.nextUpdate = c.thisUpdate;
      expect(await refusal(() => buildCrl(h.issuing, c))).toContain('nextUpdate must be after thisUpdate');
      expect(await refusal(() => buildCrl(h.issuing, content([{ serial: '01', revokedAt: Date.now() + 2 * HOUR, reason: 1 }])))).toContain('revoked after thisUpdate');
    });

    it('refuses a signer whose key is not the issuer certificate key, and a non-CA issuer', async () => {
      const stranger = await WebCryptoSigner.generate();
      expect(await refusal(() => buildCrl({ der: h.issuing.der, signer: stranger }, content([])))).toContain("signer's key is not the issuer certificate's key");
      expect(await refusal(() => buildCrl(h.ocspSigner, content([])))).toContain('not a CA certificate');
    });
  });
});
