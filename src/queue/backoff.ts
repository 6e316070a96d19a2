const MAX_DELAY_MS = 3_600_000;

/**
 * Delay before retry number `attempt` (1 = first retry): base × 2^(attempt-1), capped at an
 * hour, with ±25% jitter so that requests failed together do not return together.
 */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.75 + random() * 0.5));
}
