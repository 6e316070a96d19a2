/** What the heartbeat knows of a request this worker is running. */
export interface HeldRun {
  /** Its run is over and its final write sent: a missing lease went with that write. */
  settling: boolean;
  /** Already being stopped. */
  kill: { signal: AbortSignal };
}

/**
 * The runs to stop after a lease renewal: those whose lease the renewal did not find (reaped,
 * or finished elsewhere) and that still run. A settling run's lease usually went with its own
 * final write, committed while the renewal was on its way: nothing runs any more, so there is
 * nothing to stop or to warn about.
 */
export function lostLeases<R extends HeldRun>(renewed: readonly string[], held: ReadonlySet<string>, inFlight: ReadonlyMap<string, R>): [string, R][] {
  const lost: [string, R][] = [];
  for (const id of renewed) {
    const run = inFlight.get(id);
    if (run && !held.has(id) && !run.settling && !run.kill.signal.aborted) lost.push([id, run]);
  }
  return lost;
}
