import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server-process.js';
import { buildBin, buildIin } from '../helpers/factories.js';
import { runQorgau } from '../helpers/cli.js';

/** `qorgau ...` as an operator types it. */
const qorgau = (args: string[], env: Record<string, string>) => runQorgau(args, { LOG_LEVEL: 'silent', ...env });

describe('an operator at the command line while the server runs on the embedded database', () => {
  it('creates a role token, imports a file and revokes the token through the server, never stopping it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'qorgau-operator-cli-'));
    const dataDir = path.join(dir, 'data');
    const home = { QORGAU_DATA_DIR: dataDir, QORGAU_OPERATOR_FILE: path.join(dir, 'operator.json') };
    const server = startServer({ QORGAU_DATA_DIR: dataDir });
    try {
      const url = await server.ready;
      const adminFile = path.join(dataDir, 'operator.token');

      // Without --url the embedded database is the server's: the refusal says what to do instead.
      // Once more if the first CLI start of a fresh checkout met a build of dist/ under way in
      // another worker (seen once, exit 1); the refusal itself is what is checked.
      let locked = await qorgau(['token', 'list'], home);
      if (locked.code !== 2) locked = await qorgau(['token', 'list'], home);
      expect(locked.code, locked.stderr).toBe(2);
      expect(locked.stderr).toMatch(/--url http:\/\/localhost:8080 --token-file/);

      const created = await qorgau(['token', 'create', '--role', 'registry-operator', '--name', 'registry desk', '--url', url, '--token-file', adminFile], home);
      expect(created.code, created.stderr).toBe(0);
      const desk = created.stdout.trim();
      expect(desk).toMatch(/^qor_[0-9a-f]{16}_/);

      // A saved login is used by later commands without repeating --url and the token.
      const login = await qorgau(['operator', 'login', '--url', url, '--token', desk], home);
      expect(login.code, login.stderr).toBe(0);
      expect(login.stdout).toContain('registry desk (registry-operator)');

      const bin = buildBin();
      const breach = await fetch(`${url}/v1/breaches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${desk}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'cli-import-test', organizationBin: bin, title: 'Leak', source: 'hack', dataCategories: ['iin'] }),
      });
      expect(breach.status).toBe(201);
      const file = path.join(dir, 'affected.csv');
      writeFileSync(file, `iin\n${buildIin()}\n${buildIin()}\nnot-an-iin\n`);
      const imported = await qorgau(['breach', 'import', 'cli-import-test', file], home);
      expect(imported.code, imported.stderr).toBe(0);
      expect(JSON.parse(imported.stdout)).toMatchObject({ accepted: 2, invalid: 1, affectedCount: 2 });
      const again = await qorgau(['breach', 'import', 'cli-import-test', file], home);
      expect(JSON.parse(again.stdout)).toMatchObject({ accepted: 0, duplicate: 2 });

      // The registry desk is not an admin: listing tokens through the server is refused with the reason.
      const notAdmin = await qorgau(['token', 'list'], home);
      expect(notAdmin.code).toBe(1);
      expect(notAdmin.stderr).toContain('AUTH_FORBIDDEN');

      const id = desk.split('_')[1];
      const listed = await qorgau(['token', 'list', '--url', url, '--token-file', adminFile], home);
      expect(listed.stdout).toMatch(new RegExp(`${id}\\tregistry-operator\\tregistry desk\\t.*\\tactive`));
      const revoked = await qorgau(['token', 'revoke', id, '--url', url, '--token-file', adminFile], home);
      expect(revoked.code, revoked.stderr).toBe(0);
      const refused = await qorgau(['breach', 'import', 'cli-import-test', file], home);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('AUTH_INVALID_TOKEN');
      expect(readFileSync(path.join(dir, 'operator.json'), 'utf8')).toContain(url);
    } finally {
      await server.stop();
    }
  }, 240_000);
});
