import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { AppError } from '../errors/app-error.js';
import { kindOfStatus } from '../errors/http-errors.js';

/**
 * The command line's one HTTP client and file reader. Every command that talks to a Qorgau
 * server (as an operator, a signed-in person, or anonymously) goes through `request`, so a
 * server out of reach and a problem document are turned into the same AppError everywhere.
 */

/** Reads a file the user named; a missing or unreadable one is the user's to fix, with its name. */
export async function readInput(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw AppError.badRequest('FILE_NOT_FOUND', `Cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
}

/** The password is the file's first line, so it never shows in argv or the shell history. */
export async function readPasswordFile(file: string): Promise<string> {
  const password = (await readInput(file, 'password file')).toString('utf8').split(/\r?\n/, 1)[0];
  if (!password) throw AppError.badRequest('PASSWORD_EMPTY', `The password file ${file} is empty`);
  return password;
}

export interface HttpCall {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, with `contentType`. */
  stream?: Readable;
  contentType?: string;
  /** An operator token, lender key or HR credential: `Authorization: Bearer ...`. */
  bearer?: string;
  /** A saved session's Cookie header value. */
  cookie?: string;
  /** Added to the detail of a 401, to say how to get a credential again. */
  unauthorizedHint?: string;
  fetch?: typeof fetch;
}

/** The AppError a server's problem document describes, with the kind its status stands for. */
export async function problemError(response: Response, url: string, hint = ''): Promise<AppError> {
  const problem = (await response.json().catch(() => ({}))) as { code?: string; detail?: string };
  return new AppError(
    kindOfStatus(response.status),
    problem.code ?? 'HTTP_ERROR',
    (problem.detail ?? `${url} answered HTTP ${response.status}`) + (response.status === 401 ? hint : ''),
    { status: response.status },
  );
}

/** Calls a server; a successful response comes back, anything else as an AppError. */
export async function request(url: string, call: HttpCall = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (call.bearer) headers.authorization = `Bearer ${call.bearer}`;
  if (call.cookie) headers.cookie = call.cookie;
  let body: string | Readable | undefined;
  if (call.stream) {
    headers['content-type'] = call.contentType ?? 'application/octet-stream';
    body = call.stream;
  } else if (call.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.body);
  }
  let response: Response;
  try {
    response = await (call.fetch ?? fetch)(url, {
      method: call.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body: body as BodyInit | undefined,
      ...(call.stream ? { duplex: 'half' } : {}),
    } as RequestInit);
  } catch (err) {
    throw AppError.unavailable('SERVER_UNREACHABLE', `Cannot reach ${url}: ${(err as Error).message}. Is the server running (npm start)?`, { cause: err });
  }
  if (!response.ok) throw await problemError(response, url, call.unauthorizedHint);
  return response;
}

/** `request`, with the answer read as JSON (an empty answer is undefined). */
export async function requestJson<T>(url: string, call: HttpCall = {}): Promise<T> {
  const text = await (await request(url, call)).text();
  return (text ? JSON.parse(text) : undefined) as T;
}
