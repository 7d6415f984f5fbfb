// `npm start` runs this first: builds the portal (web/dist) when it is missing or older than its sources.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('.', import.meta.url));
const built = join(web, 'dist', 'index.html');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const sources = ['src', 'index.html', 'vite.config.ts', 'public'].map((p) => join(web, p)).filter(existsSync);
const packageLock = fileURLToPath(new URL('../package-lock.json', import.meta.url));
const sourceTime = Math.max(...sources.map(newest), existsSync(packageLock) ? statSync(packageLock).mtimeMs : 0);

if (!existsSync(built) || statSync(built).mtimeMs < sourceTime) {
  process.stderr.write('qorgau: building the portal (web/dist)…\n');
  const { build } = await import('vite');
  await build({ configFile: join(web, 'vite.config.ts'), logLevel: 'warn' });
}
