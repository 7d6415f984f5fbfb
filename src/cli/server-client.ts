import { Option, type Command } from 'commander';
import { topLevelCommand } from './commands.js';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { requestJson } from './http.js';
import { AppError } from '../errors/app-error.js';

/**
 * Day-to-day commands can talk to a running server instead of opening the database: the
 * embedded database belongs to the server's process, and an operator should never have to
 * stop the server to create a token or import a file.
 */
export interface ServerTarget {
  url: string;
  token: string;
}

export interface ServerOptions {
  url?: string;
  token?: string;
  tokenFile?: string;
}

/** Where `qorgau operator login` keeps the server and token (mode 0600). */
export function savedLoginFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.QORGAU_OPERATOR_FILE ?? path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'qorgau', 'operator.json');
}

/** Adds `--url`, `--token` and `--token-file` to a command (QORGAU_URL, QORGAU_TOKEN, QORGAU_TOKEN_FILE in the environment). */
export function withServerOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'talk to this running Qorgau server instead of opening the database (e.g. http://localhost:8080)').env('QORGAU_URL'))
    .addOption(new Option('--token <token>', 'operator token for --url').env('QORGAU_TOKEN'))
    .addOption(new Option('--token-file <file>', 'file holding the operator token for --url (e.g. data/operator.token)').env('QORGAU_TOKEN_FILE'));
}

function readTokenFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw AppError.badRequest('TOKEN_FILE_UNREADABLE', `Cannot read the token file ${file}: ${(err as Error).message}`);
  }
}

/**
 * The server to talk to, or null to open the database directly. `--url` (or QORGAU_URL)
 * chooses the server; the token comes from `--token`, `--token-file`, or the saved login.
 */
export function resolveServer(options: ServerOptions, env: NodeJS.ProcessEnv = process.env): ServerTarget | null {
  const saved = existsSync(savedLoginFile(env)) ? (JSON.parse(readFileSync(savedLoginFile(env), 'utf8')) as ServerTarget) : null;
  const url = options.url ?? (options.token || options.tokenFile ? undefined : saved?.url);
  if (!url) {
    if (options.token || options.tokenFile) throw AppError.badRequest('SERVER_URL_REQUIRED', 'A token was given without a server: add --url http://host:port');
    return null;
  }
  const token = options.token ?? (options.tokenFile ? readTokenFile(options.tokenFile) : saved && saved.url === url ? saved.token : undefined);
  if (!token) {
    throw AppError.badRequest('SERVER_TOKEN_REQUIRED', `Talking to ${url} needs an operator token: add --token-file data/operator.token (or --token), or run "qorgau operator login --url ${url} --token-file FILE" once`);
  }
  return { url: url.replace(/\/+$/, ''), token };
}

export interface ServerCall {
  method?: string;
  body?: unknown;
  stream?: Readable;
  contentType?: string;
}

/** Calls the server as an operator; a problem document comes back as the AppError it describes. */
export function callServer<T>(target: ServerTarget, route: string, call: ServerCall = {}): Promise<T> {
  return requestJson<T>(`${target.url}${route}`, { ...call, bearer: target.token });
}

/** `qorgau operator login|logout`: remember a server and its operator token for later commands. */
export function registerOperatorCommands(program: Command): void {
  const operator = topLevelCommand(program, 'operator');
  operator
    .command('login')
    .description(`check a token against a running server and save both (${savedLoginFile()})`)
    .requiredOption('--url <url>', 'the Qorgau server, e.g. http://localhost:8080')
    .addOption(new Option('--token <token>', 'the operator token').env('QORGAU_TOKEN'))
    .addOption(new Option('--token-file <file>', 'file holding the operator token').env('QORGAU_TOKEN_FILE'))
    .action(async (opts: ServerOptions & { url: string }) => {
      const token = opts.token ?? (opts.tokenFile ? readTokenFile(opts.tokenFile) : undefined);
      if (!token) throw AppError.badRequest('SERVER_TOKEN_REQUIRED', 'Give the operator token with --token-file FILE or --token TOKEN');
      const target = { url: opts.url.replace(/\/+$/, ''), token };
      const who = await callServer<{ name: string; role: string }>(target, '/v1/admin/whoami');
      const file = savedLoginFile();
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(target) + '\n', { mode: 0o600 });
      await chmod(file, 0o600);
      console.log(`signed in to ${target.url} as ${who.name} (${who.role}); saved in ${file}`);
    });
  operator
    .command('logout')
    .description('forget the saved server and token')
    .action(async () => {
      const file = savedLoginFile();
      if (existsSync(file)) await writeFile(file, '{}\n', { mode: 0o600 });
      console.log('the saved operator login is forgotten');
    });
}
