import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openssl, tempDir, writeTemp } from '../../../../test/helpers/pki-factories.js';
import { runQorgau } from '../../../../test/helpers/cli.js';


const qorgau = (args: string[], env: Record<string, string> = {}) => runQorgau(args, { QORGAU_PUBLIC_URL: '', ...env });

describe('qorgau ca init', () => {
  it('runs the ceremony from the command line, once', async () => {
    const dir = tempDir();
    const passphraseFile = writeTemp(dir, 'passphrase', 'a ceremony passphrase\n');
    const ca = path.join(dir, 'ca');
    const args = ['ca', 'init', '--dir', ca, '--passphrase-file', passphraseFile, '--algorithm', 'RSA-2048'];

    const noUrl = await qorgau(args);
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toContain('[PUBLIC_URL_REQUIRED]');

    const done = await qorgau([...args, '--public-url', 'https://qorgau.example.kz']);
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/root {9}CN=Qorgau Root CA, O=Qorgau, C=KZ\n\s+serial [0-9a-f]+ {2}SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    const record = JSON.parse(readFileSync(path.join(ca, 'ceremony.json'), 'utf8'));
    expect(record).toMatchObject({ what: 'qorgau ca init', algorithm: 'RSA-2048', publicUrl: 'https://qorgau.example.kz' });
    const text = (await openssl(['x509', '-in', path.join(ca, 'tsa.pem'), '-noout', '-text'])).stdout;
    expect(text).toContain('URI:https://qorgau.example.kz/pki/crl/issuing.crl');

    const again = await qorgau([...args, '--public-url', 'https://qorgau.example.kz']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('[CA_ALREADY_INITIALIZED]');
  });
});
