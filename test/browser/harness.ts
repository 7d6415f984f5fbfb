import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

/**
 * The portal tested as people use it: Debian's chromium drives the built portal, served by the
 * real server (src/server.ts) in a child process on a free port, on PostgreSQL when the
 * project is "postgres" (a fresh database) and on the embedded PGlite otherwise. The server
 * makes its demo people (QORGAU_DEMO=1), whose key files the tests sign in with.
 */

export const CHROMIUM = process.env.QORGAU_CHROMIUM ?? '/usr/bin/chromium';
const repo = fileURLToPath(new URL('../..', import.meta.url));
export const OUTPUT = path.join(repo, 'test/browser/output');

/** With PostgreSQL configured, the browser tests run once, in the postgres project. */
export const browserTestsSkipped = !existsSync(CHROMIUM) || (process.env.QORGAU_TEST_DB !== 'postgres' && Boolean(process.env.TEST_DATABASE_URL));

export interface DemoPerson {
  auth: string;
  sign: string;
  password: string;
  iin: string;
  name: string;
}

export interface RunningServer {
  url: string;
  dataDir: string;
  /** The server's own PostgreSQL database (the postgres project only): for what no route makes, such as a relying party's token. */
  databaseUrl?: string;
  demo: Record<string, DemoPerson>;
  demoDir: string;
  token: (file: string) => string;
  stop: () => Promise<void>;
}

async function freshPostgresDatabase(): Promise<string> {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `qorgau_portal_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function readDemo(readme: string): Record<string, DemoPerson> {
  const dir = path.dirname(readme);
  const people: Record<string, DemoPerson> = {};
  const lines = readFileSync(readme, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\w+): ([^,]+),/.exec(lines[i]);
    const files = /files: (\S+), (\S+)\s+password: (\S+)\s+IIN: (\d{12})/.exec(lines[i + 1] ?? '');
    if (head && files) people[head[1]] = { name: head[2], auth: path.join(dir, files[1]), sign: path.join(dir, files[2]), password: files[3], iin: files[4] };
  }
  return people;
}

export async function startServer(extraEnv: Record<string, string> = {}): Promise<RunningServer> {
  await import(path.join(repo, 'web/build-if-needed.mjs'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qorgau-portal-'));
  const env: Record<string, string> = { ...(process.env as Record<string, string>), PORT: '0', QORGAU_HOST: '127.0.0.1', QORGAU_DATA_DIR: dataDir, QORGAU_DEMO: '1', LOG_LEVEL: 'warn', ...extraEnv };
  delete env.DATABASE_URL;
  if (process.env.QORGAU_TEST_DB === 'postgres') {
    const keyFile = path.join(dataDir, 'pseudonym.key');
    writeFileSync(keyFile, randomBytes(32).toString('hex'));
    env.DATABASE_URL = await freshPostgresDatabase();
    env.QORGAU_PSEUDONYM_KEY_FILE = keyFile;
  }
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(repo, 'src/server.ts')], { cwd: repo, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const ready = await new Promise<{ port: number; readme: string }>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      log += d;
      const port = /listening on http:\/\/localhost:(\d+)/.exec(log);
      const demo = /Demo people, their key files \(\.p12\) and passwords: (\S+)/.exec(log);
      if (port && demo) resolve({ port: Number(port[1]), readme: demo[1] });
    });
    child.on('exit', (code) => reject(new Error(`the server exited (${code}):\n${log}`)));
  });
  const demoDir = path.dirname(ready.readme);
  return {
    url: `http://localhost:${ready.port}`,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    demo: readDemo(ready.readme),
    demoDir,
    token: (file) => readFileSync(path.join(demoDir, file), 'utf8').trim(),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** With `fakeVideo`, chromium's fake camera plays that .y4m file (fake-camera.ts writes one) instead of its own test picture. */
export async function launchBrowser(options: { fakeVideo?: string } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      ...(options.fakeVideo ? [`--use-file-for-fake-video-capture=${options.fakeVideo}`] : []),
    ],
  });
}

/** No serious or critical accessibility violation on the page as it is now. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) throw new Error(`${where}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`).join('\n')}`);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT, `${name}.png`), fullPage: true });
}

/** The browser locale each portal language is tested with. */
export const LOCALE = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-US' } as const;

/** The text of a message before its first {{placeholder}}. */
export const stem = (message: string) => message.split('{{')[0].trim();

/**
 * A fresh browser context whose language is `lang`, on the portal's home page: the portal must
 * pick the language up by itself, which is awaited. Confirmations are accepted as a person
 * clicking OK.
 */
export async function openPortal(browser: Browser, baseUrl: string, lang: keyof typeof LOCALE, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ locale: LOCALE[lang], viewport: { width: 1100, height: 900 }, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(baseUrl + '/');
  for (let tries = 0; (await page.evaluate(() => document.documentElement.lang)) !== lang; tries++) {
    if (tries > 100) throw new Error(`the portal did not switch to ${lang}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return page;
}
