import { Command, Option } from 'commander';
import { topLevelCommand } from './commands.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OnlineRevocation, PathInputError, readCertificateBlocks, readCrlBlocks, trustFolderMaterial, validatePath, type PathCertificate, type PathCrl, type PathValidationReport } from '../features/trust/index.js';

/** Exit codes of `qorgau cert verify`, as relying parties script against them. */
export const EXIT = { valid: 0, invalid: 1, usage: 2, indeterminate: 3 } as const;

interface VerifyOptions {
  intermediate: string[];
  anchor: string[];
  crl: string[];
  at?: string;
  json?: boolean;
  policy: string[];
  explicitPolicy?: boolean;
  inhibitPolicyMapping?: boolean;
  inhibitAnyPolicy?: boolean;
  revocation: 'all' | 'target' | 'none';
  online?: boolean;
  trustDir?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

class UsageError extends Error {}

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function printText(report: PathValidationReport): void {
  const d = report.decidedBy;
  console.log(`${report.result}: ${d.reason} [${d.code}]`);
  for (const [i, c] of report.path.entries()) console.log(`  ${i === 0 && report.trustAnchor ? 'anchor' : i === report.path.length - 1 ? 'target' : 'ca    '} ${c.subject} (serial ${c.serialNumber})`);
  if (report.result !== 'valid') return;
  if (report.validPolicies?.length) console.log(`  policies: ${report.validPolicies.join(', ')}`);
}

/**
 * `qorgau cert verify`: RFC 5280 path validation of a certificate as a relying party does it,
 * offline from the files given (and the trust folder when no --anchor is given), or with
 * --online also from the CRL distribution points and OCSP responders the certificates name.
 */
export async function verifyCertificateCommand(certFile: string, opts: VerifyOptions): Promise<number> {
  let report: PathValidationReport;
  try {
    const anchors: PathCertificate[] = opts.anchor.flatMap((f) => readCertificateBlocks(read(f, 'anchor'), `anchor ${f}`));
    const crls: PathCrl[] = opts.crl.flatMap((f) => readCrlBlocks(read(f, 'CRL'), `CRL ${f}`));
    if (anchors.length === 0) {
      const dir = opts.trustDir ?? path.join(process.env.QORGAU_DATA_DIR ?? './data', 'pki', 'trust');
      const material = trustFolderMaterial(dir);
      anchors.push(...material.anchors);
      crls.push(...material.crls);
      if (anchors.length === 0) throw new UsageError(`no trust anchor: give --anchor FILE, or put anchors in the trust folder ${dir}`);
    }
    const intermediates = opts.intermediate.flatMap((f) => readCertificateBlocks(read(f, 'intermediate'), `intermediate ${f}`));
    const at = opts.at === undefined ? new Date() : new Date(opts.at);
    if (Number.isNaN(at.getTime())) throw new UsageError(`--at ${opts.at} is not a time: use ISO 8601, such as 2026-11-29T12:00:00Z`);
    const targetBytes = read(certFile, 'certificate');
    let target: PathCertificate;
    try {
      [target] = readCertificateBlocks(targetBytes, `certificate ${certFile}`);
    } catch (err) {
      // A certificate that cannot be read is not valid; the relying party gets "invalid", not a usage error.
      const reason = (err as Error).message;
      const check = { check: 'path-building' as const, status: 'failed' as const, code: 'CERTIFICATE_MALFORMED', reason };
      report = { result: 'invalid', decidedBy: check, checks: [check], path: [], validatedAt: at.toISOString() };
      return output(report, opts);
    }
    report = await validatePath({
      target,
      anchors,
      intermediates,
      crls,
      at,
      revocation: opts.revocation,
      policy: {
        ...(opts.policy.length ? { initialPolicySet: opts.policy } : {}),
        initialExplicitPolicy: !!opts.explicitPolicy,
        initialPolicyMappingInhibit: !!opts.inhibitPolicyMapping,
        initialAnyPolicyInhibit: !!opts.inhibitAnyPolicy,
      },
      ...(opts.online ? { onlineRevocation: new OnlineRevocation() } : {}),
    });
  } catch (err) {
    if (err instanceof UsageError || err instanceof PathInputError) {
      process.stderr.write(`qorgau: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  return output(report, opts);
}

function output(report: PathValidationReport, opts: VerifyOptions): number {
  if (opts.json) console.log(JSON.stringify(report, null, 2));
  else printText(report);
  return EXIT[report.result];
}

export function registerCertVerifyCommand(program: Command): void {
  const cert = program.commands.find((c) => c.name() === 'cert') ?? topLevelCommand(program, 'cert');
  cert
    .command('verify <cert>')
    .description(
      'validate a certificate as a relying party (RFC 5280 path validation with CRLs): exit code 0 valid, 1 invalid, 3 indeterminate, 2 bad usage. ' +
        'Files are PEM (several blocks allowed) or DER. Without --anchor, the trust folder <QORGAU_DATA_DIR>/pki/trust is used.',
    )
    .option('--intermediate <file>', 'an intermediate CA certificate (repeatable)', collect, [])
    .option('--anchor <file>', 'a trust anchor certificate (repeatable)', collect, [])
    .option('--crl <file>', 'a CRL (repeatable; delta CRLs too)', collect, [])
    .option('--at <time>', 'validate at this time (ISO 8601) instead of now')
    .option('--json', 'print the whole report as JSON')
    .option('--policy <oid>', 'an acceptable certificate policy (repeatable; default any policy)', collect, [])
    .option('--explicit-policy', 'require a valid certificate policy (initial-explicit-policy)')
    .option('--inhibit-policy-mapping', 'refuse policy mapping (initial-policy-mapping-inhibit)')
    .option('--inhibit-any-policy', 'do not let anyPolicy match (initial-any-policy-inhibit)')
    .addOption(new Option('--revocation <which>', 'whose revocation status must be known').choices(['all', 'target', 'none']).default('all'))
    .option('--online', "also fetch CRLs from the certificates' distribution points and ask their OCSP responders")
    .option('--trust-dir <dir>', 'the trust folder to use when no --anchor is given')
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : EXIT.usage);
    })
    .action(async (certFile: string, opts: VerifyOptions) => {
      process.exitCode = await verifyCertificateCommand(certFile, opts);
    });
}
