/** RFC 5280 certificate path validation for relying parties: the public entry of path-validation. */
export { validatePath, type PathValidationInput, type PathValidationReport, type PathCheck, type PathResult } from './path-validator.js';
export { PathCertificate } from './path-certificate.js';
export { PathCrl } from './path-crl.js';
export type { RevocationSource, RevocationAnswer } from './crl-processing.js';
export type { PolicyInputs } from './policy-tree.js';
export { readCertificateBlocks, readCrlBlocks, PathInputError } from './inputs.js';
export { checkPathStructure } from './path-validator.js';
export { CrlStatusSource } from './crl-status-source.js';
export { OnlineRevocation } from './online-revocation.js';
export { trustFolderMaterial } from './trust-folder.js';
