import type { DateTime } from 'luxon';
import type { MisfirePolicy } from '../config.js';

export interface FiringPlan {
  /** Occurrences to enqueue, oldest first. */
  fire: DateTime[];
  /** Missed occurrences that will not run. */
  skipped: number;
  /** The latest of those (recorded as DWJOBSCH.LST_SKIP_DT for `dwprc why`); null when none. */
  lastSkipped: DateTime | null;
}

/**
 * Decides which of the due occurrences (oldest first, all ≤ now) fire. Those later than the
 * threshold were missed while no worker ran: `coalesce` fires the latest one once, `skip`
 * fires none of them, `catchup` fires each (the latest `catchupMax`). Pure.
 */
export function planFirings(
  due: readonly DateTime[],
  nowMs: number,
  policy: MisfirePolicy,
  thresholdMs: number,
  catchupMax: number,
): FiringPlan {
  const missed = due.filter((o) => nowMs - o.toMillis() > thresholdMs);
  const onTime = due.filter((o) => nowMs - o.toMillis() <= thresholdMs);
  if (missed.length === 0) return { fire: [...onTime], skipped: 0, lastSkipped: null };
  switch (policy) {
    case 'coalesce':
      // The latest due occurrence stands for all of them.
      return dropping(due, [due[due.length - 1]!]);
    case 'skip':
      return dropping(due, onTime);
    case 'catchup':
      return dropping(due, due.slice(-catchupMax));
  }
}

/** A plan that fires `fire` (a subset of `due`) and drops the rest. */
function dropping(due: readonly DateTime[], fire: readonly DateTime[]): FiringPlan {
  const firing = new Set(fire.map((o) => o.toMillis()));
  const dropped = due.filter((o) => !firing.has(o.toMillis()));
  return { fire: [...fire], skipped: dropped.length, lastSkipped: dropped.at(-1) ?? null };
}
