// Lint: the usual correctness rules, and the feature boundaries of docs/architecture.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';

const KERNEL = ['errors', 'db', 'config', 'identifiers', 'privacy', 'der', 'pkix', 'schemas'];

/** Which feature may use which other feature (through its index.ts only). Acyclic: no folder cycles. */
export const FEATURE_DEPENDENCIES = {
  log: [],
  registry: ['log'],
  notifications: [],
  trust: [],
  ca: ['trust', 'log'],
  signin: ['trust', 'ca'],
  signatures: ['ca', 'trust', 'signin', 'notifications'],
  credit: ['registry', 'notifications', 'trust', 'log'],
  literacy: ['signin', 'ca', 'trust'],
  fraud: ['trust', 'notifications', 'signin'],
};

const feature = (name, index = true) => ({ element: { type: 'feature', captured: { name }, ...(index ? { fileInternalPath: 'index.ts' } : {}) } });

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'web/**', 'coverage/**'] },
  js.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', Buffer: 'readonly' } },
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { alwaysTryTypes: true, project: './tsconfig.json' } },
      'boundaries/include': ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
      'boundaries/elements': [
        { type: 'feature', pattern: 'src/features/*', capture: ['name'] },
        { type: 'kernel', pattern: `src/{${KERNEL.join(',')}}`, capture: ['name'] },
        // The composition root: buildApp() and the server wire features together.
        { type: 'http', pattern: 'src/http' },
        { type: 'auth', pattern: 'src/auth' },
        { type: 'client', pattern: 'src/client' },
        { type: 'cli', pattern: 'src/cli' },
        { type: 'test', pattern: 'test' },
        { type: 'bench', pattern: 'bench' },
      ],
      'boundaries/files': [
        { category: 'test', pattern: '**/*.test.ts' },
        { category: 'main', pattern: 'src/server.ts' },
      ],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Refusing control characters in input is deliberate here (NUL and C0 codes in identifiers, names and files).
      'no-control-regex': 'off',
      'boundaries/dependencies': [
        2,
        {
          default: 'disallow',
          policies: [
            // Inside a feature, anything; the kernel is for everyone.
            { from: { element: { type: 'feature' } }, allow: { to: { element: { type: 'feature', captured: { name: '{{ from.element.captured.name }}' } } } } },
            { allow: { to: { element: { type: 'kernel' } } } },
            // Any folder may use itself; operator tokens serve every feature.
            { allow: { dependency: { relationship: { to: 'internal' } } } },
            { from: { element: { type: ['feature', 'http', 'cli', 'test', 'bench'] } }, allow: { to: { element: { type: 'auth' } } } },
            ...Object.entries(FEATURE_DEPENDENCIES).map(([from, tos]) => ({
              from: { element: { type: 'feature', captured: { name: from } } },
              allow: tos.map((to) => ({ to: feature(to) })),
            })),
            // The composition root (http/, server.ts), the CLI, tests and benchmarks use any feature, through its index.
            { from: { element: { type: ['http', 'cli', 'test', 'bench'] } }, allow: { to: { element: { type: 'feature', fileInternalPath: 'index.ts' } } } },
            { from: { file: { categories: 'main' } }, allow: [{ to: { element: { type: 'feature', fileInternalPath: 'index.ts' } } }, { to: { element: { type: ['http', 'auth'] } } }] },
            { from: { element: { type: ['cli', 'test', 'bench'] } }, allow: { to: { element: { type: ['client', 'http', 'cli', 'test'] } } } },
            // Tests inside a feature or the client may use other features (through their index), the client, the app and test helpers.
            { from: { file: { categories: 'test' } }, allow: [{ to: { element: { type: 'feature', fileInternalPath: 'index.ts' } } }, { to: { element: { type: ['client', 'http', 'test', 'cli', 'auth'] } } }] },
            // The database type gathers every feature's table types (type-only imports of *.tables.ts).
            {
              from: { element: { type: 'kernel', captured: { name: 'db' }, fileInternalPath: 'types.ts' } },
              allow: { to: { element: { type: 'feature', fileInternalPath: '*.tables.ts' } }, dependency: { kind: 'type' } },
            },
          ],
        },
      ],
    },
  },
  {
    // Type-aware: a promise nobody awaits loses its error (and, in a route, its 2xx-means-durable).
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }] },
  },
  {
    // Migrations and the dialect work on the untyped database (Kysely<any>, as Kysely documents
    // for migrations: they must not change when today's table types do); tests and benchmarks
    // poke at raw rows.
    files: ['src/db/**/*.ts', '**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
