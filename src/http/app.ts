import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { Pseudonymizer } from '../privacy/pseudonym.js';
import { problemPlugin, problemServerOptions } from '../errors/http-errors.js';
import { inputGuardPlugin } from './input-guard.plugin.js';
import { schemaController } from './validation.js';
import { observabilityPlugin } from './observability.plugin.js';
import { authPlugin } from './auth.plugin.js';
import { rateLimitsPlugin } from './rate-limits/rate-limits.plugin.js';
import { securityHeadersPlugin } from './security-headers.plugin.js';
import { withPrivateSerializers } from './log-privacy.js';
import { tokenRoutes } from '../auth/tokens.routes.js';
import { idempotencyPlugin } from './idempotency.plugin.js';
import { registryRoutes } from '../features/registry/index.js';
import { createCreditServices, creditRoutes, LenderKeyAuthenticator, looksLikeLenderKey } from '../features/credit/index.js';
import { RegistryService } from '../features/registry/index.js';
import type { CaHierarchy } from '../features/ca/index.js';
import { revocationRoutes } from '../features/ca/index.js';
import { pkiRoutes } from '../features/ca/index.js';
import { signaturesPlugin } from '../features/trust/index.js';
import { tsaPlugin } from '../features/ca/index.js';
import { ownCaCertificateCheck, SessionStore, signinPlugin } from '../features/signin/index.js';
import { notificationsPlugin } from '../features/notifications/index.js';
import { meRoutes } from '../features/credit/index.js';
import { logPlugin } from '../features/log/index.js';
import { orgsPlugin } from '../features/signatures/index.js';
import { misusePlugin } from '../features/signatures/index.js';
import { certificatesVerifyRoutes } from '../features/trust/index.js';
import { fraudByRegionAgeGroup, fraudPlugin } from '../features/fraud/index.js';
import { literacyPlugin } from '../features/literacy/index.js';
import { portalPlugin } from './portal.plugin.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
    pseudonymizer: Pseudonymizer;
    registry: RegistryService;
    /** The CA hierarchy, when the app signs (server: always; tests: when given). */
    pki?: CaHierarchy;
    /**
     * Whether this process runs the background jobs (notification delivery, CRL and tree-head
     * publishing, the compliance check, sweeps): true in one worker of a server, so they run
     * once per server and not once per worker.
     */
    runsBackgroundJobs: boolean;
  }
}

export interface AppOptions {
  config: Config;
  database: Database;
  logger?: FastifyServerOptions['logger'];
  pki?: CaHierarchy;
  /** False in every worker process but the first (QORGAU_WORKERS); true by default. */
  backgroundJobs?: boolean;
}

/** QORGAU_TRUST_PROXY: "" none, "true" every hop, a hop count, or addresses/CIDRs (comma separated). */
function trustProxyOf(setting: string): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (setting === '' || setting === 'false') return false;
  if (setting === 'true') return true;
  if (/^\d+$/.test(setting)) return (_address, hop) => hop < Number(setting);
  return setting.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * The one application, for the server and for tests (`app.inject`): infrastructure
 * plugins first, then services, then feature routes.
 */
export async function buildApp({ config, database, logger, pki, backgroundJobs = true }: AppOptions): Promise<FastifyInstance> {
  const pseudonymizer = new Pseudonymizer(config.pseudonymKey);
  const app = Fastify({
    logger: withPrivateSerializers(logger, config.logLevel, pseudonymizer),
    // Uploads stream through routes that set their own limits; JSON bodies stay small.
    bodyLimit: 1024 * 1024,
    schemaController,
    ...problemServerOptions,
    trustProxy: trustProxyOf(config.trustProxy),
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(
    fp(
      async (instance) => {
        instance.decorate('config', config);
        instance.decorate('database', database);
        instance.decorate('pseudonymizer', pseudonymizer);
        instance.decorate('pki', pki);
        instance.decorate('runsBackgroundJobs', backgroundJobs);
      },
      { name: 'database' },
    ),
  );
  await app.register(problemPlugin);
  await app.register(inputGuardPlugin);
  await app.register(securityHeadersPlugin);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Qorgau API',
        version: '0.1.0',
        description:
          'Registry of compromised personal data, credit protection and e-signature authority. Errors are RFC 9457 problem documents with a stable `code`.',
      },
      servers: [{ url: config.publicUrl }],
      components: { securitySchemes: { operatorToken: { type: 'http', scheme: 'bearer', description: 'Operator API token (qorgau token create)' }, personSession: { type: 'apiKey', in: 'cookie', name: '__Host-qorgau-session', description: 'Session of a person signed in with e-signature (POST /v1/auth/signin)' } } },
    },
  });
  // The docs page's own inline scripts and styles get hashes in its CSP (staticCSP).
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Its CSP, with framing refused like every other page; upgrade-insecure-requests would break plain-HTTP development.
    transformStaticCSP: (header) => header.replace("frame-ancestors 'self'", "frame-ancestors 'none'").replace(/\s*upgrade-insecure-requests;?/, ''),
  });
  await app.register(observabilityPlugin);
  // Authentication reads sessions and lender keys through ports: the features own their tables.
  await app.register(authPlugin, {
    personSessions: (scope) => new SessionStore(scope.database.db, undefined, ownCaCertificateCheck(scope.database.db, scope.pki)),
    lenderKeys: (scope) => {
      const keys = new LenderKeyAuthenticator(scope.database.db);
      return { looksLike: looksLikeLenderKey, authenticate: (key) => keys.authenticate(key) };
    },
  });
  await app.register(rateLimitsPlugin);
  await app.register(tokenRoutes);
  await app.register(idempotencyPlugin);

  app.decorate('registry', new RegistryService(database, app.pseudonymizer));
  await app.register(registryRoutes);
  app.decorate('credit', createCreditServices(database, app.pseudonymizer, app.registry, config));
  await app.register(creditRoutes);
  await app.register(revocationRoutes);
  await app.register(pkiRoutes);
  await app.register(signaturesPlugin);
  await app.register(tsaPlugin);
  await app.register(certificatesVerifyRoutes);
  await app.register(signinPlugin);
  await app.register(orgsPlugin);
  await app.register(notificationsPlugin);
  await app.register(misusePlugin);
  await app.register(meRoutes);
  await app.register(logPlugin);
  // A person's proofs of the publications that restricted them are found from their restrictions (credit knows which breaches).
  app.transparencyLog.setBatchKeysFinder((person) => app.credit.restrictions.publicationKeysOf(person));
  // A digital volunteer trained by the literacy feature may report fraud on a victim's behalf (looked up when asked).
  await app.register(fraudPlugin, { isVolunteer: (person: Buffer) => app.literacy.isTrainedVolunteer(person) });
  // The literacy index is joined with fraud statistics by region and age group; the composition root
  // passes fraud's aggregate in, so neither feature imports the other.
  await app.register(literacyPlugin, { fraudStatsByRegionAge: (period: string) => fraudByRegionAgeGroup(database, period) });
  await app.register(portalPlugin);
  return app;
}
