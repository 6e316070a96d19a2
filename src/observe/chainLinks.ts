import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** A current schedule that runs after another one (DPND_JOBSCHID), and what that id names. */
export interface ChainLink {
  child: string;
  childJobschid: number;
  enabled: boolean;
  parentJobschid: number;
  /** MAPREF of the DWJOBSCH row DPND_JOBSCHID names; null when no row has that id. */
  parent: string | null;
  /** That row is no longer its MAPREF's current schedule (CURFLG ≠ 'Y'): the UI replaced it. */
  parentRetired: boolean;
}

/**
 * The dependency links of the current schedules, whatever their parent row has become.
 * The one place that reads them for display: the console's Chains page.
 */
export function chainLinksQuery(db: Kysely<Database>) {
  return db
    .selectFrom('dwjobsch as s')
    .leftJoin('dwjobsch as p', 'p.jobschid', 's.dpndJobschid')
    .select(['s.mapref as child', 's.jobschid as childJobschid', 's.schflg', 's.dpndJobschid', 'p.mapref as parent', 'p.curflg as parentCurflg'])
    .where('s.curflg', '=', 'Y')
    .where('s.dpndJobschid', 'is not', null)
    .orderBy('s.mapref');
}

export async function chainLinks(db: Kysely<Database>): Promise<ChainLink[]> {
  const rows = await chainLinksQuery(db).execute();
  return rows.map((r) => ({
    child: r.child,
    childJobschid: Number(r.childJobschid),
    enabled: r.schflg === 'Y',
    parentJobschid: Number(r.dpndJobschid),
    parent: r.parent ?? null,
    parentRetired: r.parent !== null && r.parentCurflg !== 'Y',
  }));
}
