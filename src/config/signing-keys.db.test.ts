import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { calculateJwkThumbprint, exportJWK, importSPKI } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../test/helpers/test-database.js';
import { ConfigError, loadConfig } from './config.js';

/** Two instances with their own data folders, as on two machines, sharing the configured key files. */
describe('configured signing keys for check answers and tree heads', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'qorgau-keys-'));
  const made = (name: string) => {
    const file = path.join(dir, name);
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
    return file;
  };
  const creditKeyFile = made('credit-key.pem');
  const logKeyFile = made('log-key.pem');
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    for (const configured of [true, true, false]) {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'qorgau-keys-instance-'));
      apps.push(await buildTestApp({ dataDir, ...(configured ? { creditKeyFile, logKeyFile } : {}) }));
    }
  }, 120_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  /** The key's thumbprint as jose computes it from the public half OpenSSL prints. */
  async function thumbprintOf(file: string): Promise<string> {
    const spki = execFileSync('openssl', ['pkey', '-in', file, '-pubout'], { encoding: 'utf8' });
    return calculateJwkThumbprint(await exportJWK(await importSPKI(spki, 'ES256')));
  }

  it('signs lenders\' answers with QORGAU_CREDIT_KEY_FILE on every instance; without it each instance makes its own', async () => {
    const kids = await Promise.all(apps.map(async (app) => (await app.inject('/v1/credit/signing-key')).json().keys[0].kid as string));
    const expected = await thumbprintOf(creditKeyFile);
    expect(kids[0]).toBe(expected);
    expect(kids[1]).toBe(expected);
    expect(kids[2]).not.toBe(expected);
  });

  it('signs tree heads with QORGAU_LOG_KEY_FILE on every instance', async () => {
    const keys = await Promise.all(apps.map(async (app) => (await app.inject('/v1/log/sth')).json().publicKey));
    const expected = await thumbprintOf(logKeyFile);
    for (const key of keys.slice(0, 2)) expect(await calculateJwkThumbprint({ kty: key.kty, crv: key.crv, x: key.x, y: key.y })).toBe(expected);
    expect(await calculateJwkThumbprint({ kty: keys[2].kty, crv: keys[2].crv, x: keys[2].x, y: keys[2].y })).not.toBe(expected);
  });

  it('refuses to start when a configured key file is missing', () => {
    for (const name of ['QORGAU_CREDIT_KEY_FILE', 'QORGAU_LOG_KEY_FILE']) {
      expect(() => loadConfig({ QORGAU_DATA_DIR: dir, [name]: path.join(dir, 'typo.pem') })).toThrow(ConfigError);
      expect(() => loadConfig({ QORGAU_DATA_DIR: dir, [name]: path.join(dir, 'typo.pem') })).toThrow(new RegExp(name));
    }
  });
});
