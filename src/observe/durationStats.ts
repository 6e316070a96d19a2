/**
 * How long a MAPREF's runs usually take, from its recent PC durations: the expected finish of a
 * run in progress (the median) and whether it is overdue (past 1.5 × the 95th percentile). Pure.
 */

/** Runs past this multiple of the p95 of recent runs are marked overdue. */
export const OVERDUE_FACTOR = 1.5;
/** Fewer recent runs than this say too little about the tail: no overdue mark. */
export const MIN_RUNS_FOR_OVERDUE = 3;

/**
 * The p-th percentile (0 ≤ p ≤ 1) by linear interpolation between closest ranks (the common
 * "type 7" definition, as in spreadsheets and numpy); null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`percentile: p must be within 0 … 1, got ${p}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function median(values: readonly number[]): number | null {
  return percentile(values, 0.5);
}

export interface RunEstimate {
  /** Median duration of the recent runs, seconds: the expected length of this one. */
  expectedSeconds: number;
  p95Seconds: number;
  /** How many recent runs the estimate rests on. */
  basedOnRuns: number;
  overdue: boolean;
}

/** The estimate for a run `elapsedSeconds` in, from recent durations (seconds); null when there are none. */
export function estimateRun(recentSeconds: readonly number[], elapsedSeconds: number): RunEstimate | null {
  const expected = median(recentSeconds);
  const p95 = percentile(recentSeconds, 0.95);
  if (expected === null || p95 === null) return null;
  return {
    expectedSeconds: expected,
    p95Seconds: p95,
    basedOnRuns: recentSeconds.length,
    overdue: recentSeconds.length >= MIN_RUNS_FOR_OVERDUE && elapsedSeconds > OVERDUE_FACTOR * p95,
  };
}
