import type { Dialect, RunSession } from '../db/dialects/dialect.js';
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

/**
 * Writes the IP row on the run session, in one committed transaction with the clean-up of stale
 * IP rows of this session id (a DWLOGIC block finds its row by MAPREF + SESSIONID + IP, so there
 * must be one) and PRCID on the request (so a reaper can close the run). Returns the PRCID, or
 * null when the request is no longer claimed by this worker: then nothing was written.
 */
export async function openRun(session: RunSession, dialect: Dialect, start: RunStart): Promise<number | null> {
  try {
    return await session.db.transaction().execute(async (trx) => {
      const stale = await trx.selectFrom('dwprclog').select('prcid').where('sessionid', '=', session.sessionId).where('status', '=', 'IP').execute();
      for (const { prcid } of stale) {
        await endRun(trx, dialect, { prcid, status: 'FL', message: SUPERSEDED, owner: null });
      }
      const prcid = Number(await dialect.selectValue(dialect.nextValue('dwprclogseq'), trx));
      const [param1, param2, param3, param4, param5, param6, param7, param8, param9, param10] = start.params;
      await trx
        .insertInto('dwprclog')
        .values({
          prcid,
          jobid: start.jobid,
          jobflwid: start.jobflwid,
          strtdt: dialect.localNow(),
          reccrdt: dialect.localNow(),
          recupdt: dialect.localNow(),
          status: 'IP',
          prclog: parametersUsed(start.params),
          sessionid: session.sessionId,
          mapref: start.mapref,
          param1, param2, param3, param4, param5, param6, param7, param8, param9, param10,
        })
        .execute();
      const claimed = await trx
        .updateTable('dwprcreq')
        .set({ prcid })
        .where('requestId', '=', start.owner.requestId)
        .where('claimedBy', '=', start.owner.claimedBy)
        .where('status', '=', 'CLAIMED')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) throw new ClaimLost();
      return prcid;
    });
  } catch (error) {
    if (error instanceof ClaimLost) return null;
    throw error;
  }
}
