import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { cancelRequest, retryRequest } from '../queue/cancelRequest.js';
import { enqueue, type EnqueueInput } from '../queue/enqueue.js';
import { parseDate } from '../queue/parseRequest.js';
import type { ParsedRequest } from '../queue/request.js';
import { withDatabase } from './context.js';
import { print } from './output.js';
import { addWaitOptions, waitForRequest } from './wait.js';

interface JsonOption {
  json?: boolean;
}

interface QueueOptions extends JsonOption {
  wait?: boolean;
  timeout?: string;
}

function printQueued(request: ParsedRequest, options: JsonOption): void {
  const { payload, ...rest } = request;
  print({ ...rest, payload, status: 'NEW' }, options, () => request.requestId);
}

/** Queues the request and prints it, or with --wait follows it to its end (the exit code says how it ended). */
async function queue(request: EnqueueInput, options: QueueOptions): Promise<void> {
  if (options.timeout !== undefined && !options.wait) throw new UserError('--timeout needs --wait', 2);
  await withDatabase(async ({ connection }) => {
    const queued = await enqueue(connection.dialect, request);
    if (!options.wait) return printQueued(queued, options);
    process.exitCode = await waitForRequest(connection.dialect, queued.requestId, options);
  });
}

function date(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDate(field, value) ?? undefined;
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

export function registerQueueCommands(program: Command): void {
  const run = addWaitOptions(program
    .command('run <mapref>')
    .description('queue an IMMEDIATE run of MAPREF; prints the request id')
    .option('--truncate', 'truncate the target table (DWMAPR) before loading')
    .option('--max-attempts <n>', 'retry a failed run up to n attempts in all')
    .option('--json', 'print the request as JSON (with --wait: the final request)'));
  for (let i = 1; i <= 10; i++) run.option(`--param${i} <value>`, i === 1 ? 'PARAM1 … PARAM10 of the run' : undefined);
  run.action(async (mapref: string, options: Record<string, string | boolean | undefined>) => {
    const payload: Record<string, unknown> = {};
    for (let i = 1; i <= 10; i++) if (options[`param${i}`] !== undefined) payload[`param${i}`] = options[`param${i}`];
    if (options.truncate) payload.truncate_flag = 'Y';
    if (options.maxAttempts !== undefined) payload.max_attempts = options.maxAttempts;
    await queue({ type: 'IMMEDIATE', mapref, payload }, options as QueueOptions);
  });

  addWaitOptions(program
    .command('history <mapref>'))
    .description('queue a HISTORY run: the flow once per day from --from to --to, inclusive')
    .option('--from <date>', 'first day, YYYY-MM-DD (default: DWPARAMS HIST_LOAD/DWT_PARAM1)')
    .option('--to <date>', 'last day, YYYY-MM-DD (default: yesterday)')
    .option('--truncate', 'truncate the target table once before the first day')
    .option('--json', 'print the request as JSON')
    .action(async (mapref: string, options: QueueOptions & { from?: string; to?: string; truncate?: boolean }) => {
      const payload = {
        ...(options.from ? { start_date: date('--from', options.from) } : {}),
        ...(options.to ? { end_date: date('--to', options.to) } : {}),
        ...(options.truncate ? { truncate_flag: 'Y' } : {}),
      };
      await queue({ type: 'HISTORY', mapref, payload }, options);
    });

  addWaitOptions(program
    .command('stop <mapref>'))
    .description('stop the running execution of MAPREF (graceful; --force also cancels the running statement)')
    .option('--force', 'cancel the running statement now')
    .option('--request <id>', 'stop this request (running or queued) instead of whatever runs for MAPREF')
    .option('--json', 'print the STOP request as JSON')
    .action(async (mapref: string, options: QueueOptions & { force?: boolean; request?: string }) => {
      const payload = { force: options.force ? 'Y' : 'N', ...(options.request ? { request_id: options.request } : {}) };
      await queue({ type: 'STOP', mapref, payload }, options);
    });

  program
    .command('cancel <requestId>')
    .description('cancel a queued (NEW) request')
    .option('--json', 'print JSON')
    .action(async (requestId: string, options: JsonOption) => {
      await withDatabase(({ connection }) => cancelRequest(connection.dialect, requestId));
      print({ requestId, status: 'CANCELLED' }, options, () => `${requestId} CANCELLED`);
    });

  program
    .command('retry <requestId>')
    .description('queue a FAILED request again, with a fresh attempt count')
    .option('--resume', "start from the checkpoint its last run left in PARAM1 (a Python flow's), as param1")
    .option('--json', 'print JSON')
    .action(async (requestId: string, options: JsonOption & { resume?: boolean }) => {
      const { resumedAt } = await withDatabase(({ connection }) => retryRequest(connection.dialect, requestId, { resume: options.resume === true }));
      const resumed = options.resume ? { resumedAt } : {};
      print({ requestId, status: 'NEW', ...resumed }, options, () =>
        options.resume ? `${requestId} NEW, ${resumedAt === null ? 'from the start (no checkpoint to resume from)' : `resuming at param1=${resumedAt}`}` : `${requestId} NEW`,
      );
    });
}
