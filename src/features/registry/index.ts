/**
 * The registry of breaches, responsible companies and affected persons.
 * This file is the feature's public entry: code outside src/features/registry imports only this.
 */
export type { PublishHook } from './registry.repository.js';
export { registryRoutes } from './registry.routes.js';
export { Breach } from './registry.schema.js';
export type { BreachCreateInput } from './registry.schema.js';
export { RegistryService, requireValidBin, requireValidIin } from './registry.service.js';
