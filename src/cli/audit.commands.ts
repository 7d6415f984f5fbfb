import path from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { topLevelCommand } from './commands.js';
import { LogService, verifyConsistency, verifyLog, verifyTreeHeadJws } from '../features/log/index.js';
import { withCliContext } from './context.js';
import { publicationRecordsOf } from '../features/credit/index.js';

interface SeenHead {
  treeSize: number;
  rootHash: string;
  publicKey: Record<string, unknown>;
}

/** One round of the monitor: fetch the head, check its signature and its consistency with the last one seen. */
export async function watchOnce(url: string, stateFile: string | undefined, fetcher: typeof fetch = fetch): Promise<{ ok: boolean; message: string }> {
  const base = url.replace(/\/$/, '');
  const res = await fetcher(`${base}/v1/log/sth`);
  if (!res.ok) return { ok: false, message: `could not fetch the tree head: HTTP ${res.status}` };
  const head = (await res.json()) as SeenHead & { signature: string; timestamp: string };
  const last: SeenHead | null = stateFile && existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : null;
  const key = last?.publicKey ?? head.publicKey;
  const payload = verifyTreeHeadJws(head.signature, key as never);
  if (!payload || payload.treeSize !== head.treeSize || payload.rootHash !== head.rootHash) {
    return { ok: false, message: `FORK OR FORGERY: the tree head of size ${head.treeSize} is not signed by the log key seen before` };
  }
  if (last) {
    if (head.treeSize < last.treeSize) return { ok: false, message: `FORK: the log shrank from ${last.treeSize} to ${head.treeSize} entries` };
    const proofRes = await fetcher(`${base}/v1/log/consistency?first=${last.treeSize}&second=${head.treeSize}`);
    const proof = proofRes.ok ? ((await proofRes.json()) as { proof: string[] }).proof : null;
    const hex = (h: string) => Buffer.from(h, 'hex');
    if (!proof || !verifyConsistency(last.treeSize, head.treeSize, hex(last.rootHash), hex(head.rootHash), proof.map(hex))) {
      return { ok: false, message: `FORK: the tree head of size ${head.treeSize} (root ${head.rootHash}) is not consistent with the one of size ${last.treeSize} (root ${last.rootHash}) seen before` };
    }
  }
  if (stateFile) writeFileSync(stateFile, JSON.stringify({ treeSize: head.treeSize, rootHash: head.rootHash, publicKey: key }));
  return { ok: true, message: `tree head of size ${head.treeSize} (root ${head.rootHash}) is consistent with what was seen before` };
}

export function registerAuditCommands(program: Command): void {
  const audit = topLevelCommand(program, 'audit');
  audit
    .command('verify')
    .description('recompute the log from the database, check every published tree head and the consistency between them; exit 1 naming the first entry that differs')
    .action(async () => {
      const report = await withCliContext(async (ctx) => {
        const key = LogService.keyFromFile(ctx.config.logKeyFile ?? path.join(ctx.config.dataDir, 'log', 'signing-key.pem'));
        return verifyLog(ctx.database.db, key.publicJwk, { batchRecords: publicationRecordsOf });
      });
      if (report.ok) {
        console.log(`the log is intact: ${report.entries} entries, ${report.treeHeads} tree heads checked`);
        return;
      }
      console.error(`THE LOG WAS CHANGED${report.firstBadIndex !== null ? `: first entry that differs is ${report.firstBadIndex}` : ''}`);
      for (const p of report.problems) console.error(`- ${p}`);
      process.exitCode = 1;
    });
  audit
    .command('watch')
    .description('fetch tree heads from a deployment and alarm (exit 2) when one is not consistent with the last one seen')
    .requiredOption('--url <url>', 'the deployment, e.g. https://qorgau.example')
    .option('--interval <seconds>', 'seconds between rounds', '60')
    .option('--state <file>', 'where the last tree head seen is kept between runs')
    .option('--once', 'one round, then exit')
    .option('--rounds <n>', 'stop after this many rounds', '0')
    .action(async (opts: { url: string; interval: string; state?: string; once?: boolean; rounds: string }) => {
      const rounds = opts.once ? 1 : Number(opts.rounds) || Infinity;
      const seconds = Math.max(1, Number(opts.interval) || 60);
      for (let i = 0; i < rounds; i++) {
        const result = await watchOnce(opts.url, opts.state).catch((err: Error) => ({ ok: true, message: `could not reach ${opts.url}: ${err.message} (will retry)` }));
        if (!result.ok) {
          console.error(`ALARM: ${result.message}`);
          process.exitCode = 2;
          return;
        }
        console.log(result.message);
        if (i + 1 < rounds) await new Promise((r) => setTimeout(r, seconds * 1000));
      }
    });
}
