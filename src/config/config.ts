import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/**
 * The one configuration schema. It is read once at start from the environment;
 * secrets are never values here, only paths to files that hold them.
 */
const RATE_LIMIT_PATTERN = '^(off|[1-9]\\d*/[1-9]\\d*[smh])$';

export const ConfigSchema = Type.Object({
  port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  host: Type.String({ default: '0.0.0.0' }),
  /** Worker processes serving the API (node:cluster); unset: one per core on PostgreSQL, 1 on the embedded PGlite (one process may open it). */
  workers: Type.Optional(Type.Integer({ minimum: 1, maximum: 256 })),
  publicUrl: Type.String({ default: 'http://localhost:8080' }),
  logLevel: Type.Union(
    [Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')],
    { default: 'info' },
  ),
  dataDir: Type.String({ default: './data' }),
  /** PostgreSQL (node-postgres) when set; the embedded PGlite in dataDir otherwise. */
  databaseUrl: Type.Optional(Type.String({ minLength: 1 })),
  /** A read replica for the read-heavy paths; the primary serves them when unset. */
  databaseReadUrl: Type.Optional(Type.String({ minLength: 1 })),
  /** Seconds a replica may lag before lender checks and certificate status read the primary instead. */
  databaseReadMaxLagSeconds: Type.Number({ minimum: 0, maximum: 3600, default: 1 }),
  databasePoolSize: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  /** A CA made by `qorgau ca init`; without it `npm start` makes and uses a development CA in dataDir/pki. */
  caDir: Type.Optional(Type.String({ minLength: 1 })),
  /** The passphrase (or PKCS#11 PIN) of the CA in caDir, in a file kept apart from the keys. */
  caPassphraseFile: Type.Optional(Type.String({ minLength: 1 })),
  /** File holding the pseudonymization key (hex, 32 bytes or more). */
  pseudonymKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  /** Largest upload accepted by the HTTP import route, in bytes. The CLI import has no limit. */
  importMaxBytes: Type.Integer({ minimum: 1024, default: 1024 * 1024 * 1024 }),
  /** Hours between a lift request and its effect (a cooling-off against fraudsters on the phone); 0 allowed. */
  liftCoolingOffHours: Type.Number({ minimum: 0, maximum: 24 * 30, default: 24 }),
  /** Lifetime of a person's session after sign-in with e-signature. */
  sessionMinutes: Type.Integer({ minimum: 1, maximum: 24 * 60, default: 30 }),
  /** SMTP server for e-mail notifications (smtp://host:port or smtps://user:pass@host); none: e-mail is not sent. */
  smtpUrl: Type.Optional(Type.String({ minLength: 1 })),
  mailFrom: Type.String({ default: 'Qorgau <no-reply@qorgau.kz>' }),
  /** The ES256 key (PKCS#8 PEM, P-256) that signs webhook notices; several instances must share one. Generated in dataDir when unset. */
  noticeKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  /** The ES256 key that signs lenders' check answers; several instances must share one. Generated in dataDir when unset. */
  creditKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  /** The ES256 key that signs the transparency log's tree heads; several instances must share one. Generated in dataDir when unset. */
  logKeyFile: Type.Optional(Type.String({ minLength: 1 })),
  /** Let webhooks reach loopback and private addresses (tests, closed networks); off, a person's webhook cannot probe the internal network. */
  webhookAllowPrivate: Type.Boolean({ default: false }),
  /** Uses of one certificate from two devices or networks closer than this are a misuse alert. */
  usageTwoDevicesWindowMinutes: Type.Number({ minimum: 0, maximum: 24 * 60, default: 10 }),
  /** An ended employee's certificate still unrevoked this long after the end is a compliance alert. */
  usageComplianceGraceHours: Type.Number({ minimum: 0, maximum: 24 * 365, default: 24 }),
  /** How often the compliance check runs; 0: only on request. */
  usageComplianceIntervalMinutes: Type.Number({ minimum: 0, maximum: 24 * 60, default: 60 }),
  /** How often a signed tree head of the transparency log is published (when it grew); 0: only on request. */
  logSthIntervalSeconds: Type.Number({ minimum: 0, maximum: 24 * 60 * 60, default: 300 }),
  /** How often restrictions that ran out (`until` passed) are written to the transparency log; 0: never by the server. */
  logExpiryIntervalSeconds: Type.Number({ minimum: 0, maximum: 24 * 60 * 60, default: 60 }),
  /** The MCI (monthly calculation index) in tenge per year, "year:tenge" separated by commas. */
  mciTenge: Type.String({ pattern: '^\\d{4}:\\d+(\\.\\d+)?(,\\d{4}:\\d+(\\.\\d+)?)*$', default: '2025:3932,2026:4325' }),
  /** Fraud linking: an identifier named in more than this share of all reports stops linking (over-correlating). */
  fraudOverCorrelationShare: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.01 }),
  /** ... once it is named in at least this many reports. */
  fraudOverCorrelationMinReports: Type.Integer({ minimum: 2, default: 25 }),
  /** ... or whose reports name more than this many distinct other identifiers that are in other reports too. */
  fraudOverCorrelationMaxConnections: Type.Integer({ minimum: 1, default: 100 }),
  /** Indicator look-ups allowed per key and minute. */
  fraudLookupsPerMinute: Type.Integer({ minimum: 1, default: 600 }),
  /** Tenge per unit of the other currencies a loss may be reported in, "CODE:rate" separated by commas. */
  fraudKztRates: Type.String({ pattern: '^[A-Z]{3,4}:\\d+(\\.\\d+)?(,[A-Z]{3,4}:\\d+(\\.\\d+)?)*$', default: 'USD:500,EUR:540,RUB:5.5,CNY:69,KGS:5.7,UZS:0.04,USDT:500' }),
  /** Days the pictures of a remote identity proofing are kept after the application is decided. */
  proofingCaptureRetentionDays: Type.Number({ minimum: 0, maximum: 3650, default: 30 }),
  /** How often pictures past their retention are deleted; 0: only on request. */
  proofingCapturePurgeIntervalMinutes: Type.Number({ minimum: 0, maximum: 24 * 60, default: 60 }),
  /** Rate limits, "COUNT/WINDOW" (window in s, m or h, e.g. 30/1m), or "off". Counted across all instances. */
  rateLimitSigninChallenges: Type.String({ pattern: RATE_LIMIT_PATTERN, default: '30/1m' }),
  rateLimitSigninFailures: Type.String({ pattern: RATE_LIMIT_PATTERN, default: '10/15m' }),
  rateLimitCredentialFailures: Type.String({ pattern: RATE_LIMIT_PATTERN, default: '20/10m' }),
  rateLimitLenderChecks: Type.String({ pattern: RATE_LIMIT_PATTERN, default: '6000/1m' }),
  rateLimitChecksPerIin: Type.String({ pattern: RATE_LIMIT_PATTERN, default: '20/1h' }),
  /** Redis for the rate-limit counters (redis://host:port); PostgreSQL keeps them when unset. */
  redisUrl: Type.Optional(Type.String({ minLength: 1 })),
  /** Proxies whose X-Forwarded-For/-Proto to believe: "" none, "true" all, a hop count, or addresses/CIDRs separated by commas. */
  trustProxy: Type.String({ default: '' }),
  /** Pre-signed OCSP answers (requests without a nonce) are valid this long (nextUpdate - thisUpdate) and re-signed when half of it is left. */
  ocspValidityHours: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 7, default: 24 }),
  /** Most seconds a CDN or client may keep a GET OCSP answer (Cache-Control max-age, never beyond nextUpdate). */
  ocspMaxAgeSeconds: Type.Integer({ minimum: 0, maximum: 7 * 24 * 3600, default: 3600 }),
});

