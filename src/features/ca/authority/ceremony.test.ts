import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openssl, tempDir } from '../../../../test/helpers/pki-factories.js';
import { CEREMONY_FILE, ensureDevHierarchy, initCa, loadCaHierarchy, type CeremonyRecord } from './ceremony.js';

const passphrase = 'ceremony passphrase for tests';
const publicUrl = 'https://qorgau.example.kz';

describe('qorgau ca init (the ceremony)', () => {
  for (const algorithm of ['ECDSA-P256', 'RSA-2048'] as const) {
    it(`${algorithm}: creates a hierarchy OpenSSL accepts, with a record of what was done`, async () => {
      const dir = path.join(tempDir(), 'ca');
      const record = await initCa({ dir, passphrase, algorithm, publicUrl });
      expect(record.entities.map((e) => e.name)).toEqual(['root', 'issuing', 'ocsp-signer', 'tsa']);
      const onDisk = JSON.parse(readFileSync(path.join(dir, CEREMONY_FILE), 'utf8')) as CeremonyRecord;
      expect(onDisk.algorithm).toBe(algorithm);
      expect(onDisk.steps.length).toBe(8);
      for (const e of onDisk.entities) {
        const der = readFileSync(path.join(dir, e.certificateFile));
        expect(e.sha256Fingerprint.replace(/:/g, '').toLowerCase()).toBe(createHash('sha256').update(der).digest('hex'));
        expect(readFileSync(path.join(dir, e.keyFile), 'utf8')).toContain('ENCRYPTED PRIVATE KEY');
      }

      const p = (name: string) => path.join(dir, `${name}.pem`);
      const chain = await openssl(['verify', '-x509_strict', '-CAfile', p('root'), '-untrusted', p('issuing'), p('issuing'), p('ocsp-signer'), p('tsa')]);
      expect(chain.stderr).toBe('');
      expect(chain.code).toBe(0);
      // The OCSP signer and the TSA verify for their purposes, not merely as certificates.
      expect((await openssl(['verify', '-purpose', 'timestampsign', '-CAfile', p('root'), '-untrusted', p('issuing'), p('tsa')])).code).toBe(0);
      expect((await openssl(['verify', '-purpose', 'ocsphelper', '-CAfile', p('root'), '-untrusted', p('issuing'), p('ocsp-signer')])).code).toBe(0);

      const ocsp = (await openssl(['x509', '-in', p('ocsp-signer'), '-noout', '-text'])).stdout;
      expect(ocsp).toContain('OCSP Signing');
      expect(ocsp).toContain('OCSP No Check');
      const tsa = (await openssl(['x509', '-in', p('tsa'), '-noout', '-ext', 'extendedKeyUsage'])).stdout;
      expect(tsa).toMatch(/Extended Key Usage: critical\s+Time Stamping\s*$/);
      const issuing = (await openssl(['x509', '-in', p('issuing'), '-noout', '-text'])).stdout;
      expect(issuing).toContain(`URI:${publicUrl}/pki/crl/root.crl`);
      expect(issuing).toContain('CA:TRUE, pathlen:0');

      const hierarchy = await loadCaHierarchy(dir, passphrase);
      expect(hierarchy.issuing.signer.algorithm).toBe(algorithm);
      expect(hierarchy.ocspSigner.name).toBe('ocsp-signer');
      expect(hierarchy.tsa.certificate.subject).toBe('CN=Qorgau Time-Stamping Authority, O=Qorgau, C=KZ');
    });
  }

  it('never overwrites an existing hierarchy, and refuses a wrong passphrase', async () => {
    const dir = path.join(tempDir(), 'ca');
    await initCa({ dir, passphrase, publicUrl });
    await expect(initCa({ dir, passphrase, publicUrl })).rejects.toMatchObject({ code: 'CA_ALREADY_INITIALIZED', kind: 'conflict' });
    await expect(loadCaHierarchy(dir, 'not the passphrase')).rejects.toMatchObject({ code: 'KEY_DECRYPT_FAILED' });
    await expect(initCa({ dir: path.join(tempDir(), 'ca'), passphrase: 'short', publicUrl })).rejects.toMatchObject({ code: 'PASSPHRASE_TOO_SHORT' });
  });

  it('ensureDevHierarchy creates the development hierarchy once and then loads it', async () => {
    const dataDir = tempDir();
    const first = await ensureDevHierarchy(dataDir, publicUrl);
    expect(existsSync(path.join(dataDir, 'pki', 'passphrase.txt'))).toBe(true);
    const second = await ensureDevHierarchy(dataDir, publicUrl);
    expect(second.root.der.equals(first.root.der)).toBe(true);
    expect(second.issuing.der.equals(first.issuing.der)).toBe(true);
  });
});
