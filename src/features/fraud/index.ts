/** The fraud feature's public entry: nothing else in src/features/fraud is imported from outside. */
export { fraudPlugin, notifyThroughOutbox, type FraudPluginOptions, type FraudServices } from './fraud.routes.js';
export { FraudReports, REPORT_ACTION, normalizeAll, cardHasher } from './reports.service.js';
export { Investigation, type Investigator } from './investigation.service.js';
export { Indicators, toCsv, toStixBundle, riskLevel, lossBand } from './indicators.service.js';
export { WarningList, parseWarningCsv, type WarningEntry } from './warning-list.js';
export { Appeals } from './appeals.service.js';
export { fraudStatistics, fraudByRegionAgeGroup, MINIMUM_CELL } from './statistics.js';
export { linkReports, linkWeight, type LinkPolicy } from './linking.repository.js';
export { normalizeIdentifier, INDICATOR_KINDS, IDENTIFIER_INPUT_TYPES, type IndicatorKind, type NormalizedIdentifier } from './identifiers.js';
export type { IsVolunteer, SignedStatements, NotifyStatus } from './ports.js';
export type { FraudTables } from './fraud.tables.js';
export * from './schema.js';
