import type { Command } from 'commander';
import { parseDuration } from '../config.js';
import { pruneRunLogs, type PrunedRunLogs } from '../engine/pruneRunLogs.js';
import { UserError } from '../errors.js';
import { pruneRequests, type PruneOptions } from '../queue/pruneRequests.js';
import { withDatabase } from './context.js';
import { print } from './output.js';

interface PruneFlags {
  olderThan: string;
  dryRun?: boolean;
  includeLogs?: boolean;
  batchSize: string;
  json?: boolean;
}

/** A bare number would be milliseconds: for retention that is never what was meant. */
function age(raw: string): number {
  if (!/^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)\s*$/.test(raw)) throw new UserError(`--older-than must be a duration with a unit such as 30d or 12h, got "${raw}"`, 2);
  const ms = parseDuration('--older-than', raw);
  if (ms <= 0) throw new UserError(`--older-than must be more than 0, got "${raw}"`, 2);
  return ms;
}

function batchSize(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UserError(`--batch-size must be a whole number from 1 to 1000, got "${raw}"`, 2);
  return n;
}

function describe(result: { requests: number } & Partial<PrunedRunLogs>, flags: PruneFlags): string {
  const verb = flags.dryRun ? 'would delete' : 'deleted';
  const lines = [`${verb} ${result.requests} finished request(s) (DONE/FAILED/CANCELLED completed more than ${flags.olderThan} ago)`];
  if (result.runs !== undefined) {
    lines.push(`${verb} ${result.runs} ended run(s) (DWPRCLOG PC/FL/ST), ${result.jobLogs} DWJOBLOG and ${result.jobErrors} DWJOBERR row(s)`);
  }
  return lines.join('\n');
}

export function registerPrune(program: Command): void {
  program
    .command('prune')
    .description('delete finished requests older than --older-than (database clock); with --include-logs also ended runs and their DWJOBLOG/DWJOBERR rows. Short batches: workers keep running')
    .requiredOption('--older-than <duration>', 'age, e.g. 30d or 12h')
    .option('--dry-run', 'count what would be deleted, delete nothing')
    .option('--include-logs', 'also DWPRCLOG rows ended PC/FL/ST (never IP) with their DWJOBLOG and DWJOBERR rows')
    .option('--batch-size <n>', 'rows per transaction, 1 to 1000', '1000')
    .option('--json', 'print JSON')
    .action(async (flags: PruneFlags) => {
      const options: PruneOptions = { olderThanMs: age(flags.olderThan), dryRun: flags.dryRun === true, batchSize: batchSize(flags.batchSize) };
      const result = await withDatabase(async ({ connection }) => ({
        requests: await pruneRequests(connection.dialect, options),
        ...(flags.includeLogs ? await pruneRunLogs(connection.dialect, options) : {}),
      }));
      print({ olderThan: flags.olderThan, dryRun: options.dryRun, ...result }, flags, () => describe(result, flags));
    });
}
