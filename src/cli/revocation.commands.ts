import { Option, type Command } from 'commander';
import { topLevelCommand } from './commands.js';
import { REVOCATION_REASONS } from '../pkix/crl-reason.js';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors/app-error.js';
import type { CaHierarchy } from '../features/ca/index.js';
import type { RevocationReason } from '../features/ca/index.js';
import { openCliContext } from './context.js';

const actor = () => `cli:${process.env.USER ?? 'unknown'}`;

/** The CA given by --ca-dir/--passphrase-file, or the development hierarchy of `npm start`. */
async function hierarchyFrom(opts: { caDir?: string; passphraseFile?: string }, dataDir: string): Promise<CaHierarchy> {
  const dir = opts.caDir ?? path.join(dataDir, 'pki');
  const passphraseFile = opts.passphraseFile ?? path.join(dir, (await import('../features/ca/index.js')).DEV_PASSPHRASE_FILE);
  if (!existsSync(passphraseFile)) throw AppError.notFound('CA_NOT_FOUND', `No CA passphrase file at ${passphraseFile}: give --ca-dir and --passphrase-file`);
  return (await import('../features/ca/index.js')).loadCaHierarchy(dir, await (await import('../features/ca/index.js')).readPassphraseFile(passphraseFile));
}

/** `qorgau cert revoke|release-hold` and `qorgau crl publish`. */
export function registerRevocationCommands(program: Command): void {
  const cert = topLevelCommand(program, 'cert');
  cert
    .command('revoke <serial>')
    .description('revoke a certificate (and its AUTH/SIGN partner unless --no-pair)')
    .addOption(new Option('--reason <reason>', 'RFC 5280 reason').choices([...REVOCATION_REASONS]).makeOptionMandatory())
    .option('--issuer <name>', 'issuing CA name', 'issuing')
    .option('--invalidity-date <iso>', 'when the key is known or suspected to have been compromised')
    .option('--no-pair', 'revoke only this certificate, not its partner')
    .action(async (serial: string, opts: { reason: RevocationReason; issuer: string; invalidityDate?: string; pair: boolean }) => {
      const ctx = await openCliContext();
      try {
        const revoked = await (await import('../features/ca/index.js')).revokeCertificates(ctx.database.db, {
          issuer: opts.issuer,
          serials: [serial],
          reason: opts.reason,
          invalidityDate: opts.invalidityDate ? new Date(opts.invalidityDate) : null,
          includePair: opts.pair,
          actor: actor(),
        });
        for (const r of revoked) console.log(`revoked ${r.issuer} ${r.serial} ${r.reason} at ${r.revokedAt.toISOString()}${r.viaPair ? ' (pair partner)' : ''}`);
      } finally {
        await ctx.close();
      }
    });
  cert
    .command('release-hold <serial>')
    .description('take a certificate (and its partner) off hold')
    .option('--issuer <name>', 'issuing CA name', 'issuing')
    .option('--no-pair', 'release only this certificate')
    .action(async (serial: string, opts: { issuer: string; pair: boolean }) => {
      const ctx = await openCliContext();
      try {
        for (const s of await (await import('../features/ca/index.js')).releaseCertificateHold(ctx.database.db, { issuer: opts.issuer, serial, includePair: opts.pair, actor: actor() })) console.log(`released ${opts.issuer} ${s}`);
      } finally {
        await ctx.close();
      }
    });

  topLevelCommand(program, 'crl')
    .command('publish')
    .description('build, sign and store a full CRL now (the server also does so after revocations and on a schedule)')
    .option('--issuer <name>', 'issuing CA name', 'issuing')
    .option('--ca-dir <dir>', 'CA folder (default: the development hierarchy in QORGAU_DATA_DIR/pki)')
    .option('--passphrase-file <file>', 'file holding the CA key passphrase')
    .option('--force', 'publish even when nothing changed')
    .option('--out <file>', 'also write the DER CRL to this file')
    .action(async (opts: { issuer: string; caDir?: string; passphraseFile?: string; force?: boolean; out?: string }) => {
      const ctx = await openCliContext();
      try {
        const hierarchy = await hierarchyFrom(opts, ctx.config.dataDir);
        const publisher = new (await import('../features/ca/index.js')).CrlPublisher(ctx.database, new Map([hierarchy.issuing, hierarchy.root].map((ca) => [ca.name, ca])));
        const meta = await publisher.publish(opts.issuer, { force: opts.force });
        console.log(`${opts.issuer} CRL ${meta.crlNumber}: ${meta.entries} entries, thisUpdate ${meta.thisUpdate.toISOString()}, nextUpdate ${meta.nextUpdate.toISOString()}`);
        if (opts.out) await writeFile(opts.out, (await publisher.latest(opts.issuer)).der);
      } finally {
        await ctx.close();
      }
    });
}
