import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A fresh temp folder for one test's files. */
export function tempDir(prefix = 'qorgau-pki-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes bytes into `dir` and returns the path, for handing to the openssl binary. */
export function writeTemp(dir: string, name: string, data: string | Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return file;
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  return `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

/** Runs the real OpenSSL; resolves with its output and exit code instead of throwing, so tests can assert failures. */
export async function openssl(args: string[], options: { input?: string | Buffer } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const child = execFileAsync('/usr/bin/openssl', args, { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (options.input !== undefined) {
      child.child.stdin?.end(options.input);
    }
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(err) };
  }
}
