import type { Command } from 'commander';
import { listRuns, type RunListing } from '../engine/listRuns.js';
import { parseDuration } from '../config.js';
import { printable, UserError } from '../errors.js';
import { durationText } from '../observe/durationText.js';
import { abortableDelay } from '../observe/followRequest.js';
import { runChanges, type RunChange } from '../observe/runChanges.js';
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

function changeLine({ kind, run }: RunChange): string {
  const when = kind === 'ended' ? run.end ?? run.start : run.start;
  const rows = run.rows ? ` src/trg/err ${run.rows.source}/${run.rows.target}/${run.rows.errors}` : '';
  const took = kind === 'ended' && run.durationSeconds !== null ? ` after ${durationText(run.durationSeconds)}` : '';
  const errors = run.errorCount ? ` ${run.errorCount} error(s), last: ${printable(run.lastError ?? '')}` : '';
  const params = Object.entries(run.params).map(([k, v]) => ` ${k}=${printable(v)}`).join('');
  return `${when ?? ''} PRCID ${run.prcid} ${run.status} ${kind}${took}${params}${rows}${errors}${run.message ? ` msg: ${printable(run.message)}` : ''}`;
}

/**
 * The last runs, then every new run and status change, polled (DWPRCLOG has no wake-up channel).
 * The window followed is the latest `last` runs, so it keeps up with up to that many new runs per poll.
 */
async function follow(mapref: string, last: number, options: { json?: boolean; poll: string }): Promise<void> {
  const pollMs = parseDuration('--poll', options.poll);
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.on('SIGINT', onSigint);
  try {
    await withDatabase(async ({ connection }) => {
      const seen = new Map<number, string>();
      while (!abort.signal.aborted) {
        const runs = await listRuns(connection.dialect.db, mapref, last);
        for (const change of runChanges(seen, runs)) {
          process.stdout.write(`${options.json ? JSON.stringify({ change: change.kind, ...change.run }) : changeLine(change)}\n`);
        }
        await abortableDelay(pollMs, abort.signal);
      }
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('the runs of a MAPREF (DWPRCLOG), newest first, with row counts (DWJOBLOG) and errors (DWJOBERR)')
    .argument('<mapref>', 'mapping reference')
    .option('--last <n>', `how many runs (1–${MAX_LAST})`, '20')
    .option('--json', 'print JSON (with --follow: one JSON object per line, per change)')
    .option('--follow', 'then keep printing new runs and status changes as they happen, until Ctrl-C')
    .option('--poll <duration>', 'with --follow: how often to look', '1s')
    .action(async (mapref: string, options: { last: string; json?: boolean; follow?: boolean; poll: string }) => {
      const last = parseLast(options.last);
      if (options.follow) return follow(mapref.trim(), last, options);
      const runs = await withDatabase(({ connection }) => listRuns(connection.dialect.db, mapref.trim(), last));
      print(runs, options, () => (runs.length ? formatTable(runs.map(humanRow)) : `no runs of ${mapref} in DWPRCLOG`));
    });
}
