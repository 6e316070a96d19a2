import type { Kysely } from 'kysely';
import type { Dialect } from './dialects/dialect.js';
import type { Database } from './schema.js';

/**
 * A run's DWPRCLOG row as the engine opens it (everything but the PRCID, which the dialect draws
 * from DWPRCLOGSEQ) and the claim that must still hold for it to be written. Shared by both
 * dialects' `openRunRow`, so the row is the same whichever statements write it.
 */
export interface RunRow {
  jobid: number | null;
  jobflwid: number | null;
  sessionId: number;
  mapref: string;
  /** DWPRCLOG.PRCLOG: `Parameters used: …`. */
  prclog: string;
  /** PARAM1 … PARAM10. */
  params: readonly (string | null)[];
}

/** The request that owns a run: CLAIMED_BY guards every write to DWPRCREQ. */
export interface RequestOwner {
  requestId: string;
  claimedBy: string;
}

/** The IP row's columns but PRCID, stamped by the database clock. */
export function runRowValues(dialect: Dialect, row: RunRow) {
  const [param1, param2, param3, param4, param5, param6, param7, param8, param9, param10] = Array.from({ length: 10 }, (_, i) => row.params[i] ?? null);
  return {
    jobid: row.jobid,
    jobflwid: row.jobflwid,
    strtdt: dialect.localNow(),
    reccrdt: dialect.localNow(),
    recupdt: dialect.localNow(),
    status: 'IP' as const,
    prclog: row.prclog,
    sessionid: row.sessionId,
    mapref: row.mapref,
    param1, param2, param3, param4, param5, param6, param7, param8, param9, param10,
  };
}

/** The IP row with a known PRCID. Exported for the SQL pins. */
export function insertRunStatement(db: Kysely<Database>, dialect: Dialect, prcid: number, row: RunRow) {
  return db.insertInto('dwprclog').values({ prcid, ...runRowValues(dialect, row) });
}

/** PRCID on the request, only while this worker still holds its claim. Exported for the SQL pins. */
export function recordPrcidStatement(db: Kysely<Database>, owner: RequestOwner, prcid: number) {
  return db
    .updateTable('dwprcreq')
    .set({ prcid })
    .where('requestId', '=', owner.requestId)
    .where('claimedBy', '=', owner.claimedBy)
    .where('status', '=', 'CLAIMED');
}
