import type { Kysely, RawBuilder, SqlBool } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';

/** The statuses that make up the queue; finished rows are history, not depth. */
export const QUEUE_STATUSES = ['NEW', 'CLAIMED'] as const;
export type QueueDepth = Record<(typeof QUEUE_STATUSES)[number], number>;

/**
 * Requests waiting and running: one GROUP BY served by the (STATUS, REQUESTED_AT) index; without
 * the rows `foreign` names (left for other services, which would otherwise count as waiting forever).
 */
export function queueDepthQuery(db: Kysely<Database>, foreign?: RawBuilder<SqlBool>) {
  const depth = db
    .selectFrom('dwprcreq')
    .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('status', 'in', [...QUEUE_STATUSES]);
  return (foreign ? depth.where((eb) => eb.not(foreign)) : depth).groupBy('status');
}

export async function countQueueDepth(dialect: Dialect): Promise<QueueDepth> {
  const depth: QueueDepth = { NEW: 0, CLAIMED: 0 };
  for (const row of await queueDepthQuery(dialect.db, dialect.foreignRequest('dwprcreq')).execute()) depth[row.status as keyof QueueDepth] = Number(row.n);
  return depth;
}
