import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { UserError, errorMessage } from '../errors.js';
import { scrubSecrets } from '../observe/logger.js';
import { registerDb } from './db.js';
import { registerDoctor } from './doctor.js';
import { registerPrune } from './prune.js';
import { registerQueueCommands } from './queue.js';
import { registerSchedule } from './schedule.js';
import { registerStatus } from './status.js';
import { registerWorker } from './worker.js';
import { registerLogs } from './logs.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('dwprc')
    .description('Job-queue workers and scheduler for the DW job flows (DWPRCREQ, DWJOBSCH, DWPRCLOG).')
    .version(version)
    .showHelpAfterError('(dwprc --help lists the commands)')
    .exitOverride();
  registerWorker(program);
  registerQueueCommands(program);
  registerSchedule(program);
  registerStatus(program);
  registerDb(program);
  registerDoctor(program);
  registerLogs(program);
  registerPrune(program);
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
