import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOcspRequest, buildTestHierarchy, openssl, pem, tempDir, writeTemp } from '../../../../test/helpers/revocation-fixtures.js';
import { certificateParts } from './certificate-parts.js';
import { MalformedOcspRequest, parseOcspRequest, rfc5019Serial } from './ocsp-request.js';

describe('OCSP request parsing', () => {
  it('reads a request made by openssl ocsp: CertID fields, serials and the nonce', async () => {
    const h = await buildTestHierarchy();
    const dir = tempDir();
    const issuer = writeTemp(dir, 'issuing.pem', pem('CERTIFICATE', h.issuing.der));
    const out = path.join(dir, 'req.der');
    const made = await openssl(['ocsp', '-sha256', '-issuer', issuer, '-serial', '0x4a0b1c', '-serial', '0x7f', '-reqout', out]);
    expect(made.code).toBe(0);
    const parsed = parseOcspRequest(readFileSync(out));
    expect(parsed.requests.map((r) => r.serial)).toEqual(['4a0b1c', '7f']);
    expect(parsed.requests[0].hashAlgorithm).toBe('2.16.840.1.101.3.4.2.1');
    expect(parsed.requests[0].issuerNameHash).toHaveLength(32);
    expect(parsed.nonceExtension).toBeDefined();
  });

  it('refuses what RFC 6960 does not allow, with MalformedOcspRequest', async () => {
    const h = await buildTestHierarchy();
    const valid = buildOcspRequest(h.issuing.der, '01');
    const cases = [
      Buffer.alloc(0),
      Buffer.from([0x30, 0x80, 0x00, 0x00]), // indefinite length (BER, not DER)
      valid.subarray(0, valid.length - 1),
      Buffer.concat([valid, Buffer.from([0x00])]),
      Buffer.from([0x30, 0x04, 0x30, 0x02, 0x30, 0x00]), // empty requestList
      buildOcspRequest(h.issuing.der, '01', { nonce: Buffer.alloc(33, 1) }),
    ];
    for (const bytes of cases) expect(() => parseOcspRequest(bytes)).toThrow(MalformedOcspRequest);
  });
});

describe('the RFC 5019 fast path (rfc5019Serial)', () => {
  /** The CertID prefix written here from the issuer's certificate, apart from the responder's own. */
  function prefixOf(issuerDer: Buffer): Buffer {
    const issuer = certificateParts(issuerDer);
    const sha1 = (b: Buffer) => createHash('sha1').update(b).digest();
    return Buffer.concat([Buffer.from('300906052b0e03021a0500', 'hex'), Buffer.from([0x04, 20]), sha1(issuer.subject), Buffer.from([0x04, 20]), sha1(issuer.subjectPublicKey)]);
  }

  it('reads the serial of what openssl ocsp -no_nonce sends, as the general parser does', async () => {
    const h = await buildTestHierarchy();
    const dir = tempDir();
    const issuer = writeTemp(dir, 'issuing.pem', pem('CERTIFICATE', h.issuing.der));
    const prefix = prefixOf(h.issuing.der);
    for (const serial of ['01', '7f', '4a0b1c', '45cbd790ff1b7cbbbb3a8e2b779a254f', '0081d790ff1b7cbbbb3a8e2b779a254f0102a3b4']) {
      const out = path.join(dir, `${serial}.der`);
      const made = await openssl(['ocsp', '-no_nonce', '-issuer', issuer, '-serial', `0x${serial}`, '-reqout', out]);
      expect(made.code, made.stderr).toBe(0);
      const der = readFileSync(out);
      const general = parseOcspRequest(der);
      expect(rfc5019Serial(der, prefix)).toBe(general.requests[0].serial);
      // With a nonce, SHA-256, or two certificates: not this shape, left to the general parser.
      const other = path.join(dir, `${serial}-other.der`);
      // (openssl applies -sha256 to the -serial after it.)
      for (const [before, after] of [[[], []], [['-sha256'], ['-no_nonce']], [[], ['-no_nonce', '-serial', '0x02']]]) {
        const made = await openssl(['ocsp', '-issuer', issuer, ...before, '-serial', `0x${serial}`, ...after, '-reqout', other]);
        expect(made.code, made.stderr).toBe(0);
        expect(rfc5019Serial(readFileSync(other), prefix)).toBeUndefined();
      }
    }
  });

  it('whatever bytes it accepts, the general parser reads as one SHA-1 CertID of this issuer with that serial and no nonce', async () => {
    const h = await buildTestHierarchy();
    const prefix = prefixOf(h.issuing.der);
    const valid = buildOcspRequest(h.issuing.der, '4a0b1c');
    expect(rfc5019Serial(valid, prefix)).toBe('4a0b1c');
    const variants: Buffer[] = [valid.subarray(0, valid.length - 1), Buffer.concat([valid, Buffer.from([0])]), Buffer.alloc(0)];
    // Every single octet changed to a few other values (lengths, tags, hashes, serial).
    for (let i = 0; i < valid.length; i++) {
      for (const value of [0x00, 0x01, 0x02, 0x30, 0x7f, 0x80, 0xff, valid[i] ^ 0x01, (valid[i] + 2) & 0xff]) {
        if (value === valid[i]) continue;
        const changed = Buffer.from(valid);
        changed[i] = value;
        variants.push(changed);
      }
    }
    let accepted = 0;
    for (const bytes of variants) {
      const serial = rfc5019Serial(bytes, prefix);
      if (serial === undefined) continue;
      accepted++;
      const general = parseOcspRequest(bytes);
      expect(general.nonceExtension).toBeUndefined();
      expect(general.requests).toHaveLength(1);
      expect(general.requests[0].serial).toBe(serial);
      expect(general.requests[0].certId.equals(Buffer.concat([Buffer.from([0x30, prefix.length + 2 + serial.length / 2]), prefix, Buffer.from([0x02, serial.length / 2]), Buffer.from(serial, 'hex')]))).toBe(true);
    }
    // Only changes inside the serial's value keep the shape.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(3 * 9);
  });
});
