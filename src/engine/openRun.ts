import type { Kysely } from 'kysely';
import type { Dialect, RunSession } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
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

class ClaimLost extends Error {}

/** The IP row, stamped by the database clock. Exported for the SQL pins. */
export function insertRunStatement(db: Kysely<Database>, dialect: Dialect, prcid: number, sessionId: number, start: RunStart) {
  const [param1, param2, param3, param4, param5, param6, param7, param8, param9, param10] = start.params.map((p) => p ?? null);
  return db.insertInto('dwprclog').values({
    prcid,
    jobid: start.jobid,
    jobflwid: start.jobflwid,
    strtdt: dialect.localNow(),
    reccrdt: dialect.localNow(),
    recupdt: dialect.localNow(),
    status: 'IP',
    prclog: parametersUsed(start.params),
    sessionid: sessionId,
    mapref: start.mapref,
    param1, param2, param3, param4, param5, param6, param7, param8, param9, param10,
  });
}

/** IP rows left on this session id by an earlier run (exported for the SQL pins). */
export function staleRunsQuery(db: Kysely<Database>, sessionId: number) {
  return db.selectFrom('dwprclog').select('prcid').where('sessionid', '=', sessionId).where('status', '=', 'IP');
}

/** PRCID on the request, only while this worker still holds its claim. Exported for the SQL pins. */
export function recordPrcidStatement(db: Kysely<Database>, owner: RunOwner, prcid: number) {
  return db
    .updateTable('dwprcreq')
    .set({ prcid })
    .where('requestId', '=', owner.requestId)
    .where('claimedBy', '=', owner.claimedBy)
    .where('status', '=', 'CLAIMED');
}

/**
 * Writes the IP row of `prcid` on the run session, in one committed transaction with the
 * clean-up of stale IP rows of this session id (a DWLOGIC block finds its row by MAPREF +
 * SESSIONID + IP, so there must be one) and PRCID on the request (so a reaper can close the
 * run). False when the request is no longer claimed by this worker: then nothing was written.
 *
 * The session must already carry the run's tag: the PRCID update waits for, or is waited for
 * by, a reaper's update of the same request row, so a reaper either sees this run's tagged
 * session (and ends it) or makes this update find the request no longer claimed.
 */
export async function openRun(session: RunSession, dialect: Dialect, prcid: number, start: RunStart): Promise<boolean> {
  try {
    return await session.db.transaction().execute(async (trx) => {
      const stale = await staleRunsQuery(trx, session.sessionId).execute();
      for (const { prcid } of stale) {
        await endRun(trx, dialect, { prcid, status: 'FL', message: SUPERSEDED, owner: null });
      }
      await insertRunStatement(trx, dialect, prcid, session.sessionId, start).execute();
      const claimed = await recordPrcidStatement(trx, start.owner, prcid).executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) throw new ClaimLost();
      return true;
    });
  } catch (error) {
    if (error instanceof ClaimLost) return false;
    throw error;
  }
}
