import type { Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import type { Check } from './doctor.js';

const SHOWN = 10;
const LISTED = 1000;

/**
 * CLAIMED requests whose lease ran out more than a lease ago (every live worker reaps every
 * lease/2, so reapers should have taken them), or that have no lease at all (claimed by another
 * tool: no reaper ever takes those). Exported for the Oracle SQL pin.
 */
export function stuckLeasesQuery(db: Kysely<Database>, dialect: Dialect, leaseMs: number) {
  return db
    .selectFrom('dwprcreq')
    .select(['requestId', 'mapref', 'claimedBy', 'leaseExpiresAt'])
    .where('status', '=', 'CLAIMED')
    .where((eb) => eb.or([eb('leaseExpiresAt', 'is', null), eb('leaseExpiresAt', '<', dialect.utcNowPlus(-leaseMs))]))
    .orderBy('requestId')
    .fetch(LISTED);
}

/** doctor: leases nobody reaps. A warning: the queue works around them, but those MAPREFs are blocked. */
export async function stuckLeasesCheck(dialect: Dialect, leaseMs: number): Promise<Check> {
  const name = 'leases';
  const rows = await stuckLeasesQuery(dialect.db, dialect, leaseMs).execute();
  if (rows.length === 0) return { name, status: 'ok', detail: 'no CLAIMED request with a lease expired longer than a lease ago' };
  const expired = rows.filter((r) => r.leaseExpiresAt !== null);
  const leaseless = rows.filter((r) => r.leaseExpiresAt === null);
  const list = (items: typeof rows) =>
    items.slice(0, SHOWN).map((r) => `${r.requestId} (${r.mapref}, ${r.claimedBy ?? 'no claimant'})`).join(', ') + (items.length > SHOWN ? ` and ${items.length - SHOWN} more` : '');
  const parts = [
    ...(expired.length
      ? [`${expired.length} CLAIMED request(s) with a lease expired more than ${Math.round(leaseMs / 1000)} s ago: ${list(expired)}; reapers should have taken them: is any worker running, with the same DWPRC_LEASE?`]
      : []),
    ...(leaseless.length
      ? [`${leaseless.length} CLAIMED request(s) without a lease, claimed by another tool: ${list(leaseless)}; no reaper takes them, and while one runs nothing else of its MAPREF does: set them FAILED (or NEW) by hand once nothing runs them`]
      : []),
  ];
  return { name, status: 'warn', detail: parts.join('; ') };
}
