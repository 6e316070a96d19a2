import type { Dialect, RunSession } from '../db/dialects/dialect.js';
import type { OpenedRun } from '../db/runRow.js';
import type { RunParams } from '../queue/request.js';
import { endRun, type RunOwner } from './closeRun.js';
import { parametersUsed } from './prclogText.js';

export interface RunStart {
  owner: RunOwner;
  mapref: string;
  jobid: number | null;
  jobflwid: number | null;
  params: RunParams;
}

export const SUPERSEDED = 'superseded: session reused by a new run';

/**
 * Writes the IP row on the run session with PRCID on the request (so a reaper can close the
 * run), as one committed unit, and tags the session for DBAs (Dialect.openRunRow). First, on a connection that may carry a dead
 * session's id (see RunSession), any IP row of this session id is closed FL: a DWLOGIC block
 * finds its row by MAPREF + SESSIONID + IP, so there must be only one. Returns the PRCID and the
 * database clock of the write, or null when the request is no longer claimed by this worker:
 * then no run row was written.
 */
export async function openRun(session: RunSession, dialect: Dialect, start: RunStart): Promise<OpenedRun | null> {
  if (session.mayHoldStaleRuns) await closeStaleRuns(session, dialect);
  const row = { jobid: start.jobid, jobflwid: start.jobflwid, sessionId: session.sessionId, mapref: start.mapref, prclog: parametersUsed(start.params), params: start.params };
  return dialect.openRunRow(session, row, start.owner);
}

/** Rows of a dead session whose id the server gave to this connection: stale whatever happens next. */
async function closeStaleRuns(session: RunSession, dialect: Dialect): Promise<void> {
  await session.db.transaction().execute(async (trx) => {
    const stale = await trx.selectFrom('dwprclog').select('prcid').where('sessionid', '=', session.sessionId).where('status', '=', 'IP').execute();
    for (const { prcid } of stale) await endRun(trx, dialect, { prcid, status: 'FL', message: SUPERSEDED, owner: null });
  });
}
