#!/usr/bin/env node
// Runs the compiled CLI (dist/), compiling first when src/ changed since the last build.
import { ensureBuilt } from '../scripts/build-if-stale.mjs';

try {
  await ensureBuilt();
} catch (err) {
  process.stderr.write(`qorgau: ${err.message}\n`);
  process.exit(1);
}
await import('../dist/cli/main.js');
