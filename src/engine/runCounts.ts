import type { Kysely } from 'kysely';
import { addCounts, jobLogTotals, jobLogTotalsQuery, type RunCounts } from '../db/runRow.js';
import type { Database } from '../db/schema.js';

export type RunCountsTotal = RunCounts;

/** Oracle allows at most 1000 values in an IN list. */
const CHUNK = 500;

/** The DWJOBLOG counts of the given runs, summed; null when they wrote none. */
export async function runCounts(db: Kysely<Database>, prcids: readonly number[]): Promise<RunCountsTotal | null> {
  let total: RunCountsTotal | null = null;
  for (let i = 0; i < prcids.length; i += CHUNK) {
    const part = await chunkCounts(db, prcids.slice(i, i + CHUNK));
    total = addCounts(total, part);
  }
  return total;
}

async function chunkCounts(db: Kysely<Database>, prcids: readonly number[]): Promise<RunCountsTotal | null> {
  return jobLogTotals(await jobLogTotalsQuery(db, prcids).executeTakeFirstOrThrow());
}
