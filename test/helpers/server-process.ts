import { spawn } from 'node:child_process';

/** The README's `npm start` as a child process on a free port; `ready` gives its URL. */
export function startServer(env: Record<string, string>) {
  // The compiled server, as `npm start` runs it (the tests' global setup compiles it).
  const child = spawn(process.execPath, ['dist/server.js'], { env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env } });
  const output = { stderr: '' };
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line:\n${output.stderr}`)), 90_000);
    child.stderr.on('data', (d) => {
      output.stderr += d;
      const m = /listening on (http:\/\/\S+)/.exec(output.stderr);
      if (m && /API docs: /.test(output.stderr)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output.stderr}`)));
  });
  const stop = async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  };
  return { child, ready, output, stop, pid: child.pid!, exited: () => child.exitCode };
}
