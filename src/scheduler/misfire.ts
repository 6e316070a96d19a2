import type { DateTime } from 'luxon';
import type { MisfirePolicy } from '../config.js';

export interface FiringPlan {
  /** Occurrences to enqueue, oldest first. */
  fire: DateTime[];
  /** Missed occurrences that will not run. */
  skipped: number;
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
  if (missed.length === 0) return { fire: [...onTime], skipped: 0 };
  switch (policy) {
    case 'coalesce':
      // The latest due occurrence stands for all of them.
      return { fire: [due[due.length - 1]!], skipped: due.length - 1 };
    case 'skip':
      return { fire: [...onTime], skipped: missed.length };
    case 'catchup': {
      const fire = due.slice(-catchupMax);
      return { fire, skipped: due.length - fire.length };
    }
  }
}
