import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { maskIins } from '../../src/http/log-privacy.js';
import { Pseudonymizer } from '../../src/privacy/pseudonym.js';
import { getTestDatabase, getTestHierarchy } from '../helpers/test-database.js';
import { buildBin, buildBreach, buildIin, buildOperatorToken } from '../helpers/factories.js';
import { enrolledOrganization } from '../helpers/organizations.js';

describe('masking IINs in log lines', () => {
  const pseudonymizer = new Pseudonymizer(Buffer.alloc(32, 7));
  it('replaces every run of twelve digits by a pseudonym prefix, and keeps a BIN it is told to keep', () => {
    const masked = maskIins('/v1/orgs/940140000385/employees/880515300120?after=880515300120.5', pseudonymizer, new Set(['940140000385']));
    expect(masked).not.toContain('880515300120');
    expect(masked).toContain('/v1/orgs/940140000385/employees/iin~');
    expect(masked).toContain(`iin~${pseudonymizer.of('880515300120').toString('hex').slice(0, 16)}`);
    expect(maskIins('8805153001201', pseudonymizer)).toBe('8805153001201');
  });
});

/**
 * DESIGN.md: application logs never hold a raw IIN. The whole app logs at trace into a captured
 * stream while a registry import, lender checks and an organization's employee records go
 * through it; then the log is searched for every IIN used and for its unkeyed SHA-256.
 */
describe('the application log', () => {
  it('holds no raw IIN and no unkeyed hash of one after a full flow', async () => {
    const { database, config } = await getTestDatabase();
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await buildApp({ config, database, logger: { level: 'trace', stream }, pki: await getTestHierarchy() });
    await app.ready();
    const iins = Array.from({ length: 6 }, buildIin);
    try {
      // Registry: a breach, its affected persons (CSV), published.
      const operator = { authorization: `Bearer ${await buildOperatorToken(database.db)}` };
      const breach = (await app.inject({ method: 'POST', url: '/v1/breaches', headers: operator, payload: buildBreach() })).json();
      const imported = await app.inject({
        method: 'POST',
        url: `/v1/breaches/${breach.id}/affected`,
        headers: { ...operator, 'content-type': 'text/csv' },
        payload: `iin,categories\n${iins.slice(0, 3).map((i) => `${i},phone`).join('\n')}\n`,
      });
      expect(imported.json().accepted).toBe(3);
      expect((await app.inject({ method: 'POST', url: `/v1/breaches/${breach.id}/publish`, headers: operator })).statusCode).toBe(200);

      // Lender checks: one of the affected (denied), one stranger.
      const admin = { authorization: `Bearer ${await buildOperatorToken(database.db, 'admin')}` };
      const lenderBin = buildBin();
      await app.inject({ method: 'POST', url: '/v1/credit/lenders', headers: admin, payload: { bin: lenderBin, name: 'Log Bank', licence: 'bank' } });
      const key = (await app.inject({ method: 'POST', url: `/v1/credit/lenders/${lenderBin}/keys`, headers: admin })).json().key;
      for (const iin of [iins[0], iins[3]]) {
        const checked = await app.inject({ method: 'POST', url: '/v1/credit/checks', headers: { authorization: `Bearer ${key}` }, payload: { iin, product: 'bank_loan', channel: 'online', amount: 1000 } });
        expect(checked.statusCode).toBe(200);
      }

      // Employee records: IINs in the path and in a page cursor; one refused, one not found.
      const org = await enrolledOrganization(app, buildBin());
      const hr = { cookie: org.hrCookie };
      for (const iin of [iins[4], iins[5]]) {
        const put = await app.inject({ method: 'PUT', url: `/v1/orgs/${org.bin}/employees/${iin}`, headers: hr, payload: { position: 'Accountant' } });
        expect(put.statusCode, put.body).toBe(201);
      }
      expect((await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees/${iins[4]}`, headers: hr })).statusCode).toBe(200);
      const page = (await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees?limit=1`, headers: hr })).json();
      expect(page.next).toMatch(/^\d{12}/);
      expect((await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees?limit=1&after=${encodeURIComponent(page.next)}`, headers: hr })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees/${iins[1]}`, headers: hr })).statusCode).toBe(404);
      expect((await app.inject({ method: 'GET', url: `/v1/orgs/${org.bin}/employees/${iins[2]}` })).statusCode).toBe(401);
      expect((await app.inject({ method: 'GET', url: `/v1/no-such-route/${iins[3]}` })).statusCode).toBe(404);
      iins.push(org.head.iin, org.hr.iin);
    } finally {
      await app.close();
    }

    const log = lines.join('');
    // The canaries: the log did record these URLs, with the BIN readable and the IIN as its pseudonym.
    expect(log).toContain('/employees/iin~');
    expect(log).toContain(`iin~${app.pseudonymizer.of(iins[4]).toString('hex').slice(0, 16)}`);
    expect(log).toMatch(/"url":"\/v1\/orgs\/\d{12}\/employees/);
    for (const iin of iins) {
      expect(log.includes(iin), `the log holds the IIN ${iin}`).toBe(false);
      expect(log.includes(createHash('sha256').update(iin).digest('hex')), `the log holds SHA-256 of ${iin}`).toBe(false);
    }
  }, 180_000);
});
