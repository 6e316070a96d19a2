import type { Command } from 'commander';
import { durationText } from '../observe/durationText.js';
import { queueStatus, type RunningStatus } from '../observe/status.js';
import { withDatabase } from './context.js';
import { formatTable, print } from './output.js';

/** A running request in the table: its expected finish (from recent runs) and an overdue mark. */
function runningRow(r: RunningStatus): Record<string, unknown> {
  return {
    requestId: r.requestId,
    mapref: r.mapref,
    requestType: r.requestType,
    claimedBy: r.claimedBy,
    ageSeconds: r.ageSeconds,
    prcid: r.prcid,
    stopRequested: r.stopRequested,
    expectedFinish: r.expectedFinish ? `${r.expectedFinish.toISOString().slice(0, 19).replace('T', ' ')} (~${durationText(r.expectedSeconds)}, ${r.basedOnRuns} runs)` : '',
    overdue: r.overdue ? `OVERDUE (p95 ${durationText(r.p95Seconds)})` : '',
  };
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('queue depth by status and type, requests left for other services, running requests (with expected finish), live workers, last failures')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const status = await withDatabase(({ connection }) => queueStatus(connection.dialect));
      print(status, options, () =>
        [
          'QUEUE', formatTable(status.depth),
          ...(status.leftForOtherServices.length ? ['', 'LEFT FOR OTHER SERVICES (never claimed by dwprc)', formatTable(status.leftForOtherServices)] : []),
          '', 'RUNNING', formatTable(status.running.map(runningRow)),
          '', 'WORKERS', formatTable(status.workers),
          '', 'LAST FAILURES', formatTable(status.lastFailures, ['requestId', 'mapref', 'requestType', 'completedAt', 'message']),
        ].join('\n'),
      );
    });
}
