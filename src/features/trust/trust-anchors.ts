import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CertificateInfo, derBlocks } from '../../pkix/certificate.js';
import { PathCrl } from './path-validation/path-crl.js';

/**
 * A certificate the verifier trusts without a chain above it. A root is self-signed; a
 * partial-chain anchor is an intermediate trusted on its own (as `openssl verify
 * -partial_chain` does), which is how the national CA's test issuing CA is trusted: its root
 * is not published with it.
 */
export interface TrustAnchor {
  label: string;
  certificate: CertificateInfo;
  kind: 'root' | 'partial-chain';
}

/** Anchors, the intermediates known besides those a CMS carries, and the CRLs of foreign CAs. */
export class TrustStore {
  readonly anchors: TrustAnchor[] = [];
  readonly intermediates: CertificateInfo[] = [];
  readonly crls: Buffer[] = [];

  addAnchor(certificate: CertificateInfo, label = certificate.subject): this {
    if (this.anchors.some((a) => a.certificate.sameEntity(certificate))) return this;
    const kind = certificate.selfIssued && certificate.signedBy(certificate) ? 'root' : 'partial-chain';
    this.anchors.push({ label, certificate, kind });
    return this;
  }

  addIntermediate(certificate: CertificateInfo): this {
    if (!this.intermediates.some((c) => c.der.equals(certificate.der))) this.intermediates.push(certificate);
    return this;
  }

  addCrl(der: Buffer): this {
    this.crls.push(der);
    return this;
  }

  anchorFor(certificate: CertificateInfo): TrustAnchor | undefined {
    return this.anchors.find((a) => a.certificate.sameEntity(certificate));
  }

  /**
   * Loads a folder of trust material: every `*.crl` is a CRL; every other file (PEM or DER
   * certificates, several PEM blocks allowed) is an anchor. Operators configure trust by
   * dropping files there: `<dataDir>/pki/trust/`.
   */
  loadDirectory(dir: string): this {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return this;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      if (!statSync(file).isFile() || name.startsWith('.') || /\.(md|txt)$/i.test(name)) continue;
      const content = readFileSync(file);
      if (/\.crl$/i.test(name)) {
        for (const der of crlsOfFile(file, content)) this.addCrl(der);
      } else {
        for (const der of derBlocks(content)) this.addAnchor(CertificateInfo.parse(der, file), `${name}: ${CertificateInfo.parse(der).subject}`);
      }
    }
    return this;
  }
}

function crlsOfFile(file: string, content: Buffer): Buffer[] {
  return derBlocks(content).map((der) => {
    try {
      new PathCrl(der);
    } catch (err) {
      throw new Error(`Cannot use the trust file ${file}: ${(err as Error).message}`);
    }
    return der;
  });
}

/** The CRL files of a trust folder: their DER, and a fingerprint (names, sizes, times) that changes when any file does. */
export function readCrlFiles(dir: string): { crls: Buffer[]; fingerprint: string } {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.crl$/i.test(n) && !n.startsWith('.')).sort();
  } catch {
    return { crls: [], fingerprint: '' };
  }
  const crls: Buffer[] = [];
  const parts: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const stat = statSync(file);
    if (!stat.isFile()) continue;
    parts.push(`${name}:${stat.size}:${stat.mtimeMs}`);
    crls.push(...crlsOfFile(file, readFileSync(file)));
  }
  return { crls, fingerprint: parts.join('|') };
}

/** Only the fingerprint, without reading the files: cheap enough to check every few minutes. */
export function crlFilesFingerprint(dir: string): string {
  try {
    return readdirSync(dir)
      .filter((n) => /\.crl$/i.test(n) && !n.startsWith('.'))
      .sort()
      .map((name) => {
        const stat = statSync(path.join(dir, name));
        return stat.isFile() ? `${name}:${stat.size}:${stat.mtimeMs}` : '';
      })
      .filter(Boolean)
      .join('|');
  } catch {
    return '';
  }
}
