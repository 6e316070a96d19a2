import type { Kysely } from 'kysely';
import type { Database, PrclogStatus } from '../db/schema.js';

export interface LastRun {
  mapref: string;
  prcid: number;
  status: PrclogStatus;
  /** Database local wall times, as stored. */
  strtdt: Date | null;
  enddt: Date | null;
}

/** The latest DWPRCLOG row of every MAPREF (the (MAPREF, PRCID) index serves the MAX). Exported for the Oracle SQL pin. */
export function lastRunsQuery(db: Kysely<Database>) {
  return db
    .selectFrom('dwprclog')
    .select(['mapref', 'prcid', 'status', 'strtdt', 'enddt'])
    .where('prcid', 'in', (eb) => eb.selectFrom('dwprclog').select((s) => s.fn.max('prcid').as('prcid')).where('mapref', 'is not', null).groupBy('mapref'));
}

export async function lastRuns(db: Kysely<Database>): Promise<Map<string, LastRun>> {
  const rows = await lastRunsQuery(db).execute();
  return new Map(rows.map((r) => [r.mapref!, { ...r, mapref: r.mapref!, prcid: Number(r.prcid) }]));
}
