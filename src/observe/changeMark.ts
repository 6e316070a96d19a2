import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { queueDepthQuery } from './queueDepth.js';

/**
 * A cheap fingerprint of what the console shows: the newest PRCID (a run started), the queue's
 * depth by status (a request queued, claimed or ended), the live workers and the newest schedule
 * edit. Every part is an index lookup or a small table, so polling it every few seconds is cheap
 * whatever DWPRCLOG's size. Exported for the Oracle SQL pins.
 */
export function changeMarkQueries(db: Kysely<Database>) {
  return {
    lastRun: db.selectFrom('dwprclog').select((eb) => eb.fn.max('prcid').as('n')),
    depth: queueDepthQuery(db),
    workers: db.selectFrom('dwprcwrk').select((eb) => eb.fn.countAll<number | string>().as('n')),
    schedules: db.selectFrom('dwjobsch').select((eb) => [eb.fn.max('recupdt').as('updated'), eb.fn.countAll<number | string>().as('n')]),
  };
}

export async function changeMark(db: Kysely<Database>): Promise<string> {
  const q = changeMarkQueries(db);
  const [lastRun, depth, workers, schedules] = await Promise.all([q.lastRun.executeTakeFirst(), q.depth.execute(), q.workers.executeTakeFirst(), q.schedules.executeTakeFirst()]);
  const queue = depth.map((d) => `${d.status}=${Number(d.n)}`).sort().join(',');
  return JSON.stringify([String(lastRun?.n ?? ''), queue, Number(workers?.n ?? 0), String(schedules?.updated ?? ''), Number(schedules?.n ?? 0)]);
}
