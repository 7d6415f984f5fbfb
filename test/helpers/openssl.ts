import { spawnSync } from 'node:child_process';

/** Runs the real openssl binary; tests assert on its exit status and output. */
export function openssl(args: string[], input?: Uint8Array): { status: number; stdout: string; stderr: string; stdoutBytes: Buffer } {
  const result = spawnSync('/usr/bin/openssl', args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return {
    status: result.status ?? -1,
    stdout: result.stdout.toString('utf8'),
    stderr: result.stderr.toString('utf8'),
    stdoutBytes: result.stdout,
  };
}