export type Config = Omit<Static<typeof ConfigSchema>, 'workers'> & {
  pseudonymKey: Buffer;
  /** Resolved: QORGAU_WORKERS, or one per core on PostgreSQL and 1 on the embedded PGlite. */
  workers: number;
};

export const ENV_NAMES: Record<string, keyof Static<typeof ConfigSchema>> = {
  PORT: 'port',
  QORGAU_PORT: 'port',
  QORGAU_HOST: 'host',
  QORGAU_WORKERS: 'workers',
  QORGAU_PUBLIC_URL: 'publicUrl',
  LOG_LEVEL: 'logLevel',
  QORGAU_DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  DATABASE_READ_URL: 'databaseReadUrl',
  DATABASE_READ_MAX_LAG_SECONDS: 'databaseReadMaxLagSeconds',
  DATABASE_POOL_SIZE: 'databasePoolSize',
  QORGAU_PSEUDONYM_KEY_FILE: 'pseudonymKeyFile',
  QORGAU_CA_DIR: 'caDir',
  QORGAU_CA_PASSPHRASE_FILE: 'caPassphraseFile',
  QORGAU_IMPORT_MAX_BYTES: 'importMaxBytes',
  QORGAU_LIFT_COOLING_OFF_HOURS: 'liftCoolingOffHours',
  QORGAU_SESSION_MINUTES: 'sessionMinutes',
  QORGAU_SMTP_URL: 'smtpUrl',
  QORGAU_MAIL_FROM: 'mailFrom',
  QORGAU_WEBHOOK_ALLOW_PRIVATE: 'webhookAllowPrivate',
  QORGAU_NOTICE_KEY_FILE: 'noticeKeyFile',
  QORGAU_CREDIT_KEY_FILE: 'creditKeyFile',
  QORGAU_LOG_KEY_FILE: 'logKeyFile',
  QORGAU_USAGE_TWO_DEVICES_WINDOW_MINUTES: 'usageTwoDevicesWindowMinutes',
  QORGAU_USAGE_COMPLIANCE_GRACE_HOURS: 'usageComplianceGraceHours',
  QORGAU_USAGE_COMPLIANCE_INTERVAL_MINUTES: 'usageComplianceIntervalMinutes',
  QORGAU_LOG_STH_INTERVAL_SECONDS: 'logSthIntervalSeconds',
  QORGAU_LOG_EXPIRY_INTERVAL_SECONDS: 'logExpiryIntervalSeconds',
  QORGAU_MCI_TENGE: 'mciTenge',
  QORGAU_FRAUD_OVER_CORRELATION_SHARE: 'fraudOverCorrelationShare',
  QORGAU_FRAUD_OVER_CORRELATION_MIN_REPORTS: 'fraudOverCorrelationMinReports',
  QORGAU_FRAUD_OVER_CORRELATION_MAX_CONNECTIONS: 'fraudOverCorrelationMaxConnections',
  QORGAU_FRAUD_LOOKUPS_PER_MINUTE: 'fraudLookupsPerMinute',
  QORGAU_FRAUD_KZT_RATES: 'fraudKztRates',
  QORGAU_PROOFING_CAPTURE_RETENTION_DAYS: 'proofingCaptureRetentionDays',
  QORGAU_PROOFING_CAPTURE_PURGE_INTERVAL_MINUTES: 'proofingCapturePurgeIntervalMinutes',
  QORGAU_RATE_LIMIT_SIGNIN_CHALLENGES: 'rateLimitSigninChallenges',
  QORGAU_RATE_LIMIT_SIGNIN_FAILURES: 'rateLimitSigninFailures',
  QORGAU_RATE_LIMIT_CREDENTIAL_FAILURES: 'rateLimitCredentialFailures',
  QORGAU_RATE_LIMIT_LENDER_CHECKS: 'rateLimitLenderChecks',
  QORGAU_RATE_LIMIT_CHECKS_PER_IIN: 'rateLimitChecksPerIin',
  QORGAU_REDIS_URL: 'redisUrl',
  QORGAU_TRUST_PROXY: 'trustProxy',
  QORGAU_OCSP_VALIDITY_HOURS: 'ocspValidityHours',
  QORGAU_OCSP_MAX_AGE_SECONDS: 'ocspMaxAgeSeconds',
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function readKeyFile(file: string): Buffer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`Cannot read the pseudonymization key file ${file}: ${(err as Error).message}`);
  }
  if (!/^[0-9a-fA-F]{64,}$/.test(text)) {
    throw new ConfigError(`The pseudonymization key file ${file} must hold at least 32 bytes as hex (64 hex digits)`);
  }
  return Buffer.from(text, 'hex');
}

