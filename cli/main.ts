import { Command, CommanderError } from 'commander';
import { registerCalls } from './commands/calls.ts';
import { registerData } from './commands/data.ts';
import { registerPreview } from './commands/preview.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { registerSchema } from './commands/schema.ts';
import { registerServe } from './commands/serve.ts';
import { registerSql } from './commands/sql.ts';
import { registerStatus } from './commands/status.ts';
import { registerValidate } from './commands/validate.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';

export function buildProgram(): Command {
  const program = new Command('campaign')
    .description('Campaign automation for e-commerce shops: segments, waves, contact policy, ROI.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerValidate(program);
  registerSchema(program);
  registerData(program);
  registerSql(program);
  registerPreview(program);
  registerRun(program);
  registerStatus(program);
  registerReport(program);
  registerCalls(program);
  registerServe(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; bad arguments are the user's to fix.
      return e.exitCode === 0 ? EXIT.ok : EXIT.userError;
    }
    const code = exitCodeFor(e);
    const message = e instanceof Error ? e.message : String(e);
    console.error(
      code === EXIT.userError
        ? `error: ${message}`
        : `internal error: ${e instanceof Error ? (e.stack ?? message) : message}`,
    );
    return code;
  }
}
