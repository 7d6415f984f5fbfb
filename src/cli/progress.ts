import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, note?: Record<string, string | number>): void;
  stop(): void;
}

/**
 * A progress bar on a terminal; otherwise (CI, pipes, logs) one line every few
 * seconds on stderr, so long work is never silent.
 */
const PLAIN_INTERVAL_MS = Number(process.env.QORGAU_PROGRESS_INTERVAL_MS ?? 5000);

export function startProgress(label: string, total: number | undefined, unit: string): Progress {
  if (process.stderr.isTTY && total) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {rate} | eta {eta_formatted}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: '' });
    return {
      update: (done, note) => bar.update(done, { rate: note ? Object.entries(note).map(([k, v]) => `${k} ${v}`).join(' ') : '' }),
      stop: () => bar.stop(),
    };
  }
  const started = Date.now();
  let last = 0;
  let latest = 0;
  let latestNote: Record<string, string | number> | undefined;
  const print = () => {
    const seconds = (Date.now() - started) / 1000;
    const pct = total ? ` (${((latest / total) * 100).toFixed(1)}%)` : '';
    const extra = latestNote ? ' ' + Object.entries(latestNote).map(([k, v]) => `${k}=${v}`).join(' ') : '';
    process.stderr.write(`${label}: ${latest}${total ? `/${total}` : ''} ${unit}${pct} after ${seconds.toFixed(1)} s${extra}\n`);
  };
  return {
    update(done, note) {
      latest = done;
      latestNote = note;
      if (Date.now() - last >= PLAIN_INTERVAL_MS) {
        last = Date.now();
        print();
      }
    },
    stop: print,
  };
}
