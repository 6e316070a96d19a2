import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** The latest DWJOBERR rows of a MAPREF, newest first. Exported for the Oracle SQL pin. */
export function runErrorsQuery(db: Kysely<Database>, mapref: string, last: number) {
  return db
    .selectFrom('dwjoberr')
    .select(['errid', 'prcid', 'prcdt', 'errtyp', 'errmsg', 'dberrmsg', 'keyvalue'])
    .where('mapref', '=', mapref)
    .orderBy('errid', 'desc')
    .fetch(last);
}

export async function runErrors(db: Kysely<Database>, mapref: string, last: number) {
  return (await runErrorsQuery(db, mapref, last).execute()).map((e) => ({ ...e, errid: Number(e.errid), prcid: e.prcid === null ? null : Number(e.prcid) }));
}
