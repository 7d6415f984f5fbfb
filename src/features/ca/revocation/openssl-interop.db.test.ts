import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, getTestDatabase, getTestHierarchy } from '../../../../test/helpers/test-database.js';
import { buildTestHierarchy, insertTestCertificate, openssl, pem, tempDir, writeTemp, type TestHierarchy } from '../../../../test/helpers/revocation-fixtures.js';
import { createApiToken } from '../../../auth/api-tokens.js';
import { buildApp } from '../../../http/app.js';

/** The real OpenSSL client against the real server on a socket. */
describe('OpenSSL interop: ocsp and verify -crl_check against the running responder', () => {
  let app: FastifyInstance;
  let h: TestHierarchy;
  let base: string;
  let dir: string;
  let chain: string;
  let issuingPem: string;
  let token: string;

  beforeAll(async () => {
    const { database, config, databaseUrl } = await getTestDatabase();
    h = await buildTestHierarchy();
    app = await buildApp({ config: { ...config, databaseUrl }, database, logger: false, pki: h });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;
    dir = tempDir();
    chain = writeTemp(dir, 'chain.pem', pem('CERTIFICATE', h.root.der) + pem('CERTIFICATE', h.issuing.der));
    issuingPem = writeTemp(dir, 'issuing.pem', pem('CERTIFICATE', h.issuing.der));
    token = (await createApiToken(database.db, 'interop', 'ca-operator')).token;
  });
  afterAll(async () => {
    await app?.close();
  });

  async function issue(name: string) {
    const { database } = await getTestDatabase();
    const cert = await insertTestCertificate(database.db, h);
    return { ...cert, file: writeTemp(dir, `${name}.pem`, pem('CERTIFICATE', cert.der)) };
  }

  async function revokeOverHttp(serial: string, reason: string) {
    const res = await fetch(`${base}/v1/pki/certificates/${serial}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason }),
    });
    expect(res.status).toBe(200);
  }

  const ocsp = (certFile: string, issuer = issuingPem) =>
    openssl(['ocsp', '-issuer', issuer, '-cert', certFile, '-url', `${base}/pki/ocsp`, '-CAfile', chain, '-timeout', '10']);

  it('openssl ocsp gets good, then revoked right after the revocation, and verifies both responses (signature, signer, nonce)', async () => {
    const cert = await issue('ocsp-target');
    const before = await ocsp(cert.file);
    expect(before.stderr).toContain('Response verify OK');
    expect(before.stdout).toContain(`${cert.file}: good`);

    await revokeOverHttp(cert.serial, 'keyCompromise');
    // Within one second on every instance (the status cache learns of it by NOTIFY).
    let after = await ocsp(cert.file);
    for (const until = Date.now() + 1000; !after.stdout.includes(': revoked') && Date.now() < until; ) after = await ocsp(cert.file);
    expect(after.stderr).toContain('Response verify OK');
    expect(after.stdout).toContain(`${cert.file}: revoked`);
    expect(after.stdout).toContain('Reason: keyCompromise');
    // The nonce is checked by default; a missing echo would print a warning.
    expect(after.stderr + after.stdout).not.toMatch(/nonce/i);
  });

  describe('pre-signed answers (RFC 5019: requests without a nonce)', () => {
    /** The request `openssl ocsp -no_nonce` would send, written by openssl itself. */
    async function requestOf(certFile: string): Promise<Buffer> {
      const out = `${certFile}.req`;
      const made = await openssl(['ocsp', '-issuer', issuingPem, '-cert', certFile, '-no_nonce', '-reqout', out]);
      expect(made.code, made.stderr).toBe(0);
      return readFileSync(out);
    }
    const get = (request: Buffer, target: FastifyInstance | string = base, headers: Record<string, string> = {}) =>
      typeof target === 'string'
        ? fetch(`${target}/pki/ocsp/${encodeURIComponent(request.toString('base64'))}`, { headers })
        : target.inject({ method: 'GET', url: `/pki/ocsp/${encodeURIComponent(request.toString('base64'))}`, headers }).then((r) => new Response(r.statusCode === 304 ? null : new Uint8Array(r.rawPayload), { status: r.statusCode, headers: Object.entries(r.headers).map(([k, v]): [string, string] => [k, String(v)]) }));
    /** openssl reads the answer given and checks it: signature, signer, the certificate's status, thisUpdate/nextUpdate. */
    async function checked(certFile: string, body: Buffer) {
      const file = writeTemp(dir, `answer-${Math.random().toString(36).slice(2)}.der`, body);
      return openssl(['ocsp', '-respin', file, '-issuer', issuingPem, '-cert', certFile, '-CAfile', chain, '-no_nonce', '-resp_text']);
    }

    it('GET gets one stored answer, the same bytes on every instance, with CDN caching headers; openssl accepts it', async () => {
      const cert = await issue('presigned-target');
      const request = await requestOf(cert.file);
      const first = await get(request);
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe('application/ocsp-response');
      const body = Buffer.from(await first.arrayBuffer());
      const verified = await checked(cert.file, body);
      expect(verified.stderr).toContain('Response verify OK');
      expect(verified.stdout).toContain(`${cert.file}: good`);
      expect(verified.stdout).toMatch(/Next Update: /);

      const maxAge = Number(/max-age=(\d+)/.exec(first.headers.get('cache-control') ?? '')?.[1]);
      expect(first.headers.get('cache-control')).toMatch(/public/);
      expect(maxAge).toBeGreaterThan(0);
      expect(maxAge).toBeLessThanOrEqual(3600);
      const nextUpdate = new Date(first.headers.get('expires')!).getTime();
      expect(Date.now() + maxAge * 1000).toBeLessThanOrEqual(nextUpdate + 1000);
      expect(new Date(first.headers.get('last-modified')!).getTime()).toBeLessThanOrEqual(Date.now());
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);

      // Again, and from another instance on the same database: the same bytes, the same ETag.
      const { database, config, databaseUrl } = await getTestDatabase();
      const other = await buildApp({ config: { ...config, databaseUrl }, database, logger: false, pki: h });
      try {
        await other.ready();
        for (const target of [base, other] as const) {
          const again = await get(request, target);
          expect(Buffer.from(await again.arrayBuffer()).equals(body)).toBe(true);
          expect(again.headers.get('etag')).toBe(etag);
        }
        const notModified = await get(request, base, { 'if-none-match': etag! });
        expect(notModified.status).toBe(304);
      } finally {
        await other.close();
      }
      // POST without a nonce is answered from the same store; with a nonce, signed on the spot (openssl checks the echo).
      const posted = await openssl(['ocsp', '-issuer', issuingPem, '-cert', cert.file, '-url', `${base}/pki/ocsp`, '-CAfile', chain, '-no_nonce', '-respout', `${cert.file}.posted`]);
      expect(posted.stdout).toContain(`${cert.file}: good`);
      expect(readFileSync(`${cert.file}.posted`).equals(body)).toBe(true);
      const withNonce = await ocsp(cert.file);
      expect(withNonce.stderr).toContain('Response verify OK');
      expect(withNonce.stderr + withNonce.stdout).not.toMatch(/nonce/i);
    });

    it('after a revocation no instance serves the stored good answer: both answer revoked, and openssl accepts it', async () => {
      const cert = await issue('presigned-revoked');
      const request = await requestOf(cert.file);
      const { database, config, databaseUrl } = await getTestDatabase();
      const other = await buildApp({ config: { ...config, databaseUrl }, database, logger: false, pki: h });
      try {
        await other.ready();
        const good = Buffer.from(await (await get(request, other)).arrayBuffer());
        expect((await checked(cert.file, good)).stdout).toContain(`${cert.file}: good`);

        await revokeOverHttp(cert.serial, 'keyCompromise');
        // The instance that revoked knows at once on the embedded database; every instance within the
        // status cache's NOTIFY delay on PostgreSQL (milliseconds; bounded here at two seconds).
        for (const target of [base, other] as const) {
          let answer = Buffer.from(await (await get(request, target)).arrayBuffer());
          for (const until = Date.now() + 2000; answer.equals(good) && Date.now() < until; ) answer = Buffer.from(await (await get(request, target)).arrayBuffer());
          const verified = await checked(cert.file, answer);
          expect(verified.stderr).toContain('Response verify OK');
          expect(verified.stdout).toContain(`${cert.file}: revoked`);
          expect(verified.stdout).toContain('Reason: keyCompromise');
        }
        // The good answer signed before is gone from the store; the one there states the revocation.
        const stored = await database.db.selectFrom('ocsp_responses').select(['revoked_at', 'revocation_reason']).where('serial', '=', cert.serial).execute();
        expect(stored.every((r) => r.revoked_at !== null && r.revocation_reason === 'keyCompromise')).toBe(true);
      } finally {
        await other.close();
      }
    });
  });

  it('openssl ocsp is told unauthorized for a certificate of another issuer', async () => {
    const stranger = await buildTestHierarchy();
    const strangerIssuer = writeTemp(dir, 'stranger.pem', pem('CERTIFICATE', stranger.issuing.der));
    const result = await ocsp(writeTemp(dir, 'stranger-ca.pem', pem('CERTIFICATE', stranger.ocspSigner.der)), strangerIssuer);
    expect(result.stdout + result.stderr).toContain('Responder Error: unauthorized (6)');
  });

  it('openssl verify -crl_check accepts a good certificate and refuses a revoked one with the served CRL', async () => {
    const good = await issue('crl-good');
    const revoked = await issue('crl-revoked');
    await revokeOverHttp(revoked.serial, 'cessationOfOperation');
    // The route kicks a publication after each revocation; fetch until it is in (no timing assumptions).
    let crlFile = '';
    for (let i = 0; i < 50; i++) {
      const der = Buffer.from(await (await fetch(`${base}/pki/crl/${h.issuing.name}.crl`)).arrayBuffer());
      crlFile = writeTemp(dir, 'issuing.crl', der);
      const text = await openssl(['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text']);
      if (text.stdout.includes(revoked.serial.toUpperCase())) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const crlPem = `${dir}/issuing.crl.pem`;
    const converted = await openssl(['crl', '-inform', 'DER', '-in', crlFile, '-out', crlPem]);
    expect(converted.code).toBe(0);
    const rootCrl = Buffer.from(await (await fetch(`${base}/pki/crl/${h.root.name}.crl`)).arrayBuffer());
    const rootCrlPem = `${dir}/root.crl.pem`;
    expect((await openssl(['crl', '-inform', 'DER', '-in', writeTemp(dir, 'root.crl', rootCrl), '-out', rootCrlPem])).code).toBe(0);

    const ok = await openssl(['verify', '-crl_check', '-CAfile', chain, '-CRLfile', crlPem, good.file]);
    expect(ok.stdout).toContain(`${good.file}: OK`);
    const okAll = await openssl(['verify', '-crl_check_all', '-CAfile', chain, '-CRLfile', crlPem, '-CRLfile', rootCrlPem, good.file]);
    expect(okAll.stdout).toContain(`${good.file}: OK`);
    const refused = await openssl(['verify', '-crl_check', '-CAfile', chain, '-CRLfile', crlPem, revoked.file]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain('certificate revoked');
  });

  it('works with the hierarchy made by the CA ceremony: OCSP response and CRL verify with its root', async () => {
    const real = await getTestHierarchy();
    const server = await buildTestApp();
    try {
      await server.listen({ port: 0, host: '127.0.0.1' });
      const port = (server.server.address() as { port: number }).port;
      const rootFile = writeTemp(dir, 'real-root.pem', pem('CERTIFICATE', real.root.der) + pem('CERTIFICATE', real.issuing.der));
      const issuerFile = writeTemp(dir, 'real-issuing.pem', pem('CERTIFICATE', real.issuing.der));
      const unknown = await openssl(['ocsp', '-issuer', issuerFile, '-serial', '0x0123456789', '-url', `http://127.0.0.1:${port}/pki/ocsp`, '-CAfile', rootFile]);
      expect(unknown.stderr).toContain('Response verify OK');
      expect(unknown.stdout).toContain('0x0123456789: unknown');
      const crl = Buffer.from(await (await fetch(`http://127.0.0.1:${port}/pki/crl/${real.issuing.name}.crl`)).arrayBuffer());
      const verified = await openssl(['crl', '-inform', 'DER', '-in', writeTemp(dir, 'real.crl', crl), '-CAfile', rootFile, '-noout']);
      expect(verified.stderr + verified.stdout).toContain('verify OK');
    } finally {
      await server.close();
    }
  });
});
