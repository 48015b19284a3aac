// The `shoal` command: one commander program, each verb registered from its own file.

import { Command, CommanderError } from 'commander';
import { describeError, ExitCode } from './cli-error.js';
import { registerAgent } from './commands/agent.js';
import { registerCall } from './commands/call.js';
import { registerConfigCommands } from './commands/config-commands.js';
import { registerCp } from './commands/cp.js';
import { registerDemo } from './commands/demo.js';
import { registerGen } from './commands/gen.js';
import { registerIdentityCommands } from './commands/identity-commands.js';
import { registerInstanceCommands } from './commands/instance-commands.js';
import { registerList } from './commands/list.js';
import { registerNew } from './commands/new.js';
import { registerProxyCommands } from './commands/proxy-commands.js';
import { registerTop } from './commands/top.js';
import { registerValidate } from './commands/validate.js';
import { cliVersion } from './version.js';

/** The `shoal` program (commander) with every command registered, for embedding and tests. */
export function buildProgram(): Command {
  const program = new Command('shoal')
    .description('Shoal: a proxyless service mesh for TypeScript')
    .option('--verbose', 'print stack traces with errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program
    .command('version')
    .description('print the version of shoal')
    .option('-o, --output <format>', 'json')
    .action((flags: { output?: string }) => {
      const info = { shoal: cliVersion(), node: process.versions.node };
      process.stdout.write(
        flags.output === 'json' ? `${JSON.stringify(info)}\n` : `shoal ${info.shoal} (node ${info.node})\n`,
      );
    });
  registerCall(program);
  registerList(program);
  registerNew(program);
  registerGen(program);
  registerValidate(program);
  registerCp(program);
  registerConfigCommands(program);
  registerInstanceCommands(program);
  registerProxyCommands(program);
  registerIdentityCommands(program);
  registerAgent(program);
  registerTop(program);
  registerDemo(program);
  return program;
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? ExitCode.ok);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed the message (or the help, or the version)
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const { line, exitCode } = describeError(err, argv.includes('--verbose'));
    process.stderr.write(`${line}\n`);
    return exitCode;
  }
}
