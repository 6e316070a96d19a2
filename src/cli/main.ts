import { Command, CommanderError } from 'commander';
import { UserError, errorMessage } from '../errors.js';
import { scrubSecrets } from '../observe/logger.js';
import { DWPRC_VERSION } from '../version.js';
import { registerConsole } from './console.js';
import { registerDb } from './db.js';
import { registerDoctor } from './doctor.js';
import { registerPrune } from './prune.js';
import { registerQueueCommands } from './queue.js';
import { registerSchedule } from './schedule.js';
import { registerStatus } from './status.js';
import { registerWorker } from './worker.js';
import { registerLogs } from './logs.js';
import { registerWait } from './wait.js';
import { registerWhy } from './why.js';

export function buildProgram(): Command {
  const program = new Command('dwprc')
    .description('Job-queue workers and scheduler for the DW job flows (DWPRCREQ, DWJOBSCH, DWPRCLOG).')
    .version(DWPRC_VERSION)
    .showHelpAfterError('(dwprc --help lists the commands)')
    .exitOverride();
  registerWorker(program);
  registerQueueCommands(program);
  registerWait(program);
  registerSchedule(program);
  registerStatus(program);
  registerDb(program);
  registerDoctor(program);
  registerLogs(program);
  registerWhy(program);
  registerPrune(program);
  registerConsole(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** One line on stderr and an exit code; the stack only with DWPRC_DEBUG=1. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed usage problems; --help and --version end here with 0.
    return error.exitCode === 0 ? 0 : 2;
  }
  const code = error instanceof UserError ? error.exitCode : 1;
  const line = scrubSecrets(errorMessage(error)).split('\n')[0];
  process.stderr.write(`dwprc: ${line}\n`);
  if (process.env.DWPRC_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return code;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error);
  }
}
