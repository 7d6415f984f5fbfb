/**
 * Credit protection: restrictions, lifts, lender checks and policy.
 * This file is the feature's public entry: code outside src/features/credit imports only this.
 */
export { createCreditServices, creditRoutes } from './credit.routes.js';
export type { LenderLicence } from './credit.tables.js';
export { LenderService } from './lenders.service.js';
export { meRoutes } from './me.routes.js';
export { PolicyService } from './policy.service.js';
export { RestrictionService } from './restrictions.service.js';
export { LenderKeyAuthenticator, looksLikeLenderKey, LENDER_SCOPES, createLenderKey } from './lender-keys.js';
export type { LenderPrincipal, LenderScope } from './lender-keys.js';
export { logExpiredRestrictions } from './restriction-expiry.js';
export { publicationKey, publicationRecordsFromRows, publicationRecordsOf, type PublicationRuleTerms } from './policy.repository.js';
