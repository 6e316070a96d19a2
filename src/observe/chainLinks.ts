import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { scheduleLinksQuery } from '../scheduler/scheduleLinks.js';

/** A current schedule that runs after another one (DPND_JOBSCHID), and what that id names. */
export interface ChainLink {
  child: string;
  childJobschid: number;
  enabled: boolean;
  parentJobschid: number;
  /** MAPREF of the DWJOBSCH row DPND_JOBSCHID names; null when no row has that id. */
  parent: string | null;
  /** That row is no longer its MAPREF's current schedule (CURFLG ≠ 'Y'): the tool's save replaced it; the link holds all the same. */
  parentRetired: boolean;
}

/**
 * The links as the scheduler follows them (scheduleLinksQuery: any row of the parent MAPREF,
 * current or retired), with the id and the state of the row named. Exported for the Oracle SQL pin.
 */
export function chainLinksQuery(db: Kysely<Database>) {
  return scheduleLinksQuery(db).select(['c.dpndJobschid', 'p.curflg as parentCurflg']).orderBy('c.mapref');
}

/** Current schedules whose DPND_JOBSCHID names no row at all: they never fire, and the Chains page shows why. */
export function danglingLinksQuery(db: Kysely<Database>) {
  return db
    .selectFrom('dwjobsch as c')
    .leftJoin('dwjobsch as p', 'p.jobschid', 'c.dpndJobschid')
    .select(['c.jobschid', 'c.mapref', 'c.schflg', 'c.dpndJobschid'])
    .where('c.curflg', '=', 'Y')
    .where('c.dpndJobschid', 'is not', null)
    .where('p.jobschid', 'is', null)
    .orderBy('c.mapref');
}

export async function chainLinks(db: Kysely<Database>): Promise<ChainLink[]> {
  const [links, dangling] = await Promise.all([chainLinksQuery(db).execute(), danglingLinksQuery(db).execute()]);
  return [
    ...links.map((r) => ({
      child: r.mapref, childJobschid: Number(r.jobschid), enabled: r.schflg === 'Y', parentJobschid: Number(r.dpndJobschid),
      parent: r.parentMapref, parentRetired: r.parentCurflg !== 'Y',
    })),
    ...dangling.map((r) => ({
      child: r.mapref, childJobschid: Number(r.jobschid), enabled: r.schflg === 'Y', parentJobschid: Number(r.dpndJobschid), parent: null, parentRetired: false,
    })),
  ];
}
