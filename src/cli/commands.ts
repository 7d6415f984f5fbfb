import type { Command } from 'commander';

/**
 * Every top-level command of `qorgau`, with its description and the modules that define it.
 * `qorgau --help` lists these without importing any module (no database driver, no PKI code);
 * `qorgau <command> ...` imports only that command's modules. Modules create their top-level
 * command with `topLevelCommand`, so the description shown before and after loading is one text.
 */
type Register = (program: Command) => void;
const load = {
  core: async (): Promise<Register> => (await import('./core.commands.js')).registerCoreCommands,
  operator: async (): Promise<Register> => (await import('./server-client.js')).registerOperatorCommands,
  protection: async (): Promise<Register> => (await import('./protection.commands.js')).registerProtectionCommands,
  pki: async (): Promise<Register> => (await import('./pki.commands.js')).registerPkiCommands,
  review: async (): Promise<Register> => (await import('./review.commands.js')).registerReviewCommands,
  revocation: async (): Promise<Register> => (await import('./revocation.commands.js')).registerRevocationCommands,
  sign: async (): Promise<Register> => (await import('./sign.commands.js')).registerSignCommands,
  credit: async (): Promise<Register> => (await import('./credit.commands.js')).registerCreditCommands,
  login: async (): Promise<Register> => (await import('./login.commands.js')).registerLoginCommands,
  orgs: async (): Promise<Register> => (await import('./orgs.commands.js')).registerOrgCommands,
  certVerify: async (): Promise<Register> => (await import('./cert-verify.command.js')).registerCertVerifyCommand,
  fraud: async (): Promise<Register> => (await import('./fraud.commands.js')).registerFraudCommands,
  audit: async (): Promise<Register> => (await import('./audit.commands.js')).registerAuditCommands,
};

export const COMMANDS: Record<string, { description: string; modules: (keyof typeof load)[] }> = {
  migrate: {
    description:
      'apply the database migrations',
    modules: ['core'],
  },
  token: {
    description:
      'operator API tokens (with --url, through a running server; without, in the database)',
    modules: ['core'],
  },
  breach: {
    description:
      'breaches of the registry',
    modules: ['core'],
  },
  operator: {
    description:
      'remember the server and operator token that day-to-day commands use',
    modules: ['operator'],
  },
  protection: {
    description:
      'your own credit protection: restrictions on loans and microcredits, and lifts',
    modules: ['protection'],
  },
  me: {
    description:
      'what Qorgau holds about you (signed in with "qorgau login --save FILE")',
    modules: ['protection'],
  },
  ca: {
    description:
      'the certification authority',
    modules: ['pki', 'review'],
  },
  keygen: {
    description:
      'make your AUTH and SIGN keys and CSRs here, then your .p12 files once the certificates are issued',
    modules: ['pki'],
  },
  cert: {
    description:
      'certificates: revoke, release a hold, verify a path',
    modules: ['revocation', 'certVerify'],
  },
  crl: {
    description:
      'certificate revocation lists',
    modules: ['revocation'],
  },
  sign: {
    description:
      'sign a document with a PKCS#12 (.p12) key: CMS SignedData (DER) with SHA-256, signing-time and signing-certificate-v2; ' +
      'optionally detached and time-stamped. Reads modern (AES) and the national CA\'s legacy (3DES/RC2) .p12 files.',
    modules: ['sign'],
  },
  verify: {
    description:
      'verify a CMS signature with a Qorgau server (POST /v1/signatures/verify) and print its report; ' +
      'exit status 0 valid, 1 invalid or error, 3 indeterminate',
    modules: ['sign'],
  },
  lender: {
    description:
      'lenders (banks and microfinance organizations) that check for credit restrictions',
    modules: ['credit'],
  },
  credit: {
    description:
      'credit protection, as a lender sees it',
    modules: ['credit'],
  },
  login: {
    description:
      'sign in to a Qorgau server with e-signature: signs a one-time challenge with the AUTH certificate of a PKCS#12 (.p12) file. ' +
      'Prints the session (JSON, with the Cookie header value to send) or saves it to a file readable only by you.',
    modules: ['login'],
  },
  org: {
    description:
      "organizations enrolled for their employees' e-signatures",
    modules: ['orgs'],
  },
  fraud: {
    description:
      'online-fraud reports and their linking',
    modules: ['fraud'],
  },
  audit: {
    description:
      'the transparency log: verify it from the database, or watch a deployment from outside',
    modules: ['audit'],
  },
};

/** Creates a top-level command with its one description. */
export function topLevelCommand(program: Command, name: string): Command {
  const known = COMMANDS[name];
  if (!known) throw new Error(`${name} is not in COMMANDS (src/cli/commands.ts)`);
  return program.command(name).description(known.description);
}

/** Registers the named top-level commands (every one when `names` is absent), importing only their modules. */
export async function registerCommands(program: Command, names: string[] = Object.keys(COMMANDS)): Promise<void> {
  const modules = [...new Set(names.flatMap((n) => COMMANDS[n]?.modules ?? []))];
  // Registered in the order of `load`, so help lists commands the same way however they were loaded.
  const ordered = (Object.keys(load) as (keyof typeof load)[]).filter((m) => modules.includes(m));
  for (const register of await Promise.all(ordered.map((m) => load[m]()))) register(program);
}

/** Lists every top-level command for help without importing a module: each placeholder only describes itself. */
export function describeCommands(program: Command): void {
  for (const [name, { description }] of Object.entries(COMMANDS)) program.command(name).description(description);
}
