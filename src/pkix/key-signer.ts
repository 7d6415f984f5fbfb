/**
 * The only way CA private keys are used (DESIGN.md: only ca/ touches CA keys, through
 * one KeySigner interface). Implementations: an encrypted PKCS#8 file, and PKCS#11
 * (SoftHSM2 in tests, an HSM in production).
 */
export type KeyAlgorithm = 'ECDSA-P256' | 'RSA-2048';

export interface KeySigner {
  readonly algorithm: KeyAlgorithm;
  /** The public key as DER SubjectPublicKeyInfo. */
  publicKeySpki(): Promise<Buffer>;
  /**
   * Signs `data` with SHA-256 and returns the signature as it goes into X.509, CRL,
   * OCSP and CMS structures: DER ECDSA-Sig-Value for ECDSA, PKCS#1 v1.5 bytes for RSA.
   */
  sign(data: Uint8Array): Promise<Buffer>;
  close?(): Promise<void>;
}
