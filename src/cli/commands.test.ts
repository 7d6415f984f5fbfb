import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, describeCommands, registerCommands } from './commands.js';

const topLevel = (program: Command) => program.commands.map((c) => [c.name(), c.description()]);

describe('the table of top-level commands (src/cli/commands.ts)', () => {
  it('lists, for help, exactly the commands the modules define, with the same descriptions', async () => {
    const loaded = new Command();
    await registerCommands(loaded);
    const described = new Command();
    describeCommands(described);
    expect(topLevel(described)).toEqual(topLevel(loaded));
  });

  it('loads for each command only its own modules, and they define it', async () => {
    for (const name of Object.keys(COMMANDS)) {
      const program = new Command();
      await registerCommands(program, [name]);
      const names = program.commands.map((c) => c.name());
      expect(names, name).toContain(name);
      // Every other command defined by the same modules is one the table says those modules define.
      for (const other of names) expect(COMMANDS[other].modules.some((m) => COMMANDS[name].modules.includes(m)), `${name} loads ${other}`).toBe(true);
    }
  });
});
