/**
 * Organizations and their employees' certificates: employment, revocation on termination, usage events, misuse alerts, violations and fines.
 * This file is the feature's public entry: code outside src/features/signatures imports only this.
 */
export { INSPECTORS_MAILBOX } from './alerts.js';
export { EmploymentService } from './employees.service.js';
export { misusePlugin } from './misuse.routes.js';
export { createHrCredential } from './organizations.credentials.js';
export { OrganizationsService, requireValidIin } from './organizations.service.js';
export { orgsPlugin } from './orgs.routes.js';
export { TerminationService } from './termination.service.js';
export { EmployeeCertificates } from './employees.certificates.js';
