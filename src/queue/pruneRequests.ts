import type { Kysely, RawBuilder } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import { keysetPages } from '../db/keysetPages.js';
import type { Database } from '../db/schema.js';

/** Only these are history; NEW and CLAIMED rows are never touched. */
export const FINISHED_STATUSES = ['DONE', 'FAILED', 'CANCELLED'] as const;

export interface PruneOptions {
  /** Age by the database's own clock (COMPLETED_AT is written with it). */
  olderThanMs: number;
  /** Count what would go, delete nothing. */
  dryRun: boolean;
  /** Rows per short transaction; at most 1000 (Oracle's IN-list limit). */
  batchSize: number;
}

function finished(db: Kysely<Database>, cutoff: RawBuilder<Date>) {
  return db.selectFrom('dwprcreq').where('status', 'in', [...FINISHED_STATUSES]).where('completedAt', '<', cutoff);
}

/** One page of prunable request ids after `after`, in key order (exported to pin its Oracle SQL). */
export function finishedRequestsPage(db: Kysely<Database>, cutoff: RawBuilder<Date>, after: string | null, size: number) {
  return finished(db, cutoff)
    .select('requestId')
    .$if(after !== null, (q) => q.where('requestId', '>', after!))
    .orderBy('requestId')
    .fetch(size);
}

/** How many requests would go (the dry run). */
export function finishedRequestsCount(db: Kysely<Database>, cutoff: RawBuilder<Date>) {
  return finished(db, cutoff).select((eb) => eb.fn.countAll<number | string>().as('n'));
}

/** One page, re-checked: a `dwprc retry` may have re-queued a row since it was read. */
export function deleteFinishedStatement(db: Kysely<Database>, cutoff: RawBuilder<Date>, ids: readonly string[]) {
  return db
    .deleteFrom('dwprcreq')
    .where('requestId', 'in', [...ids])
    .where('status', 'in', [...FINISHED_STATUSES])
    .where('completedAt', '<', cutoff);
}

/**
 * Deletes DONE/FAILED/CANCELLED requests completed before the cutoff, a page of ids at a time,
 * each in its own short transaction that re-checks the status (a `dwprc retry` may have
 * re-queued one meanwhile). Workers only touch NEW and CLAIMED rows, so they never wait on it.
 * Returns how many rows were (or, dry run, would be) deleted.
 */
export async function pruneRequests(dialect: Dialect, options: PruneOptions): Promise<number> {
  const cutoff = dialect.localNowPlus(-options.olderThanMs);
  if (options.dryRun) {
    const row = await finishedRequestsCount(dialect.db, cutoff).executeTakeFirstOrThrow();
    return Number(row.n);
  }
  let deleted = 0;
  const pages = keysetPages<string>(
    async (after, size) => (await finishedRequestsPage(dialect.db, cutoff, after, size).execute()).map((r) => r.requestId),
    options.batchSize,
  );
  for await (const ids of pages) {
    const result = await dialect.db.transaction().execute((trx) => deleteFinishedStatement(trx, cutoff, ids).executeTakeFirst());
    deleted += Number(result.numDeletedRows);
  }
  return deleted;
}
