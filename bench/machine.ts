import os from 'node:os';

/** The header every benchmark prints: what machine, when, which Node. */
export function machineLine(): string {
  const cpus = os.cpus();
  return [
    `date: ${new Date().toISOString()}`,
    `machine: ${os.hostname()} ${os.type()} ${os.release()} ${os.arch()}`,
    `cpus: ${cpus.length} x ${cpus[0]?.model ?? 'unknown'}`,
    `memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `node: ${process.version}`,
  ].join('\n');
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
