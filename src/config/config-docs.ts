import type { Static } from '@sinclair/typebox';
import { ConfigSchema, ENV_NAMES } from './config.js';

type Setting = keyof Static<typeof ConfigSchema>;

/**
 * What each setting means, in an operator's words. Typed by the schema's keys, so a new
 * setting without a line here does not compile; the README's table is generated from this.
 */
const MEANINGS: Record<Setting, { meaning: string; default?: string }> = {
  port: { meaning: 'where the API listens (port)' },
  host: { meaning: 'where the API listens (address)' },
  workers: {
    meaning: 'worker processes serving the API (node:cluster), each with its own database pool; background jobs (notification delivery, CRL and tree-head publishing, compliance check, sweeps) run in the first only; more than 1 needs PostgreSQL',
    default: 'one per core on PostgreSQL, `1` on the embedded PGlite',
  },
  publicUrl: { meaning: 'the address clients use (docs, certificate URLs)', default: '`http://localhost:$PORT`' },
  logLevel: { meaning: 'pino level (`fatal`, `error`, `warn`, `info`, `debug`, `trace`, `silent`)' },
  dataDir: { meaning: 'the embedded database, keys and tokens' },
  databaseUrl: { meaning: 'PostgreSQL (node-postgres); without it the embedded PGlite', default: 'unset' },
  databaseReadUrl: { meaning: 'a read replica for lender checks, public pages and OCSP', default: 'the primary' },
  databaseReadMaxLagSeconds: {
    meaning:
      'how far behind (seconds) the replica may be and still answer reads; further behind, or when its lag cannot be measured, reads go to the primary (its lag is `qorgau_database_replica_lag_seconds` in `/metrics`)',
  },
  databasePoolSize: { meaning: 'database connections per worker process' },
  caDir: { meaning: 'a CA made by `qorgau ca init`', default: 'a development CA made in `$QORGAU_DATA_DIR/pki` on first start' },
  caPassphraseFile: { meaning: 'the file with the passphrase (or PKCS#11 PIN) of the CA in `QORGAU_CA_DIR`, kept apart from it', default: 'required with `QORGAU_CA_DIR`' },
  pseudonymKeyFile: {
    meaning: 'the pseudonymization key (hex, >= 32 bytes); **required with PostgreSQL**',
    default: 'generated in the data folder on the embedded database',
  },
  importMaxBytes: { meaning: 'largest HTTP import upload in bytes (the CLI reading the database directly has no limit)', default: '1 GiB' },
  liftCoolingOffHours: {
    meaning: 'hours between a signed lift request and its effect: a cooling-off against fraudsters who talk a person into lifting; the person can cancel meanwhile; `0` makes lifts immediate',
  },
  sessionMinutes: { meaning: "lifetime of a person's session after signing in with e-signature" },
  smtpUrl: { meaning: 'SMTP server for e-mail notices (`smtp://host:port`, `smtps://user:pass@host`)', default: 'unset: e-mail is not sent' },
  mailFrom: { meaning: 'sender of e-mail notices' },
  noticeKeyFile: {
    meaning: 'the key that signs webhook notices (ECDSA P-256, PKCS#8 PEM; its public half is at `/v1/notifications/signing-key`); give every instance the same file',
    default: 'generated in `$QORGAU_DATA_DIR/notifications/signing-key.pem`',
  },
  creditKeyFile: {
    meaning: "the key that signs lenders' check answers (ECDSA P-256, PKCS#8 PEM; its public half is at `/v1/credit/signing-key`); give every instance the same file",
    default: 'generated in `$QORGAU_DATA_DIR/credit/signing-key.pem`',
  },
  logKeyFile: {
    meaning: "the key that signs the transparency log's tree heads (ECDSA P-256, PKCS#8 PEM; its public half is in every `/v1/log/sth`); give every instance the same file",
    default: 'generated in `$QORGAU_DATA_DIR/log/signing-key.pem`',
  },
  webhookAllowPrivate: { meaning: "let webhooks reach loopback and private addresses (tests, closed networks); off, a person's webhook cannot probe the internal network" },
  usageTwoDevicesWindowMinutes: { meaning: 'uses of one certificate from two devices or networks closer than this are a misuse alert' },
  usageComplianceGraceHours: { meaning: "an ended employee's certificate still unrevoked this long after the end is a compliance alert" },
  usageComplianceIntervalMinutes: { meaning: 'how often the compliance check runs; `0`: only on request' },
  logSthIntervalSeconds: { meaning: 'how often a signed tree head of the transparency log is published when entries were added; `0`: only on request' },
  logExpiryIntervalSeconds: { meaning: 'how often protective restrictions that ran out are written to the transparency log (`restrictions.expired`: one entry per publication and sweep; `restriction.expired` for others); `0`: never by the server' },
  rateLimitSigninChallenges: { meaning: 'sign-in challenges per client address, `COUNT/WINDOW` (`s`, `m`, `h`) or `off`' },
  rateLimitSigninFailures: { meaning: 'failed sign-ins per address; past it the address is refused before verifying' },
  rateLimitCredentialFailures: { meaning: 'unknown API tokens, lender keys, HR credentials and sessions per address; past it the address is refused even with a valid one' },
  rateLimitLenderChecks: { meaning: 'lender checks per lender API key' },
  rateLimitChecksPerIin: { meaning: 'lender checks of one person, all lenders together' },
  redisUrl: { meaning: 'Redis for the rate-limit counters (`redis://host:port`)', default: 'counters in PostgreSQL' },
  trustProxy: { meaning: 'proxies whose `X-Forwarded-For`/`-Proto` count (client address for limits, HTTPS for HSTS): `true`, a hop count, or addresses/CIDRs', default: 'none' },
  mciTenge: { meaning: 'the MCI (monthly calculation index) in tenge per year, for fines: `year:tenge` separated by commas' },
  fraudOverCorrelationShare: { meaning: 'fraud linking: an identifier named in more than this share of all reports stops linking (over-correlating)' },
  fraudOverCorrelationMinReports: { meaning: '... once it is named in at least this many reports' },
  fraudOverCorrelationMaxConnections: {
    meaning:
      'fraud linking: an identifier (named in at least the minimum above) whose reports also name more than this many distinct other identifiers that appear in other reports stops linking: a spoofed number everybody is called from touches many unrelated operations, while an operation\'s own number is named alongside its few others; counted again each time its report count doubles',
  },
  fraudLookupsPerMinute: { meaning: 'fraud indicator look-ups allowed per API key and minute' },
  proofingCaptureRetentionDays: { meaning: 'days the ID photo and live frames of a remote certificate application are kept after it is decided; then they are deleted (the scores and the decision stay)' },
  proofingCapturePurgeIntervalMinutes: { meaning: 'how often pictures past their retention are deleted; 0: never by the server itself' },
  ocspValidityHours: { meaning: 'pre-signed OCSP answers (requests without a nonce) are valid this long (nextUpdate) and re-signed when half is left, or at once on revocation' },
  ocspMaxAgeSeconds: { meaning: 'most seconds a CDN or client may cache a GET OCSP answer (`Cache-Control: max-age`, never beyond nextUpdate): how long a revocation may stay unseen behind a cache' },
  fraudKztRates: { meaning: 'tenge per unit of the other currencies a fraud loss may be reported in, `CODE:rate` separated by commas (approximate; for totals and bands)' },
};

