import type { Kysely, RawBuilder } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import { keysetPages } from '../db/keysetPages.js';
import type { Database } from '../db/schema.js';
import type { PruneOptions } from '../queue/pruneRequests.js';

/** Runs that ended; an IP row is never pruned, however old. */
export const ENDED_RUN_STATUSES = ['PC', 'FL', 'ST'] as const;

export interface PrunedRunLogs {
  /** DWPRCLOG rows. */
  runs: number;
  jobLogs: number;
  jobErrors: number;
}

/** Ended runs older than the cutoff: by ENDDT, or RECUPDT where ENDDT was never written (LOG_JOB_ERROR sets FL without it). */
function ended(db: Kysely<Database>, cutoff: RawBuilder<Date>) {
  return db
    .selectFrom('dwprclog')
    .where('status', 'in', [...ENDED_RUN_STATUSES])
    .where((eb) => eb.or([eb('enddt', '<', cutoff), eb.and([eb('enddt', 'is', null), eb('recupdt', '<', cutoff)])]));
}

/** One page of prunable PRCIDs after `after`, in key order (exported to pin its Oracle SQL). */
export function endedRunsPage(db: Kysely<Database>, cutoff: RawBuilder<Date>, after: number | null, size: number) {
  return ended(db, cutoff)
    .select('prcid')
    .$if(after !== null, (q) => q.where('prcid', '>', after!))
    .orderBy('prcid')
    .fetch(size);
}

async function count(query: { executeTakeFirstOrThrow(): Promise<{ n: number | string }> }): Promise<number> {
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** The dry run's counts: ended runs, and the DWJOBLOG / DWJOBERR rows that would go with them (exported for the SQL pins). */
export function prunableCounts(db: Kysely<Database>, cutoff: RawBuilder<Date>) {
  const prcids = ended(db, cutoff).select('prcid');
  return {
    runs: ended(db, cutoff).select((eb) => eb.fn.countAll<number | string>().as('n')),
    jobLogs: db.selectFrom('dwjoblog').where('prcid', 'in', prcids).select((eb) => eb.fn.countAll<number | string>().as('n')),
    jobErrors: db.selectFrom('dwjoberr').where('prcid', 'in', prcids).select((eb) => eb.fn.countAll<number | string>().as('n')),
  };
}

/** One page of PRCIDs: errors, job logs, then the runs (still ended: never an IP row). */
export function deleteRunLogsStatements(db: Kysely<Database>, ids: readonly number[]) {
  return {
    errors: db.deleteFrom('dwjoberr').where('prcid', 'in', [...ids]),
    logs: db.deleteFrom('dwjoblog').where('prcid', 'in', [...ids]),
    runs: db.deleteFrom('dwprclog').where('prcid', 'in', [...ids]).where('status', 'in', [...ENDED_RUN_STATUSES]),
  };
}

/**
 * Deletes ended DWPRCLOG rows older than the cutoff with their DWJOBLOG and DWJOBERR rows (by
 * PRCID), a page of PRCIDs per short transaction, oldest first. Nothing running is touched:
 * no worker writes to a run that has ended.
 */
export async function pruneRunLogs(dialect: Dialect, options: PruneOptions): Promise<PrunedRunLogs> {
  const { db } = dialect;
  const cutoff = dialect.localNowPlus(-options.olderThanMs);
  if (options.dryRun) {
    const counts = prunableCounts(db, cutoff);
    return { runs: await count(counts.runs), jobLogs: await count(counts.jobLogs), jobErrors: await count(counts.jobErrors) };
  }
  const total: PrunedRunLogs = { runs: 0, jobLogs: 0, jobErrors: 0 };
  const pages = keysetPages<number>(async (after, size) => (await endedRunsPage(db, cutoff, after, size).execute()).map((r) => r.prcid), options.batchSize);
  for await (const ids of pages) {
    await db.transaction().execute(async (trx) => {
      const statements = deleteRunLogsStatements(trx, ids);
      const errors = await statements.errors.executeTakeFirst();
      const logs = await statements.logs.executeTakeFirst();
      const runs = await statements.runs.executeTakeFirst();
      total.jobErrors += Number(errors.numDeletedRows);
      total.jobLogs += Number(logs.numDeletedRows);
      total.runs += Number(runs.numDeletedRows);
    });
  }
  return total;
}
