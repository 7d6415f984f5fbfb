import type { X509Certificate } from '@peculiar/x509';
import type { KeySigner } from '../../../pkix/key-signer.js';

/** One CA-side identity: its certificate and the signer of its key. */
export interface CaEntity {
  /** Name used in URLs and in the certificates table's issuer column, e.g. "root", "issuing". */
  name: string;
  certificate: X509Certificate;
  der: Buffer;
  signer: KeySigner;
}

/**
 * The hierarchy the platform runs with: a root (offline in production), the issuing CA
 * that signs end-entity certificates and CRLs, the delegated OCSP signer and the TSA.
 */
export interface CaHierarchy {
  root: CaEntity;
  issuing: CaEntity;
  ocspSigner: CaEntity;
  tsa: CaEntity;
}
