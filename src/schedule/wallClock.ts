import { IANAZone } from 'luxon';
import { MS_PER_DAY, MS_PER_MINUTE } from './calendar.js';

// Mapping wall-clock times to real instants with the DST policy of DESIGN.md:
// a time in a spring-forward gap → the first instant after the gap; a time in a repeated
// fall-back hour → its first (earlier) instance. Luxon's DateTime.fromObject does neither
// reliably: a gap time is shifted forward by the gap length (02:30 → 03:30), and for an
// ambiguous time it picks the later instance in Europe/London and America/New_York but the
// earlier one in Australia/Sydney. So the offsets are worked out here from Zone#offset.

/** A valid zone for the IANA name, or a RangeError: a bad zone is configuration, not data. */
export function ianaZone(name: string): IANAZone {
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new RangeError(`Unknown IANA time zone: ${name}`);
  return zone;
}

/** UTC offset in whole milliseconds at an instant. */
function offsetMs(zone: IANAZone, instant: number): number {
  return zone.offset(instant) * MS_PER_MINUTE;
}

/**
 * The instant at which a wall-clock time (given as milliseconds of a naive local timeline, i.e.
 * the local fields read as if they were UTC) happens in `zone`, under the DST policy above.
 */
export function wallClockToInstant(zone: IANAZone, wallMs: number): number {
  // Same idea as Temporal's GetPossibleInstantsFor: the real instant is within ±14 h of the naive
  // one, so the offsets a day either side cover both sides of any one transition near it.
  const before = offsetMs(zone, wallMs - MS_PER_DAY);
  const after = offsetMs(zone, wallMs + MS_PER_DAY);
  let earliest: number | null = null;
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = wallMs - offset;
    if (offsetMs(zone, instant) === offset && (earliest === null || instant < earliest)) earliest = instant;
  }
  if (earliest !== null) return earliest;
  // No instant shows this wall time: it is in a gap, which ends at the transition instant,
  // somewhere between reading the time with the new offset and reading it with the old one.
  return firstInstantWithNewOffset(zone, wallMs - after, wallMs - before);
}

/**
 * The first instant in (from, to] whose offset differs from the offset at `from`
 * (the caller knows there is exactly one transition in that interval).
 */
export function firstInstantWithNewOffset(zone: IANAZone, from: number, to: number): number {
  const initial = zone.offset(from);
  let lo = from;
  let hi = to;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) === initial) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The naive-local milliseconds (local fields read as if UTC) of an instant. */
function instantToWallMs(zone: IANAZone, instant: number): number {
  return instant + offsetMs(zone, instant);
}

/** The local day number (days since 1970-01-01 on the local calendar) of an instant. */
export function localDayNumber(zone: IANAZone, instant: number): number {
  return Math.floor(instantToWallMs(zone, instant) / MS_PER_DAY);
}
