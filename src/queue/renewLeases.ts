import type { Dialect } from '../db/dialects/dialect.js';

/**
 * Extends the leases of this worker's running requests; returns the ids it still holds.
 * An id missing from the answer was reaped or finished elsewhere: its run must stop.
 */
export async function renewLeases(dialect: Dialect, claimedBy: string, requestIds: readonly string[], leaseMs: number): Promise<Set<string>> {
  if (requestIds.length === 0) return new Set();
  await dialect.db
    .updateTable('dwprcreq')
    .set({ leaseExpiresAt: dialect.utcNowPlus(leaseMs) })
    .where('requestId', 'in', [...requestIds])
    .where('claimedBy', '=', claimedBy)
    .where('status', '=', 'CLAIMED')
    .execute();
  const held = await dialect.db
    .selectFrom('dwprcreq')
    .select('requestId')
    .where('requestId', 'in', [...requestIds])
    .where('claimedBy', '=', claimedBy)
    .where('status', '=', 'CLAIMED')
    .execute();
  return new Set(held.map((r) => r.requestId));
}
