// Compiles src/ to dist/ when dist is missing or older than a source file, so `npm start` and
// the `qorgau` command run compiled JavaScript without a separate build step. One build at a
// time: concurrent callers (tests spawning the CLI) wait for the one that holds the lock.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const lock = path.join(root, '.dist-build.lock');

function newestSource(dir, newest = 0) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // The architecture test's lint probes come and go while tests run; the build leaves them out.
    if (entry.name.startsWith('__architecture_probe__')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = newestSource(full, newest);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return -1;
  }
}

const configFiles = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => path.join(root, f));
const isStale = () => {
  const built = builtAt();
  return built < 0 || newestSource(path.join(root, 'src')) > built || configFiles.some((f) => statSync(f).mtimeMs > built);
};

function takeLock() {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    // A lock left by a build that died is taken over after ten minutes.
    if (Date.now() - statSync(lock).mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

/** Builds when stale (or always, for `npm run build`). */
export async function ensureBuilt({ always = false } = {}) {
  const needed = () => always || isStale();
  if (!needed()) return;
  while (!takeLock()) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (!isStale()) return;
  }
  try {
    if (!needed()) return;
    if (!always) process.stderr.write('qorgau: compiling src/ to dist/ (once, after a change)...\n');
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const started = Date.now();
    const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
    if (result.error?.code === 'ENOENT' || result.status === null) throw new Error('cannot run the TypeScript compiler: run `npm install` first');
    if (result.status !== 0) throw new Error('the TypeScript build failed (npm run build shows why)');
    writeFileSync(stamp, new Date(started).toISOString() + '\n');
    // The stamp says when the compiled sources were read: a source edited during the build stays stale.
    const seconds = started / 1000;
    utimesSync(stamp, seconds, seconds);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await ensureBuilt({ always: process.argv.includes('--always') });
  } catch (err) {
    process.stderr.write(`qorgau: ${err.message}\n`);
    process.exit(1);
  }
}
