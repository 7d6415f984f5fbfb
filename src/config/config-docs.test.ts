import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, ENV_NAMES } from './config.js';
import { configurationTable, withConfigurationTable } from './config-docs.js';

describe('the README configuration table', () => {
  it('is the one generated from the config schema (run `npm run docs` after changing a setting)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(withConfigurationTable(readme)).toBe(readme);
  });

  it('names every environment variable the configuration reads and every setting of the schema', () => {
    const table = configurationTable();
    for (const variable of Object.keys(ENV_NAMES)) expect(table).toContain(`\`${variable}\``);
    expect(table.split('\n').length - 2).toBe(Object.keys(ConfigSchema.properties).length);
  });
});
