/**
 * Trust: verifying anyone's signatures and certificates (CMS, trust anchors, certification paths, revocation sources), certificates presented at sign-in, and evidence of signed requests.
 * This file is the feature's public entry: code outside src/features/trust imports only this.
 */
export { canonicalJson } from './evidence/canonical-json.js';
export { decodeCmsText } from './evidence/cms-input.js';
export { SignedDocuments } from './evidence/signed-documents.js';
export type { ReportObserver, VerifiedRequest } from './evidence/signed-documents.js';
export { acceptSigner, isEvidenceOfUse } from './evidence/signer-requirements.js';
export type { AcceptedSigner } from './evidence/signer-requirements.js';
export { PresentedCertificates } from './presented-certificates.js';
export { RevocationChecker } from './revocation-status.js';
export { SignatureVerifier } from './signature-verifier.js';
export type { VerificationReport } from './signature-verifier.js';
export { purposeOf, signerIdentityOf } from './signer-identity.js';
export { TrustStore } from './trust-anchors.js';
export { signaturesPlugin } from './verification.routes.js';
export { certificatesVerifyRoutes } from './path-validation/certificates-verify.routes.js';
export { validatePath, readCertificateBlocks, readCrlBlocks, PathInputError, OnlineRevocation, trustFolderMaterial } from './path-validation/index.js';
export type { PathValidationReport, PathCertificate, PathCrl } from './path-validation/index.js';
