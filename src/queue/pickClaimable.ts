import { requestTypeKey, unpadded } from './padding.js';

/**
 * From locked candidates in queue order, the ones to claim: at most `limit`, and at most one
 * IMMEDIATE/HISTORY row per MAPREF (the database refuses a second running one anyway).
 * PostgreSQL does this inside its claim statement; the Oracle claim does it here.
 */
export const EXCLUSIVE_TYPES: readonly string[] = ['IMMEDIATE', 'HISTORY'];

export function isExclusiveType(requestType: string | null): boolean {
  return EXCLUSIVE_TYPES.includes(requestTypeKey(requestType));
}

export function pickClaimable<T extends { requestId: string; mapref: string | null; requestType: string | null }>(
  candidates: readonly T[],
  limit: number,
): T[] {
  const busy = new Set<string>();
  const picked: T[] = [];
  for (const row of candidates) {
    if (picked.length >= limit) break;
    if (isExclusiveType(row.requestType)) {
      const key = unpadded(row.mapref);
      if (busy.has(key)) continue;
      busy.add(key);
    }
    picked.push(row);
  }
  return picked;
}
