import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOcspRequest, buildTestHierarchy, openssl, pem, tempDir, writeTemp } from '../../../../test/helpers/revocation-fixtures.js';
import { MalformedOcspRequest, parseOcspRequest } from './ocsp-request.js';

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
