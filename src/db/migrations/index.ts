import type { Migration } from 'kysely';
import * as m20261124_0800_foundation from './2026-11-24T08-00-foundation.js';
import * as m20261124_0810_registry from './2026-11-24T08-10-registry.js';
import * as m20261124_0820_pki_certificates from './2026-11-24T08-20-pki-certificates.js';
import * as m20261124_0840_pki_revocation from './2026-11-24T08-40-pki-revocation.js';
import * as m20261124_0850_pki_applications from './2026-11-24T08-50-pki-applications.js';
import * as m20261124_0900_credit_restrictions from './2026-11-24T09-00-credit-restrictions.js';
import * as m20261124_0905_signin_lifts_notifications from './2026-11-24T09-05-signin-lifts-notifications.js';
import * as m20261124_0930_signatures_employment from './2026-11-24T09-30-signatures-employment.js';
import * as m20261124_0940_signatures_usage from './2026-11-24T09-40-signatures-usage.js';
import * as m20261124_0950_pki_crl_event_count from './2026-11-24T09-50-pki-crl-event-count.js';
import * as m20261124_1000_usage_hour_profiles from './2026-11-24T10-00-usage-hour-profiles.js';
import * as m20261124_1010_signatures_certificate_requests from './2026-11-24T10-10-signatures-certificate-requests.js';
import * as m20261124_1020_pki_crl_storage from './2026-11-24T10-20-pki-crl-storage.js';
import * as m20261124_1040_usage_event_ids from './2026-11-24T10-40-usage-event-ids.js';
import * as m20261124_1050_pki_presented_certificates from './2026-11-24T10-50-pki-presented-certificates.js';
import * as m20261129_1000_identity_employee_authorizations from './2026-11-29T10-00-identity-employee-authorizations.js';
import * as m20261129_1100_credit_finite_amounts from './2026-11-29T11-00-credit-finite-amounts.js';
import * as m20261129_1400_fraud from './2026-11-29T14-00-fraud.js';
import * as m20261129_1500_literacy from './2026-11-29T15-00-literacy.js';
import * as m20261129_1800_breach_day_precision from './2026-11-29T18-00-breach-day-precision.js';
import * as m20261129_1810_idempotency_keys from './2026-11-29T18-10-idempotency-keys.js';
import * as m20261129_1900_transparency_log from './2026-11-29T19-00-transparency-log.js';
import * as m20261130_0100_proofing_captures from './2026-11-30T01-00-proofing-captures.js';
import * as m20261130_0100_contact_language_verification from './2026-11-30T01-00-contact-language-verification.js';
import * as m20261130_0110_log_nodes from './2026-11-30T01-10-log-nodes.js';
import * as m20261130_0100_ocsp_responses from './2026-11-30T01-00-ocsp-responses.js';
import * as m20261130_1000_publishspeed_log_batches from './2026-11-30T10-00-publishspeed-log-batches.js';
import * as m20261130_1100_publishspeed2_batch_topics from './2026-11-30T11-00-publishspeed2-batch-topics.js';
import * as m20261130_0210_head_applications from './2026-11-30T02-10-head-applications.js';
import * as m20261130_1000_lenderspeed_unlogged_rate_limit_counters from './2026-11-30T10-00-lenderspeed-unlogged-rate-limit-counters.js';
import * as m20261130_1000_portalroles_capture_secret from './2026-11-30T10-00-portalroles-capture-secret.js';
import * as m20261129_1200_rate_limit_counters from './2026-11-29T12-00-rate-limit-counters.js';
import * as m20261130_0100_fraud_merge_chain from './2026-11-30T01-00-fraud-merge-chain.js';
import * as m20261130_0100_fraud_victim_age_group from './2026-11-30T01-00-fraud-victim-age-group.js';
import * as m20261130_0200_fraud_connections from './2026-11-30T02-00-fraud-connections.js';

/** Every migration, by ISO-dated name; Kysely applies them in name order. */
export const migrations: Record<string, Migration> = {
  '2026-11-24T08-00-foundation': m20261124_0800_foundation,
  '2026-11-24T08-10-registry': m20261124_0810_registry,
  '2026-11-24T08-20-pki-certificates': m20261124_0820_pki_certificates,
  '2026-11-24T08-40-pki-revocation': m20261124_0840_pki_revocation,
  '2026-11-24T08-50-pki-applications': m20261124_0850_pki_applications,
  '2026-11-24T09-00-credit-restrictions': m20261124_0900_credit_restrictions,
  '2026-11-24T09-05-signin-lifts-notifications': m20261124_0905_signin_lifts_notifications,
  '2026-11-24T09-30-signatures-employment': m20261124_0930_signatures_employment,
  '2026-11-24T09-40-signatures-usage': m20261124_0940_signatures_usage,
  '2026-11-24T09-50-pki-crl-event-count': m20261124_0950_pki_crl_event_count,
  '2026-11-24T10-00-usage-hour-profiles': m20261124_1000_usage_hour_profiles,
  '2026-11-24T10-10-signatures-certificate-requests': m20261124_1010_signatures_certificate_requests,
  '2026-11-24T10-20-pki-crl-storage': m20261124_1020_pki_crl_storage,
  '2026-11-24T10-40-usage-event-ids': m20261124_1040_usage_event_ids,
  '2026-11-24T10-50-pki-presented-certificates': m20261124_1050_pki_presented_certificates,
  '2026-11-29T10-00-identity-employee-authorizations': m20261129_1000_identity_employee_authorizations,
  '2026-11-29T11-00-credit-finite-amounts': m20261129_1100_credit_finite_amounts,
  '2026-11-29T12-00-rate-limit-counters': m20261129_1200_rate_limit_counters,
  '2026-11-29T14-00-fraud': m20261129_1400_fraud,
  '2026-11-29T15-00-literacy': m20261129_1500_literacy,
  '2026-11-29T18-00-breach-day-precision': m20261129_1800_breach_day_precision,
  '2026-11-29T18-10-idempotency-keys': m20261129_1810_idempotency_keys,
  '2026-11-29T19-00-transparency-log': m20261129_1900_transparency_log,
  '2026-11-30T01-00-fraud-merge-chain': m20261130_0100_fraud_merge_chain,
  '2026-11-30T01-00-proofing-captures': m20261130_0100_proofing_captures,
  '2026-11-30T01-00-fraud-victim-age-group': m20261130_0100_fraud_victim_age_group,
  '2026-11-30T01-00-contact-language-verification': m20261130_0100_contact_language_verification,
  '2026-11-30T01-10-log-nodes': m20261130_0110_log_nodes,
  '2026-11-30T01-00-ocsp-responses': m20261130_0100_ocsp_responses,
  '2026-11-30T02-00-fraud-connections': m20261130_0200_fraud_connections,
  // After main's migrations: a database already migrated to 02-00 would refuse an earlier, unapplied name.
  '2026-11-30T02-10-head-applications': m20261130_0210_head_applications,
  '2026-11-30T10-00-lenderspeed-unlogged-rate-limit-counters': m20261130_1000_lenderspeed_unlogged_rate_limit_counters,
  '2026-11-30T10-00-portalroles-capture-secret': m20261130_1000_portalroles_capture_secret,
  '2026-11-30T10-00-publishspeed-log-batches': m20261130_1000_publishspeed_log_batches,
  '2026-11-30T11-00-publishspeed2-batch-topics': m20261130_1100_publishspeed2_batch_topics,
};
