import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The README's first command on a fresh data folder: the server starts on the embedded
 * database, says where it listens and where the docs are, and writes an operator token.
 */
describe('npm start', () => {
  it('serves the API and its docs on a fresh embedded database', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qorgau-start-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, QORGAU_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' },
    });
    let stderr = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start line:\n${stderr}`)), 90_000);
        child.stderr.on('data', (d) => {
          stderr += d;
          const m = /listening on (http:\/\/\S+)/.exec(stderr);
          if (m && /API docs: /.test(stderr)) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${stderr}`)));
      });
      expect(stderr).toContain(`API docs: ${url}/docs`);
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
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }, 120_000);
});
