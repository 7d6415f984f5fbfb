/** Types of eslint.config.js, for test/architecture.test.ts. */
export declare const FEATURE_DEPENDENCIES: Record<string, string[]>;
declare const config: unknown[];
export default config;