function defaultOf(setting: Setting): string {
  const doc = MEANINGS[setting];
  if (doc.default) return doc.default;
  const value = (ConfigSchema.properties[setting] as { default?: unknown }).default;
  return value === undefined ? 'unset' : `\`${String(value)}\``;
}

/** The README's configuration table (Markdown), one row per setting, every variable that sets it. */
export function configurationTable(): string {
  const variables = new Map<Setting, string[]>();
  for (const [variable, setting] of Object.entries(ENV_NAMES)) variables.set(setting, [...(variables.get(setting) ?? []), variable]);
  const rows = (Object.keys(ConfigSchema.properties) as Setting[]).map((setting) => {
    const names = (variables.get(setting) ?? []).map((v) => `\`${v}\``).join(' / ');
    return `| ${names || '(not settable)'} | ${MEANINGS[setting].meaning} | ${defaultOf(setting)} |`;
  });
  return ['| variable | meaning | default |', '|---|---|---|', ...rows].join('\n');
}

export const CONFIG_TABLE_START = '<!-- configuration table: generated by `npm run docs`, do not edit -->';
export const CONFIG_TABLE_END = '<!-- end of configuration table -->';

/** The README with its configuration table replaced by the generated one. */
export function withConfigurationTable(readme: string): string {
  const start = readme.indexOf(CONFIG_TABLE_START);
  const end = readme.indexOf(CONFIG_TABLE_END);
  if (start < 0 || end < start) throw new Error('README.md has no configuration table markers');
  return readme.slice(0, start + CONFIG_TABLE_START.length) + '\n' + configurationTable() + '\n' + readme.slice(end);
}
