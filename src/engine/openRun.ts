import type { Kysely } from 'kysely';
import type { Dialect, RunSession } from '../db/dialects/dialect.js';
import type { OpenedRun, RunRow } from '../db/runRow.js';
import type { Database } from '../db/schema.js';
import type { RunParams } from '../queue/request.js';
import { endRun, type RunOwner } from './closeRun.js';
import { parametersUsed } from './prclogText.js';

export interface RunStart {
  owner: RunOwner;
  mapref: string;
  jobid: RunRow['jobid'];
  jobflwid: number | null;
  params: RunParams;
  /**
   * SESSIONID of the row when the flow runs on another session than the one writing the row (a
   * Python flow's child process, whose own connection's id the flow finds its row by).
   */
  sessionId?: number;
}

export const SUPERSEDED = 'superseded: session reused by a new run';

/** IP rows left on this session id by an earlier run (exported for the SQL pins). */
export function staleRunsQuery(db: Kysely<Database>, sessionId: number) {
  return db.selectFrom('dwprclog').select('prcid').where('sessionid', '=', sessionId).where('status', '=', 'IP');
}

/**
 * Writes the IP row on the run session with PRCID on the request (so a reaper can close the
 * run), as one committed unit, and tags the session with the run (Dialect.openRunRow). First,
 * on a connection that may carry a dead session's id (see RunSession), any IP row of this
 * session id is closed FL: a DWLOGIC block finds its row by MAPREF + SESSIONID + IP, so there
 * must be only one. Returns the PRCID and the database clock of the write, or null when the
 * request is no longer claimed by this worker: then no run row was written.
 *
 * The tag is in place before the IP row and the PRCID can be seen: the PRCID update waits for,
 * or is waited for by, a reaper's update of the same request row, so a reaper either finds this
 * run's tagged session (and ends it, Dialect.endRunSession) or makes the open find the request
 * no longer claimed.
 */
export async function openRun(session: RunSession, dialect: Dialect, start: RunStart): Promise<OpenedRun | null> {
  const sessionId = start.sessionId ?? session.sessionId;
  if (start.sessionId !== undefined || session.mayHoldStaleRuns) await closeStaleRuns(session, dialect, sessionId);
  const row = { jobid: start.jobid, jobflwid: start.jobflwid, sessionId, mapref: start.mapref, prclog: parametersUsed(start.params), params: start.params };
  return dialect.openRunRow(session, row, start.owner);
}

/** Rows of a dead session whose id the server gave to this connection: stale whatever happens next. */
async function closeStaleRuns(session: RunSession, dialect: Dialect, sessionId: number): Promise<void> {
  await session.db.transaction().execute(async (trx) => {
    const stale = await staleRunsQuery(trx, sessionId).execute();
    for (const { prcid } of stale) await endRun(trx, dialect, { prcid, status: 'FL', message: SUPERSEDED, owner: null });
  });
}
