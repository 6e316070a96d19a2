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
 * Writes the IP row on the run session, in one committed transaction with the clean-up of stale
 * IP rows of this session id (a DWLOGIC block finds its row by MAPREF + SESSIONID + IP, so there
 * must be one; skipped on a connection that has closed a run before, see RunSession) and PRCID
 * on the request (so a reaper can close the run). Returns the PRCID, or null when the request is
 * no longer claimed by this worker: then nothing was written.
 */
export async function openRun(session: RunSession, dialect: Dialect, start: RunStart): Promise<number | null> {
  try {
    return await session.db.transaction().execute(async (trx) => {
      const stale = session.mayHoldStaleRuns
        ? await trx.selectFrom('dwprclog').select('prcid').where('sessionid', '=', session.sessionId).where('status', '=', 'IP').execute()
        : [];
      for (const { prcid } of stale) {
        await endRun(trx, dialect, { prcid, status: 'FL', message: SUPERSEDED, owner: null });
      }
      const prcid = Number(await dialect.selectValue(dialect.nextValue('dwprclogseq'), trx));
      await insertRunStatement(trx, dialect, prcid, session.sessionId, start).execute();
      const claimed = await recordPrcidStatement(trx, start.owner, prcid).executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) throw new ClaimLost();
      return prcid;
    });
  } catch (error) {
    if (error instanceof ClaimLost) return null;
    throw error;
  }
}
