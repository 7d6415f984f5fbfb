import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildTestApp, getTestDatabase } from '../helpers/test-database.js';
import { buildBin, buildBreach, buildIin, buildOperatorToken } from '../helpers/factories.js';

const MB = 1024 * 1024;

interface Answer {
  status: number;
  contentType: string;
  body: string;
  /** Bytes of the body the client had written when the answer's headers arrived. */
  sentBeforeAnswer: number;
  connection: string | undefined;
}

/**
 * Streams a 30 MB body over a real socket, 64 KB at a time, but never more than the first
 * megabyte until an answer arrives: a server that reads (or parses) the body before it
 * authenticates never answers, and the test fails on its timeout instead of passing slowly.
 */
function upload(base: string, method: string, path: string, headers: Record<string, string>, totalBytes = 30 * MB): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    let sent = 0;
    let answered = false;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const request = http.request(url, { method, headers: { ...headers, 'content-length': String(totalBytes) } }, (response) => {
      answered = true;
      const sentBeforeAnswer = sent;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (d) => (body += d));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type']), body, sentBeforeAnswer, connection: response.headers.connection });
      });
    });
    request.on('error', (err) => {
      if (!answered) reject(err);
    });
    const pump = () => {
      while (!answered && sent < MB) {
        sent += chunk.length;
        if (!request.write(chunk)) return void request.once('drain', pump);
      }
      // Holds the rest back until the server has answered; then the socket is simply dropped.
    };
    pump();
  });
}

describe('authentication before the body', () => {
  let app: FastifyInstance;
  let base: string;
  let breachId: string;
  const bin = buildBin();

  beforeAll(async () => {
    app = await buildTestApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const { database } = await getTestDatabase();
    const token = await buildOperatorToken(database.db);
    const created = await app.inject({ method: 'POST', url: '/v1/breaches', headers: { authorization: `Bearer ${token}` }, payload: buildBreach() });
    breachId = created.json().id;
  });
  afterAll(async () => app?.close());

  const cases: Array<[string, string, () => string, Record<string, string>]> = [
    ['an affected-persons import (CSV, streamed)', 'POST', () => `/v1/breaches/${breachId}/affected`, { 'content-type': 'text/csv' }],
    ['an affected-persons import with a made-up token', 'POST', () => `/v1/breaches/${breachId}/affected`, { 'content-type': 'application/x-ndjson', authorization: 'Bearer qop_not-a-real-token' }],
    ['an HR staff upload (CSV, buffered up to 32 MB)', 'POST', () => `/v1/orgs/${bin}/staff-sync`, { 'content-type': 'text/csv' }],
    ['a lender check (JSON)', 'POST', () => '/v1/credit/checks', { 'content-type': 'application/json' }],
    ['a person\'s contact (JSON, session routes)', 'POST', () => '/v1/me/contacts', { 'content-type': 'application/json' }],
    ['an employee record (JSON)', 'PUT', () => `/v1/orgs/${bin}/employees/${buildIin()}`, { 'content-type': 'application/json' }],
    ['a restriction policy (JSON)', 'POST', () => '/v1/credit/policy', { 'content-type': 'application/json' }],
  ];

  it.each(cases)('refuses %s from an anonymous client at the headers with 401', async (_name, method, path, headers) => {
    const answer = await upload(base, method, path(), headers);
    expect(answer.status).toBe(401);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body).code).toMatch(/^(AUTH_|SESSION_)/);
    expect(answer.sentBeforeAnswer).toBeLessThanOrEqual(MB + 64 * 1024);
    // The rest of the upload is not drained: the server closes the connection.
    expect(answer.connection).toBe('close');
  }, 30_000);

  it('still reads the body of a route that needs no credential (the guard is not on every route)', async () => {
    // Sign-in takes no credential: its 30 MB JSON meets the body limit (413), not a 401.
    const answer = await upload(base, 'POST', '/v1/auth/signin', { 'content-type': 'application/json' }, 2 * MB);
    expect(answer.status).toBe(413);
  }, 30_000);
});
