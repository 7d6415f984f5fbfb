import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readCertificateBlocks, readCrlBlocks } from './inputs.js';
import type { PathCertificate } from './path-certificate.js';
import type { PathCrl } from './path-crl.js';

/**
 * The trust folder (`<dataDir>/pki/trust/`) as path validation reads it: every `*.crl` file is
 * CRLs, every other file anchors (PEM or DER). It is what works offline.
 */
export function trustFolderMaterial(dir: string): { anchors: PathCertificate[]; crls: PathCrl[] } {
  const anchors: PathCertificate[] = [];
  const crls: PathCrl[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return { anchors, crls };
  }
  for (const name of names) {
    const file = path.join(dir, name);
    if (name.startsWith('.') || /\.(md|txt)$/i.test(name) || !statSync(file).isFile()) continue;
    const content = readFileSync(file);
    if (/\.crl$/i.test(name)) crls.push(...readCrlBlocks(content, `trust folder CRL ${name}`));
    else anchors.push(...readCertificateBlocks(content, `trust folder anchor ${name}`));
  }
  return { anchors, crls };
}
