import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config/config.js';
import type { Database } from '../db/database.js';
import { Pseudonymizer } from '../privacy/pseudonym.js';
import { problemPlugin } from '../errors/http-errors.js';
import { observabilityPlugin } from './observability.plugin.js';
import { authPlugin } from './auth.plugin.js';
import { registryRoutes } from '../features/registry/registry.routes.js';
import { createCreditServices, creditRoutes } from '../features/credit/credit.routes.js';
import { RegistryService } from '../features/registry/registry.service.js';
import type { CaHierarchy } from '../features/pki/ca/hierarchy.js';
import { revocationRoutes } from '../features/pki/revocation.routes.js';
import { pkiRoutes } from '../features/pki/pki.routes.js';
import { signaturesPlugin } from '../features/pki/signatures.routes.js';
import { signinPlugin } from '../features/signin/signin.routes.js';
import { notificationsPlugin } from '../features/notifications/notifications.plugin.js';
import { meRoutes } from '../features/credit/me.routes.js';
import { orgsPlugin } from '../features/signatures/orgs.routes.js';
import { misusePlugin } from '../features/signatures/misuse.routes.js';
import { fraudPlugin } from '../features/fraud/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
    pseudonymizer: Pseudonymizer;
    registry: RegistryService;
    /** The CA hierarchy, when the app signs (server: always; tests: when given). */
    pki?: CaHierarchy;
  }
}

export interface AppOptions {
  config: Config;
  database: Database;
  logger?: FastifyServerOptions['logger'];
  pki?: CaHierarchy;
}

/**
 * The one application, for the server and for tests (`app.inject`): infrastructure
 * plugins first, then services, then feature routes.
 */
export async function buildApp({ config, database, logger, pki }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? { level: config.logLevel },
    // Uploads stream through routes that set their own limits; JSON bodies stay small.
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(
    fp(
      async (instance) => {
        instance.decorate('config', config);
        instance.decorate('database', database);
        instance.decorate('pseudonymizer', new Pseudonymizer(config.pseudonymKey));
        instance.decorate('pki', pki);
      },
      { name: 'database' },
    ),
  );
  await app.register(problemPlugin);
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
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(observabilityPlugin);
  await app.register(authPlugin);

  app.decorate('registry', new RegistryService(database, app.pseudonymizer));
  await app.register(registryRoutes);
  app.decorate('credit', createCreditServices(database, app.pseudonymizer, app.registry, config));
  await app.register(creditRoutes);
  await app.register(revocationRoutes);
  await app.register(pkiRoutes);
  await app.register(signaturesPlugin);
  await app.register(signinPlugin);
  await app.register(orgsPlugin);
  await app.register(notificationsPlugin);
  await app.register(misusePlugin);
  await app.register(meRoutes);
  await app.register(fraudPlugin);
  return app;
}
