import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Dependency links as dwprc reads them: a current schedule row `c` follows the MAPREF `p.mapref`
 * of whatever row its DPND_JOBSCHID names, current or retired. The later tool's save retires a
 * parent's row and inserts a new one without re-pointing the children, so a link to the retired
 * row must still count. Fan-out, `schedule list`, `why` and the console read links through this;
 * the package's cycle check walks them the same way (DPND_JOBSCHID → that row's MAPREF).
 */
export function scheduleLinksQuery(db: Kysely<Database>) {
  return db
    .selectFrom('dwjobsch as c')
    .innerJoin('dwjobsch as p', 'p.jobschid', 'c.dpndJobschid')
    .select(['c.jobschid', 'c.mapref', 'c.schflg', 'p.mapref as parentMapref'])
    .where('c.curflg', '=', 'Y');
}

export interface ScheduleLink {
  /** The child's current JOBSCHID and MAPREF. */
  jobschid: number;
  mapref: string;
  /** SCHFLG 'Y': the child is enabled, so its parent's PC runs queue it. */
  enabled: boolean;
  parentMapref: string;
}

/** Every current child → parent MAPREF link, ordered by child MAPREF (for chains and graphs). */
export async function scheduleLinks(db: Kysely<Database>): Promise<ScheduleLink[]> {
  const rows = await scheduleLinksQuery(db).orderBy('c.mapref').execute();
  return rows.map((r) => ({ jobschid: Number(r.jobschid), mapref: r.mapref, enabled: r.schflg === 'Y', parentMapref: r.parentMapref }));
}
