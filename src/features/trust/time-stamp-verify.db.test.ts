import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/helpers/test-database.js';
import { openssl } from '../../../test/helpers/openssl.js';
import { tempDir, toPem, writeTemp } from '../../../test/helpers/cms-fixtures.js';
import { requestTimeStamp } from '../../client/time-stamp-client.js';
import type { VerificationReport } from './signature-verifier.js';

describe('POST /v1/signatures/verify with a time-stamp token', () => {
  let app: FastifyInstance;
  const injectFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const response = await app.inject({ method: 'POST', url: new URL(String(url)).pathname, headers: init?.headers as Record<string, string>, payload: Buffer.from(init?.body as Uint8Array) });
    return new Response(new Uint8Array(response.rawPayload), { status: response.statusCode, headers: { 'content-type': String(response.headers['content-type']) } });
  }) as typeof fetch;

  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('recognizes the token and verifies it as one: its TSA, its time, and the data it was made for', async () => {
    const data = Buffer.from('a contract stamped at the TSA');
    const token = await requestTimeStamp(`${app.config.publicUrl}/pki/tsa`, data, injectFetch);
    // OpenSSL's opinion of the same token and data, with Qorgau's chain.
    const dir = tempDir();
    const chain = writeTemp(dir, 'chain.pem', toPem(app.pki!.root.der) + toPem(app.pki!.issuing.der));
    const tokenFile = writeTemp(dir, 'token.der', token);
    const dataFile = writeTemp(dir, 'data.bin', data);
    expect(openssl(['ts', '-verify', '-token_in', '-in', tokenFile, '-data', dataFile, '-CAfile', chain, '-untrusted', writeTemp(dir, 'tsa.pem', toPem(app.pki!.tsa.der))]).status).toBe(0);

    const verify = async (payload: Record<string, unknown>) => (await app.inject({ method: 'POST', url: '/v1/signatures/verify', payload })).json() as VerificationReport;
    const alone = await verify({ cms: token.toString('base64') });
    expect(alone.result, JSON.stringify(alone.signers[0].checks)).toBe('valid');
    expect(alone.contentType).toBe('1.2.840.113549.1.9.16.1.4');
    expect(alone.signers[0].checks[0]).toMatchObject({ code: 'TIME_STAMP_VALID' });
    expect(alone.signers[0].checks[0].reason).toContain('not checked');
    expect(alone.signers[0].signedAt.source).toBe('time-stamp');
    expect(alone.signers[0].signer).toBeUndefined();
    expect(JSON.stringify(alone)).not.toContain('EXTENDED_KEY_USAGE_NOT_FOR_SIGNING');

    const withData = await verify({ cms: token.toString('base64'), data: data.toString('base64') });
    expect(withData.result).toBe('valid');
    expect(withData.signers[0].checks[0].reason).not.toContain('not checked');

    const otherData = await verify({ cms: token.toString('base64'), data: Buffer.from('another contract').toString('base64') });
    expect(otherData.result).toBe('invalid');
    expect(otherData.signers[0].checks[0]).toMatchObject({ code: 'TIME_STAMP_INVALID' });
  });
});
