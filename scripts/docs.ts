// Regenerates the parts of the docs that are made from the code: `npm run docs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { withConfigurationTable } from '../src/config/config-docs.js';
import { errorsDocument } from '../src/errors/errors-docs.js';

function write(file: string, text: string, what: string) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // A missing file is written.
  }
  if (text !== current) {
    writeFileSync(file, text);
    console.log(`${file}: ${what} updated`);
  } else console.log(`${file}: ${what} up to date`);
}

write('README.md', withConfigurationTable(readFileSync('README.md', 'utf8')), 'configuration table');
write('docs/errors.md', errorsDocument(), 'error codes');
