import type { DateTime } from 'luxon';

/**
 * The request id of a schedule firing: `S<JOBSCHID>-<yyyyMMddHHmm>` with the minute in UTC,
 * so that the two real instants of a repeated fall-back hour get two ids. The primary key
 * makes a second insert of the same firing impossible, whatever races.
 */
export function firingId(jobschid: number, occurrence: DateTime): string {
  return `S${jobschid}-${occurrence.toUTC().toFormat('yyyyMMddHHmm')}`;
}

/** A child's request after its parent's run: one per parent run and child schedule. */
export function dependencyId(parentKey: string | number, childJobschid: number): string {
  return `D${parentKey}-${childJobschid}`;
}
