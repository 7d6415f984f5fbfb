import path from 'node:path';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/types.js';
import { CertificateInfo } from '../../pkix/certificate.js';
import { OwnCaCertificateSource } from './own-ca-certificates.js';
import { OwnCaRevocationSource } from './own-ca-revocation.js';
import { CrlRevocationSource, RevocationChecker, type RevocationStatusSource } from './revocation-status.js';
import { SignatureVerifier } from './signature-verifier.js';
import { crlFilesFingerprint, readCrlFiles, TrustStore } from './trust-anchors.js';

/** Where operators put foreign anchors (and their CRLs): `<dataDir>/pki/trust/`. */
export const trustDirectory = (dataDir: string) => path.join(dataDir, 'pki', 'trust');

/** Qorgau's own CA certificates as the verifier needs them (the CA's hierarchy has this shape). */
export interface OwnHierarchy {
  root: { name: string; der: Uint8Array };
  issuing: { name: string; der: Uint8Array };
  tsa: { der: Uint8Array };
}

export interface SignatureVerifierSetup {
  /** The database whose certificates table holds Qorgau's own certificates and their revocations. */
  db?: Kysely<DB>;
  /** Qorgau's own hierarchy: its root is an anchor, its issuing CA a known intermediate. */
  pki?: OwnHierarchy;
  /** Folder of further anchors (*.cer, *.pem, *.crt) and CRLs (*.crl). */
  trustDir?: string;
  /** Sources asked before the built-in ones (the CA's revocation service, say). */
  revocationSources?: RevocationStatusSource[];
  clock?: () => Date;
}

/** The verifier the platform runs with: own CA from the certificates table, foreign CAs from their CRLs. */
export function createSignatureVerifier(setup: SignatureVerifierSetup): { verifier: SignatureVerifier; trust: TrustStore; refreshCrls: () => boolean } {
  const trust = new TrustStore();
  const ownIssuers = [];
  if (setup.pki) {
    const root = CertificateInfo.parse(setup.pki.root.der, 'root CA certificate');
    const issuing = CertificateInfo.parse(setup.pki.issuing.der, 'issuing CA certificate');
    // The TSA certificate too: a token requested without certReq does not carry it.
    const tsa = CertificateInfo.parse(setup.pki.tsa.der, 'TSA certificate');
    trust.addAnchor(root, `Qorgau ${setup.pki.root.name}: ${root.subject}`).addIntermediate(issuing).addIntermediate(tsa);
    ownIssuers.push({ name: setup.pki.issuing.name, certificate: issuing }, { name: setup.pki.root.name, certificate: root });
  }
  if (setup.trustDir) trust.loadDirectory(setup.trustDir);
  const crlSource = new CrlRevocationSource(trust.crls, trust);
  const sources: RevocationStatusSource[] = [
    ...(setup.revocationSources ?? []),
    ...(setup.db ? [new OwnCaRevocationSource(setup.db, ownIssuers)] : []),
    crlSource,
  ];
  let fingerprint = setup.trustDir ? crlFilesFingerprint(setup.trustDir) : '';
  /** Re-reads the folder's CRLs when a file changed (new national CRLs arrive daily); true when it did. */
  const refreshCrls = () => {
    if (!setup.trustDir || crlFilesFingerprint(setup.trustDir) === fingerprint) return false;
    const { crls, fingerprint: current } = readCrlFiles(setup.trustDir);
    crlSource.replace(crls);
    fingerprint = current;
    return true;
  };
  const certificateSources = setup.db ? [new OwnCaCertificateSource(setup.db, ownIssuers)] : [];
  return { verifier: new SignatureVerifier(trust, new RevocationChecker(sources), setup.clock, certificateSources), trust, refreshCrls };
}
