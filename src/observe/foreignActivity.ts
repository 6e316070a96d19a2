import type { Dialect } from '../db/dialects/dialect.js';
import { foreignRulesText, type ForeignRule } from '../queue/foreignRequests.js';
import type { Check } from './doctor.js';
import { durationText } from './durationText.js';

/** Every STATUS a dwprc worker or CLI writes to DWPRCREQ. */
export const DWPRC_REQUEST_STATUSES: readonly string[] = ['NEW', 'CLAIMED', 'DONE', 'FAILED', 'CANCELLED'];

/** CLAIMED_BY of a dwprc worker ends in `:` and six hex digits (worker/workerId.ts). */
const DWPRC_WORKER_ID = /:[0-9a-f]{6}$/;

/** How far back a claim counts as "seen recently" for the foreign-claimer warning. */
export const FOREIGN_CLAIM_WINDOW_MS = 24 * 3_600_000;

/** Requests left for other services that are still NEW, by type (exported to pin its Oracle SQL). */
export function foreignWaitingQuery(dialect: Dialect) {
  return dialect.db
    .selectFrom('dwprcreq')
    .select((eb) => ['requestType', eb.fn.countAll<number>().as('count'), eb.fn.min('requestedAt').as('oldest')])
    .where('status', '=', 'NEW')
    .where(dialect.foreignRequest('dwprcreq'))
    .groupBy('requestType')
    .orderBy('requestType');
}

/** dwprc's own rows claimed in the window, by status and claimer (exported to pin its Oracle SQL). */
export function recentClaimsQuery(dialect: Dialect, windowMs: number) {
  return dialect.db
    .selectFrom('dwprcreq')
    .select((eb) => ['status', 'claimedBy', eb.fn.countAll<number>().as('count'), eb.fn.count<number>('leaseExpiresAt').as('leased'), eb.fn.max('claimedAt').as('last')])
    .where('claimedAt', '>=', dialect.localNowPlus(-windowMs))
    .where((eb) => eb.not(dialect.foreignRequest('dwprcreq')))
    .groupBy(['status', 'claimedBy']);
}

export interface ClaimGroup {
  status: string | null;
  claimedBy: string | null;
  count: number;
  /** How many of them have a LEASE_EXPIRES_AT (a dwprc claim always sets one). */
  leased: number;
  last: Date | null;
}

/** Why a group of claimed rows was not claimed by dwprc, or null when it was (pure). */
export function foreignClaimReason(group: ClaimGroup): string | null {
  const status = (group.status ?? '').trim().toUpperCase();
  if (!DWPRC_REQUEST_STATUSES.includes(status)) return `STATUS ${group.status ?? 'NULL'}, which no dwprc worker writes`;
  if (group.claimedBy !== null && !DWPRC_WORKER_ID.test(group.claimedBy)) return `CLAIMED_BY ${group.claimedBy}, not a dwprc worker id`;
  if (status === 'CLAIMED' && group.leased < group.count) return 'CLAIMED without a lease (LEASE_EXPIRES_AT empty), which dwprc always sets';
  return null;
}

/** The claims of the last `windowMs` that something other than dwprc made, one line per group. */
export async function foreignClaims(dialect: Dialect, windowMs = FOREIGN_CLAIM_WINDOW_MS): Promise<string[]> {
  const groups = await recentClaimsQuery(dialect, windowMs).execute();
  return groups.flatMap((g) => {
    const reason = foreignClaimReason({ status: g.status, claimedBy: g.claimedBy, count: Number(g.count), leased: Number(g.leased), last: g.last });
    return reason ? [`${Number(g.count)} request(s) with ${reason} (last claimed ${g.last?.toISOString().replace('T', ' ').slice(0, 19) ?? '?'})`] : [];
  });
}

/** The warning both doctor and the worker's start-up log give; null when nothing else claims. */
export function foreignClaimerWarning(lines: readonly string[]): string | null {
  if (lines.length === 0) return null;
  return `requests are being claimed by something that is not a dwprc worker (the DMS tool's own scheduler service?): ${lines.join('; ')}; run only one of them on this queue`;
}

/** doctor: another scheduler claims the same rows as dwprc (both would run them). */
export async function foreignClaimerCheck(dialect: Dialect): Promise<Check> {
  const warning = foreignClaimerWarning(await foreignClaims(dialect));
  return warning
    ? { name: 'other claimers', status: 'warn', detail: warning }
    : { name: 'other claimers', status: 'ok', detail: `every request claimed in the last ${durationText(FOREIGN_CLAIM_WINDOW_MS / 1000)} was claimed by a dwprc worker` };
}

/** doctor: requests left for other services that nobody picks up. */
export async function foreignWaitingCheck(dialect: Dialect, rules: readonly ForeignRule[], waitMs: number): Promise<Check> {
  const name = 'other services';
  const now = await dialect.selectValue(dialect.localNow());
  const rows = await foreignWaitingQuery(dialect).execute();
  const stale = rows.filter((r) => r.oldest && now.getTime() - new Date(r.oldest).getTime() > waitMs);
  const total = rows.reduce((n, r) => n + Number(r.count), 0);
  if (stale.length === 0) {
    return { name, status: 'ok', detail: `${total} request(s) left for other services (${foreignRulesText(rules)}) waiting, none longer than ${durationText(waitMs / 1000)}` };
  }
  const listed = stale.map((r) => `${Number(r.count)} ${r.requestType} (oldest since ${new Date(r.oldest!).toISOString().replace('T', ' ').slice(0, 19)})`).join(', ');
  return {
    name,
    status: 'warn',
    detail: `requests left for other services have waited NEW longer than ${durationText(waitMs / 1000)}: ${listed}; is the service that handles them running? (DWPRC_FOREIGN_REQUESTS=${foreignRulesText(rules)})`,
  };
}
