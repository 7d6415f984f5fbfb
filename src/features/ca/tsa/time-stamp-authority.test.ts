import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestHierarchy, tempDir, toPem, writeTemp } from '../../../../test/helpers/cms-fixtures.js';
import { openssl } from '../../../../test/helpers/openssl.js';
import { id_sha1, id_sha256, qorgau_tsaPolicy } from '../../../pkix/oids.js';
import { TimeStampAuthority } from './time-stamp-authority.js';
import { buildTimeStampRequest, parseTimeStampResponse, PKI_FAILURE_INFO } from '../../../pkix/time-stamp-protocol.js';

describe('time-stamp authority (RFC 3161)', () => {
  let hierarchy: Awaited<ReturnType<typeof buildTestHierarchy>>;
  let tsa: TimeStampAuthority;
  let dir: string;
  let chainFile: string;

  beforeAll(async () => {
    hierarchy = await buildTestHierarchy();
    tsa = new TimeStampAuthority(hierarchy.tsa);
    dir = tempDir();
    chainFile = writeTemp(dir, 'chain.pem', toPem(hierarchy.root.der) + toPem(hierarchy.issuing.der));
  });

  it.each([
    ['with certReq', ['-cert']],
    ['without certReq', []],
  ])('openssl ts -verify accepts a token (%s)', async (_label, flags) => {
    const data = writeTemp(dir, `data-${flags.length}.txt`, `document ${Math.random()}`);
    const queryFile = `${dir}/q-${flags.length}.tsq`;
    expect(openssl(['ts', '-query', '-data', data, '-sha256', ...flags, '-out', queryFile]).status).toBe(0);
    const answer = await tsa.respond(readFileSync(queryFile));
    expect(answer.granted).toBe(true);
    const replyFile = writeTemp(dir, `r-${flags.length}.tsr`, answer.response);
    const untrusted = flags.length ? [] : ['-untrusted', writeTemp(dir, 'tsa.pem', toPem(hierarchy.tsa.der))];
    const verified = openssl(['ts', '-verify', '-in', replyFile, '-queryfile', queryFile, '-CAfile', chainFile, ...untrusted]);
    expect(verified.stdout + verified.stderr).toContain('Verification: OK');

    const text = openssl(['ts', '-reply', '-in', replyFile, '-text']).stdout;
    expect(text).toContain('Status: Granted.');
    expect(text).toContain(`Policy OID: ${qorgau_tsaPolicy}`);
    expect(text).toMatch(/Nonce: 0x[0-9A-F]+/);
    expect(text).toContain('Accuracy: 0x01 seconds');
  });

  it('a token does not verify against other data', async () => {
    const data = writeTemp(dir, 'a.txt', 'the signed document');
    const other = writeTemp(dir, 'b.txt', 'another document');
    const queryFile = `${dir}/a.tsq`;
    openssl(['ts', '-query', '-data', data, '-sha256', '-cert', '-out', queryFile]);
    const replyFile = writeTemp(dir, 'a.tsr', (await tsa.respond(readFileSync(queryFile))).response);
    const verified = openssl(['ts', '-verify', '-in', replyFile, '-data', other, '-CAfile', chainFile]);
    expect(verified.stdout).not.toContain('Verification: OK');
    expect(verified.status).not.toBe(0);
  });

  it('echoes the nonce bit for bit, including a leading zero octet', async () => {
    const nonce = Buffer.from('00ff00112233445566778899aabbccdd', 'hex');
    const request = buildTimeStampRequest({ hashedMessage: createHash('sha256').update('x').digest(), nonce: nonce.subarray(1), certReq: true });
    const reply = await tsa.respond(request);
    const file = writeTemp(dir, 'nonce.tsr', reply.response);
    expect(openssl(['ts', '-reply', '-in', file, '-text']).stdout).toContain('Nonce: 0xFF00112233445566778899AABBCCDD');
  });

  it.each([
    ['not DER', Buffer.from('hello, TSA'), 'badDataFormat'],
    ['truncated', buildTimeStampRequest({ hashedMessage: Buffer.alloc(32, 1) }).subarray(0, 20), 'badDataFormat'],
    ['empty', Buffer.alloc(0), 'badDataFormat'],
    ['SHA-1 imprint', buildTimeStampRequest({ hashAlgorithm: id_sha1, hashedMessage: Buffer.alloc(20, 1) }), 'badAlg'],
    ['imprint of the wrong length', buildTimeStampRequest({ hashAlgorithm: id_sha256, hashedMessage: Buffer.alloc(20, 1) }), 'badDataFormat'],
    ['another policy', buildTimeStampRequest({ hashedMessage: Buffer.alloc(32, 1), reqPolicy: '1.2.3.4' }), 'unacceptedPolicy'],
  ] as const)('rejects a request that is %s', async (_label, request, failure) => {
    const answer = await tsa.respond(request);
    expect(answer.granted).toBe(false);
    expect(answer.failure).toBe(failure);
    const parsed = parseTimeStampResponse(answer.response);
    expect(parsed.status).toBe(2);
    expect(parsed.failure).toEqual([PKI_FAILURE_INFO[failure]]);
    expect(parsed.token).toBeUndefined();
    const file = writeTemp(dir, `reject-${failure}.tsr`, answer.response);
    expect(openssl(['ts', '-reply', '-in', file, '-text']).stdout).toContain('Status: Rejected.');
  });

  it('refuses a TSA certificate without the critical timeStamping EKU', () => {
    expect(() => new TimeStampAuthority(hierarchy.ocspSigner)).toThrow(/timeStamping/);
  });
});
