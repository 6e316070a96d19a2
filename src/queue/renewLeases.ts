import type { Dialect } from '../db/dialects/dialect.js';

/** Exported, like the query below, to pin its Oracle SQL; `requestIds` must not be empty. */
export function renewLeasesStatement(dialect: Dialect, claimedBy: string, requestIds: readonly string[], leaseMs: number) {
  return dialect.db
    .updateTable('dwprcreq')
    .set({ leaseExpiresAt: dialect.utcNowPlus(leaseMs) })
    .where('requestId', 'in', [...requestIds])
    .where('claimedBy', '=', claimedBy)
    .where('status', '=', 'CLAIMED');
}

export function heldLeasesQuery(dialect: Dialect, claimedBy: string, requestIds: readonly string[]) {
  return dialect.db
    .selectFrom('dwprcreq')
    .select('requestId')
    .where('requestId', 'in', [...requestIds])
    .where('claimedBy', '=', claimedBy)
    .where('status', '=', 'CLAIMED');
}

/**
 * Extends the leases of this worker's running requests; returns the ids it still holds.
 * An id missing from the answer was reaped or finished elsewhere: its run must stop.
 */
export async function renewLeases(dialect: Dialect, claimedBy: string, requestIds: readonly string[], leaseMs: number): Promise<Set<string>> {
  if (requestIds.length === 0) return new Set();
  await renewLeasesStatement(dialect, claimedBy, requestIds, leaseMs).execute();
  const held = await heldLeasesQuery(dialect, claimedBy, requestIds).execute();
  return new Set(held.map((r) => r.requestId));
}
