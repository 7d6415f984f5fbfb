import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openssl } from '../../../../test/helpers/openssl.js';
import { initCa, loadCaHierarchy } from './ceremony.js';
import { expiringCertificates, rollOver } from './rollover.js';

describe('qorgau ca rollover', () => {
  it('renews the TSA key and certificate under the issuing CA, keeps the old ones, and records the step', async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'pathval-rollover-')), 'pki');
    const passphrase = randomBytes(18).toString('base64url');
    await initCa({ dir, passphrase, publicUrl: 'http://127.0.0.1:18899' });
    const before = await loadCaHierarchy(dir, passphrase);
    // Warned about 30 days ahead of expiry, not before.
    const soon = new Date(before.tsa.certificate.notAfter.getTime() - 10 * 86_400_000);
    expect(expiringCertificates(before, soon).map((e) => e.name)).toContain('tsa');
    expect(expiringCertificates(before, new Date())).toEqual([]);

    const result = await rollOver({ dir, passphrase, entity: 'tsa' });
    const after = await loadCaHierarchy(dir, passphrase);
    expect(after.tsa.der.equals(before.tsa.der)).toBe(false);
    expect(await after.tsa.signer.publicKeySpki()).not.toEqual(await before.tsa.signer.publicKeySpki());
    expect(after.tsa.certificate.subject).toBe(before.tsa.certificate.subject);
    expect(after.ocspSigner.der.equals(before.ocspSigner.der)).toBe(true);
    expect(existsSync(path.join(dir, result.retired))).toBe(true);
    const record = JSON.parse(readFileSync(path.join(dir, 'ceremony.json'), 'utf8'));
    expect(record.steps.at(-1)).toMatchObject({ action: 'roll over', entity: 'tsa' });
    expect(record.entities.find((e: { name: string }) => e.name === 'tsa').serial).toBe(result.serial);
    // OpenSSL: the new TSA certificate chains to the root through the issuing CA, for time-stamping.
    const verify = openssl(['verify', '-CAfile', path.join(dir, 'root.pem'), '-untrusted', path.join(dir, 'issuing.pem'), '-purpose', 'timestampsign', path.join(dir, 'tsa.pem')]);
    expect(verify.status, verify.stderr).toBe(0);
    await expect(rollOver({ dir, passphrase, entity: 'root' as never })).rejects.toMatchObject({ code: 'ROLLOVER_ENTITY_UNKNOWN' });
  }, 60_000);
});