/**
 * On the first embedded start the key is generated into the data folder, so that
 * `npm start` needs nothing else. With PostgreSQL it must be given: a key lost or
 * regenerated would orphan every pseudonym already stored.
 */
function resolvePseudonymKey(settings: Static<typeof ConfigSchema>): Buffer {
  if (settings.pseudonymKeyFile) return readKeyFile(settings.pseudonymKeyFile);
  if (settings.databaseUrl) {
    throw new ConfigError('QORGAU_PSEUDONYM_KEY_FILE is required with DATABASE_URL (a file holding 32 random bytes as hex, e.g. `openssl rand -hex 32 > key`)');
  }
  const file = path.join(settings.dataDir, 'pseudonym.key');
  if (!existsSync(file)) {
    mkdirSync(settings.dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  }
  return readKeyFile(file);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Static<typeof ConfigSchema>> = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(ENV_NAMES)) {
    if (env[name] !== undefined && env[name] !== '') raw[key] = env[name];
  }
  Object.assign(raw, overrides);
  const withDefaults = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw));
  const errors = [...Value.Errors(ConfigSchema, withDefaults)];
  if (errors.length > 0) {
    const names = Object.fromEntries(Object.entries(ENV_NAMES).map(([k, v]) => [v, k]));
    throw new ConfigError(
      'Invalid configuration: ' + errors.map((e) => `${names[e.path.slice(1)] ?? e.path}: ${e.message}`).join('; '),
    );
  }
  const settings = withDefaults as Static<typeof ConfigSchema>;
  if (settings.caDir && !settings.caPassphraseFile) {
    throw new ConfigError('QORGAU_CA_PASSPHRASE_FILE is required with QORGAU_CA_DIR (the file holding the CA passphrase or PKCS#11 PIN)');
  }
  // A configured key that is missing is a mistake (a typo), not a cue to make a new one that
  // receivers of notices do not know: only the default place in dataDir is generated.
  for (const [name, file, example] of [
    ['QORGAU_NOTICE_KEY_FILE', settings.noticeKeyFile, 'notice-key.pem'],
    ['QORGAU_CREDIT_KEY_FILE', settings.creditKeyFile, 'credit-key.pem'],
    ['QORGAU_LOG_KEY_FILE', settings.logKeyFile, 'log-key.pem'],
  ] as const) {
    if (file && !existsSync(file)) {
      throw new ConfigError(`${name}: ${file} does not exist (make one with \`openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ${example}\`)`);
    }
  }
  if (settings.workers !== undefined && settings.workers > 1 && !settings.databaseUrl) {
    throw new ConfigError(`QORGAU_WORKERS=${settings.workers} needs PostgreSQL (DATABASE_URL): only one process may open the embedded PGlite`);
  }
  const workers = settings.workers ?? (settings.databaseUrl ? os.availableParallelism() : 1);
  if (!settings.publicUrl || settings.publicUrl === 'http://localhost:8080') {
    settings.publicUrl = `http://localhost:${settings.port}`;
  }
  return Object.freeze({ ...settings, workers, pseudonymKey: resolvePseudonymKey(settings) });
}
