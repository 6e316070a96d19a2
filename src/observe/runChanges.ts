import type { RunListing } from '../engine/listRuns.js';

export interface RunChange {
  kind: 'started' | 'ended' | 'changed';
  run: RunListing;
}

/**
 * What is new in `runs` against the state last seen (PRCID → status): a new PRCID is `started`
 * (or `ended` when it appears already closed), a known one whose status moved is `ended`
 * (or `changed` if it moved back to IP). `seen` is updated. Oldest first.
 */
export function runChanges(seen: Map<number, string>, runs: readonly RunListing[]): RunChange[] {
  const changes: RunChange[] = [];
  for (const run of [...runs].sort((a, b) => a.prcid - b.prcid)) {
    const before = seen.get(run.prcid);
    if (before === run.status) continue;
    seen.set(run.prcid, run.status);
    if (before === undefined) changes.push({ kind: run.status === 'IP' ? 'started' : 'ended', run });
    else changes.push({ kind: run.status === 'IP' ? 'changed' : 'ended', run });
  }
  return changes;
}
