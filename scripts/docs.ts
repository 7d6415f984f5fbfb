// Regenerates the parts of the docs that are made from the code: `npm run docs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigurationTable } from '../src/config/config-docs.js';

const readme = readFileSync('README.md', 'utf8');
const updated = withConfigurationTable(readme);
if (updated !== readme) {
  writeFileSync('README.md', updated);
  console.log('README.md: configuration table updated');
} else console.log('README.md: configuration table up to date');
