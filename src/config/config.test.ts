import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration: the notice signing key', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'qorgau-config-'));

  it('is read from QORGAU_NOTICE_KEY_FILE (the server using it is tested in notifications.db.test.ts)', () => {
    const file = path.join(dir, 'notice-key.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
    expect(loadConfig({ QORGAU_DATA_DIR: dir, QORGAU_NOTICE_KEY_FILE: file }).noticeKeyFile).toBe(file);
  });

  it('refuses to start when the configured file is missing, instead of making a key nobody knows', () => {
    expect(() => loadConfig({ QORGAU_DATA_DIR: dir, QORGAU_NOTICE_KEY_FILE: path.join(dir, 'typo.pem') })).toThrow(ConfigError);
    expect(() => loadConfig({ QORGAU_DATA_DIR: dir, QORGAU_NOTICE_KEY_FILE: path.join(dir, 'typo.pem') })).toThrow(/QORGAU_NOTICE_KEY_FILE/);
  });

  it('is unset by default (the key is made in the data folder)', () => {
    expect(loadConfig({ QORGAU_DATA_DIR: dir }).noticeKeyFile).toBeUndefined();
  });
});
