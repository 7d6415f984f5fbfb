import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server-process.js';

/**
 * The README's first command on a fresh data folder: the server starts on the embedded
 * database, says where it listens and where the docs are, and writes an operator token.
 */
describe('npm start', () => {
  it('runs with a CA made by qorgau ca init when QORGAU_CA_DIR is set', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qorgau-start-ca-'));
    const caDir = path.join(dir, 'ca');
    const passphraseFile = path.join(dir, 'passphrase');
    writeFileSync(passphraseFile, 'correct horse battery staple 2026\n');
    const init = spawnSync(process.execPath, ['bin/qorgau.js', 'ca', 'init', '--dir', caDir, '--passphrase-file', passphraseFile, '--public-url', 'http://localhost:1'], {
      encoding: 'utf8',
      env: { ...process.env, QORGAU_DATA_DIR: path.join(dir, 'data') },
    });
    expect(init.status, init.stderr).toBe(0);
    const server = startServer({ QORGAU_DATA_DIR: path.join(dir, 'data'), QORGAU_CA_DIR: caDir, QORGAU_CA_PASSPHRASE_FILE: passphraseFile });
    try {
      const url = await server.ready;
      const served = Buffer.from(await (await fetch(`${url}/pki/ca/issuing.cer`)).arrayBuffer());
      expect(served.equals(readFileSync(path.join(caDir, 'issuing.cer')))).toBe(true);
    } finally {
      await server.stop();
    }
    writeFileSync(passphraseFile, 'not the passphrase at all\n');
    const refused = startServer({ QORGAU_DATA_DIR: path.join(dir, 'data'), QORGAU_CA_DIR: caDir, QORGAU_CA_PASSPHRASE_FILE: passphraseFile });
    await expect(refused.ready).rejects.toThrow(/exited with 2[\s\S]*cannot start/);
  }, 180_000);

  it('serves the API and its docs on a fresh embedded database', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qorgau-start-'));
    const server = startServer({ QORGAU_DATA_DIR: dataDir });
    try {
      const url = await server.ready;
      expect(server.output.stderr).toContain(`API docs: ${url}/docs`);
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
      const openapi = await (await fetch(`${url}/docs/json`)).json();
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/breaches', '/v1/breaches/{id}/affected', '/v1/organizations/{bin}']));
      expect((await fetch(`${url}/docs`, { redirect: 'follow' })).status).toBe(200);
      expect(await (await fetch(`${url}/metrics`)).text()).toContain('qorgau_http_requests_total');

      const token = readFileSync(path.join(dataDir, 'operator.token'), 'utf8').trim();
      const created = await fetch(`${url}/v1/breaches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'smoke-test', organizationBin: '940140000385', title: 'Smoke', source: 'unknown', dataCategories: ['iin'] }),
      });
      expect(created.status).toBe(201);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
