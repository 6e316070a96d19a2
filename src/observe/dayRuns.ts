import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { runsWithCountsQuery, toRunListing, type RunListing } from '../engine/listRuns.js';

/** More runs than this in one day are cut (the page says so): a timeline of them would be unreadable anyway. */
export const DAY_RUNS_LIMIT = 5000;

/**
 * Runs that overlap [from, to) (database local wall times, as DWPRCLOG stores them): started
 * before `to` and ended at or after `from`, or not ended. Exported for the Oracle SQL pin.
 */
export function dayRunsQuery(db: Kysely<Database>, from: Date, to: Date, limit = DAY_RUNS_LIMIT) {
  return runsWithCountsQuery(db)
    .where('r.strtdt', 'is not', null)
    .where('r.strtdt', '<', to)
    .where((eb) => eb.or([eb('r.enddt', '>=', from), eb('r.enddt', 'is', null)]))
    .orderBy('r.prcid')
    .fetch(limit);
}

export async function dayRuns(db: Kysely<Database>, from: Date, to: Date): Promise<RunListing[]> {
  return (await dayRunsQuery(db, from, to).execute()).map(toRunListing);
}
