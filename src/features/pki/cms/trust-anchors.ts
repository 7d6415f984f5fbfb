import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CertificateInfo, derBlocks } from './certificate.js';
import { readCrl } from './crl-reader.js';

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
        for (const der of derBlocks(content)) {
          try {
            readCrl(der);
          } catch (err) {
            throw new Error(`Cannot use the trust file ${file}: ${(err as Error).message}`);
          }
          this.addCrl(der);
        }
      } else {
        for (const der of derBlocks(content)) this.addAnchor(CertificateInfo.parse(der, file), `${name}: ${CertificateInfo.parse(der).subject}`);
      }
    }
    return this;
  }
}
