/**
 * The certification authority: CA keys, issuance from CSRs, applications and identity proofing, revocation, CRLs, OCSP and time stamps. Only this feature touches CA private keys.
 * This file is the feature's public entry: code outside src/features/ca imports only this.
 */
export { ApplicationView } from './applications/application.schema.js';
export { assertCsrSubjectMatches, checkCsr, decodeCsrText } from './applications/csr.js';
export { AutomaticProofing, OperatorReviewProofing } from './applications/identity-proofing.js';
export { noEmployeeAuthorizations } from './applications/employee-authorizations.js';
export type { EmployeeAuthorization, EmployeeAuthorizations, ProvenHead } from './applications/employee-authorizations.js';
export { DEV_PASSPHRASE_FILE, caFiles, ensureDevHierarchy, initCa, loadCaHierarchy } from './authority/ceremony.js';
export { signWithProfile } from './authority/certificate-authority.js';
export { platformDocumentSigner, type PlatformDocumentSigner } from './authority/platform-document-signer.js';
export type { CaEntity, CaHierarchy } from './authority/hierarchy.js';
export { pkiRoutes } from './ca.routes.js';
export { CertificateHoldings, unrevokedEmployeeCertificatesAt } from './issuance/certificate-holdings.js';
export type { HeldCertificate } from './issuance/certificate-holdings.js';
export { CertificateIssuer } from './issuance/certificate-issuer.js';
export type { IssuedPair } from './issuance/certificate-issuer.js';
export { readPassphraseFile } from './keys/encrypted-file-signer.js';
export { PROFILES, personSubject } from './profiles.js';
export type { EmployeeRole, PersonSubject } from './profiles.js';
export { revocationRoutes } from './revocation.routes.js';
export { certificateParts } from './revocation/certificate-parts.js';
export { normalizeSerial, releaseCertificateHold, revokeCertificates } from './revocation/certificate-revoker.js';
export type { RevokedCertificate } from './revocation/certificate-revoker.js';
export { CertificateStatusReader } from './revocation/certificate-status.js';
export { presignIssuingAnswers, presignIssuingAnswersFor } from './revocation/ocsp-presigned.js';
export { CrlEntriesWriter, buildCrl } from './revocation/crl-builder.js';
export { CrlPublisher } from './revocation/crl-publisher.js';
export { REVOCATION_REASONS } from '../../pkix/crl-reason.js';
export type { RevocationReason } from '../../pkix/crl-reason.js';
export { tsaPlugin } from './tsa.routes.js';
export { TimeStampAuthority } from './tsa/time-stamp-authority.js';
export { EXPIRY_WARNING_DAYS, ROLLOVER_ENTITIES, expiringCertificates, rollOver } from './authority/rollover.js';
export type { RolloverEntity } from './authority/rollover.js';
