import type { Kysely } from 'kysely';
import type { Dialect, RunSessionEnd } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import { ensureFailureRecorded } from '../engine/closeRun.js';

/** What the reaper did with the run a lost claim had opened. */
export interface AbandonedRun {
  /** What became of its session when the run was still open (null: it was not). */
  runSession: RunSessionEnd | null;
  /** It had completed (PC): only its worker's record of it was lost. */
  unrecorded: boolean;
}

export const LEASE_EXPIRED = 'worker lost: lease expired';

/** How long a reaper waits for the session of a reaped run to end before trying again later. */
const SESSION_END_TIMEOUT_MS = 5_000;

/** The run's session outlived the wait: the reap is rolled back and tried at the next pass. */
export class StillRunning extends Error {}

/**
 * The run a lost claim had opened. Still open (no ENDDT: IP, or FL from LOG_JOB_ERROR mid-run):
 * its session may still be executing it, so that session is ended first, then the row is closed
 * FL. Already closed by its worker: left as it is; `unrecorded` when it completed. (An FL or ST
 * its worker closed is retried like any lost lease: that is how a worker that fenced itself
 * after losing its lease, or whose database went away mid-run, hands the request back.)
 */
export async function closeAbandonedRun(trx: Kysely<Database>, dialect: Dialect, prcid: number, mapref: string): Promise<AbandonedRun> {
  const run = await trx.selectFrom('dwprclog').select(['status', 'enddt', 'sessionid', 'mapref', 'jobid']).where('prcid', '=', prcid).executeTakeFirst();
  if (!run) return { runSession: null, unrecorded: false };
  if (run.enddt !== null) return { runSession: null, unrecorded: run.status === 'PC' };
  const runSession = run.sessionid === null ? 'none' : await dialect.endRunSession({ sessionId: Number(run.sessionid), mapref: run.mapref ?? mapref, prcid }, SESSION_END_TIMEOUT_MS);
  if (runSession === 'alive') throw new StillRunning();
  const closed = await trx
    .updateTable('dwprclog')
    .set({ status: 'FL', msg: LEASE_EXPIRED, enddt: dialect.localNow(), recupdt: dialect.localNow() })
    .where('prcid', '=', prcid)
    .where('enddt', 'is', null)
    .executeTakeFirst();
  if (Number(closed.numUpdatedRows) === 1) {
    // It ended FL like any failed run: with an ERR row in DWJOBERR.
    const identity = { prcid, jobid: run.jobid, mapref: run.mapref, sessionId: run.sessionid };
    await ensureFailureRecorded(trx, dialect, identity, LEASE_EXPIRED, null);
    return { runSession, unrecorded: false };
  }
  // Its worker closed it between our look and the update: it ended after all.
  const ended = await trx.selectFrom('dwprclog').select('status').where('prcid', '=', prcid).executeTakeFirst();
  return { runSession, unrecorded: ended?.status === 'PC' };
}
