import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * The DWJOBERR rows of the given runs, newest first, at most `last`: by PRCID (its index), not
 * by MAPREF (none: a MAPREF filter would read the whole table). Exported for the Oracle SQL pin.
 */
export function runErrorsQuery(db: Kysely<Database>, prcids: readonly number[], last: number) {
  return db
    .selectFrom('dwjoberr')
    .select(['errid', 'prcid', 'prcdt', 'errtyp', 'errmsg', 'dberrmsg', 'keyvalue'])
    .where('prcid', 'in', [...prcids])
    .orderBy('errid', 'desc')
    .fetch(last);
}

export async function runErrors(db: Kysely<Database>, prcids: readonly number[], last: number) {
  if (prcids.length === 0) return [];
  return (await runErrorsQuery(db, prcids, last).execute()).map((e) => ({ ...e, errid: Number(e.errid), prcid: e.prcid === null ? null : Number(e.prcid) }));
}
