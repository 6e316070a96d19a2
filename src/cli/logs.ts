import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { listRuns, type RunListing } from '../engine/listRuns.js';
import { durationText } from '../observe/durationText.js';
import { withDatabase } from './context.js';
import { formatTable, print } from './output.js';

const MAX_LAST = 1000;

function parseLast(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LAST) throw new UserError(`--last must be a whole number from 1 to ${MAX_LAST}, got "${raw}"`, 2);
  return n;
}

function humanRow(run: RunListing): Record<string, unknown> {
  return {
    prcid: run.prcid,
    status: run.status,
    start: run.start,
    end: run.end,
    duration: durationText(run.durationSeconds),
    params: Object.entries(run.params).map(([k, v]) => `${k}=${v}`).join(' '),
    'src/trg/err': run.rows ? `${run.rows.source}/${run.rows.target}/${run.rows.errors}` : '',
    errors: run.errorCount || '',
    'last error': run.lastError ?? '',
    msg: run.message ?? '',
  };
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('the runs of a MAPREF (DWPRCLOG), newest first, with row counts (DWJOBLOG) and errors (DWJOBERR)')
    .argument('<mapref>', 'mapping reference')
    .option('--last <n>', `how many runs (1–${MAX_LAST})`, '20')
    .option('--json', 'print JSON')
    .action(async (mapref: string, options: { last: string; json?: boolean }) => {
      const last = parseLast(options.last);
      const runs = await withDatabase(({ connection }) => listRuns(connection.dialect.db, mapref.trim(), last));
      print(runs, options, () => (runs.length ? formatTable(runs.map(humanRow)) : `no runs of ${mapref} in DWPRCLOG`));
    });
}
