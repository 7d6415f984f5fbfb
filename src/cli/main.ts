import { Command } from 'commander';
import { AppError } from '../errors/app-error.js';
import { EXIT_CODE_OF_KIND } from '../errors/exit-codes.js';
import { COMMANDS, describeCommands, registerCommands } from './commands.js';

function newProgram(): Command {
  return new Command()
    .name('qorgau')
    .description('Qorgau command line: database, operator tokens and the registry of compromised data.\nConfiguration comes from the environment (DATABASE_URL, QORGAU_DATA_DIR, QORGAU_PSEUDONYM_KEY_FILE).')
    .showHelpAfterError();
}

/** The top-level commands an argument list names: `qorgau keygen ...`, `qorgau help keygen`. */
function commandsNamed(argv: string[]): string[] {
  const words = argv.slice(2).filter((a) => !a.startsWith('-'));
  const named = words[0] === 'help' ? words[1] : words[0];
  return named && COMMANDS[named] ? [named] : [];
}

export async function runCli(argv: string[]): Promise<void> {
  const program = newProgram();
  const named = commandsNamed(argv);
  // Only the command asked for is imported; bare help lists every command without importing one.
  if (named.length > 0) await registerCommands(program, named);
  else describeCommands(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof AppError) {
      process.stderr.write(`qorgau: ${err.message} [${err.code}]\n`);
      if (Array.isArray(err.extras.invalidLines)) process.stderr.write(JSON.stringify(err.extras, null, 2) + '\n');
      process.exitCode = EXIT_CODE_OF_KIND[err.kind];
    } else if (err instanceof Error && (err.name === 'ConfigError' || err.name === 'DatabaseInUseError')) {
      // By name: importing their modules (the database drivers) would slow every command's start.
      process.stderr.write(`qorgau: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      throw err;
    }
  }
}

await runCli(process.argv);
