import type { Command } from 'commander';
import { queueStatus } from '../observe/status.js';
import { withDatabase } from './context.js';
import { formatTable, print } from './output.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('queue depth by status and type, running requests, live workers, last failures')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const status = await withDatabase(({ connection }) => queueStatus(connection.dialect));
      print(status, options, () =>
        [
          'QUEUE', formatTable(status.depth),
          '', 'RUNNING', formatTable(status.running, ['requestId', 'mapref', 'requestType', 'claimedBy', 'ageSeconds', 'prcid', 'stopRequested']),
          '', 'WORKERS', formatTable(status.workers),
          '', 'LAST FAILURES', formatTable(status.lastFailures, ['requestId', 'mapref', 'requestType', 'completedAt', 'message']),
        ].join('\n'),
      );
    });
}
