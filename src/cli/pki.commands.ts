import { Option, type Command } from 'commander';
import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { initCa } from '../features/pki/ca/ceremony.js';
import type { KeyAlgorithm } from '../features/pki/key-signer.js';
import { readPassphraseFile } from '../features/pki/keys/encrypted-file-signer.js';

/** `qorgau ca ...` and `qorgau keygen`: the commands of the certification authority. */
export function registerPkiCommands(program: Command): void {
  const ca = program.command('ca').description('the certification authority');
  ca.command('init')
    .description('key ceremony: create the root CA, issuing CA, OCSP signer and TSA keys (encrypted at rest) and certificates, and a ceremony record')
    .requiredOption('--dir <dir>', 'folder for the keys, certificates and ceremony.json (must not hold a CA yet)')
    .requiredOption('--passphrase-file <file>', 'file whose first line is the passphrase encrypting the keys (12 characters or more)')
    .addOption(new Option('--algorithm <algorithm>', 'key algorithm of the CA keys').choices(['ECDSA-P256', 'RSA-2048']).default('ECDSA-P256'))
    .option('--public-url <url>', 'base URL written into CRL, OCSP and CA-issuer URLs (default: QORGAU_PUBLIC_URL)')
    .action(async (opts: { dir: string; passphraseFile: string; algorithm: KeyAlgorithm; publicUrl?: string }) => {
      const passphrase = await readPassphraseFile(opts.passphraseFile);
      const publicUrl = opts.publicUrl ?? process.env.QORGAU_PUBLIC_URL ?? loadConfig().publicUrl;
      const record = await initCa({ dir: opts.dir, passphrase, algorithm: opts.algorithm, publicUrl });
      for (const e of record.entities) console.log(`${e.name.padEnd(12)} ${e.subject}\n${''.padEnd(12)} serial ${e.serial}  SHA-256 ${e.sha256Fingerprint}`);
      console.log(`ceremony record: ${path.join(opts.dir, 'ceremony.json')}`);
    });
}
