import { DateTime, type IANAZone } from 'luxon';
import {
  civilDate,
  dayNumber,
  daysInMonth,
  mod,
  monthIndex,
  monthOfIndex,
  MS_PER_DAY,
  MS_PER_MINUTE,
  parseIsoDate,
  weekdayOf,
} from './calendar.js';
import type { DayOfMonthRule, FrequencyRule, WeekdayRule } from './rule.js';
import { firstInstantWithNewOffset, ianaZone, localDayNumber, wallClockToInstant } from './wallClock.js';

// Every computation runs on epoch milliseconds and local day numbers and jumps straight to the
// next candidate; Luxon objects are built only for the values handed back.

/** The first occurrence at or after `instant` (and never before `rule.start`), or null past ENDDT. */
export function occurrenceAtOrAfter(rule: FrequencyRule, instant: DateTime): DateTime | null {
  const plan = planFor(rule);
  const next = plan.atOrAfter(millisOf(instant));
  return next === null ? null : plan.toDateTime(next);
}

/** The first occurrence strictly after `after`, or null past ENDDT. */
export function nextOccurrence(rule: FrequencyRule, after: DateTime): DateTime | null {
  const plan = planFor(rule);
  const next = plan.atOrAfter(millisOf(after) + 1);
  return next === null ? null : plan.toDateTime(next);
}

/** Occurrences at or after `from`, ascending and strictly increasing; ends after ENDDT (endless without one). */
export function* occurrences(rule: FrequencyRule, from: DateTime): Generator<DateTime, void, undefined> {
  const plan = planFor(rule);
  let previous = -Infinity;
  for (let next = plan.atOrAfter(millisOf(from)); next !== null; next = plan.atOrAfter(next + 1)) {
    // A scheduler tick iterates this; a bug that stopped it advancing must fail loudly, not hang.
    if (next <= previous) throw new Error(`occurrences did not advance past ${new Date(previous).toISOString()}`);
    previous = next;
    yield plan.toDateTime(next);
  }
}

interface Plan {
  /** First occurrence in epoch ms at or after `lower`, or null when it would fall after ENDDT. */
  atOrAfter(lower: number): number | null;
  toDateTime(instant: number): DateTime;
}

function millisOf(dt: DateTime): number {
  if (!dt.isValid) throw new RangeError(`Invalid DateTime: ${dt.invalidExplanation ?? dt.invalidReason ?? ''}`);
  return dt.toMillis();
}

function planFor(rule: FrequencyRule): Plan {
  const zone = ianaZone(rule.zone);
  const start = millisOf(rule.start);
  const endDay = endDayNumber(rule.endDate);
  const unbounded = nextUnboundedFor(rule, zone, start);
  return {
    atOrAfter(lower) {
      const instant = unbounded(Math.max(lower, start));
      return endDay !== null && localDayNumber(zone, instant) > endDay ? null : instant;
    },
    toDateTime: (instant) => DateTime.fromMillis(instant, { zone: rule.zone }),
  };
}

function endDayNumber(endDate: string | null): number | null {
  if (endDate === null) return null;
  const date = parseIsoDate(endDate);
  if (date === null) throw new RangeError(`Invalid rule endDate (expected YYYY-MM-DD): ${endDate}`);
  return dayNumber(date);
}

/** The first occurrence at or after `lower` (already ≥ start), ignoring ENDDT. */
type NextFn = (lower: number) => number;

function nextUnboundedFor(rule: FrequencyRule, zone: IANAZone, start: number): NextFn {
  if (rule.code === 'ID') {
    return rule.everyMinutes === null ? hourly(zone, rule.minute) : everyMinutes(start, rule.everyMinutes);
  }
  const startDay = localDayNumber(zone, start);
  const timeOfDay = (rule.hour * 60 + rule.minute) * MS_PER_MINUTE;
  const firstDayOnOrAfter = candidateDays(rule, startDay);
  return (lower) => {
    // A candidate day's time resolves to an instant on that local day, so the search starts at the
    // day before `lower`'s local date and moves on at most a couple of candidates.
    let day = firstDayOnOrAfter(localDayNumber(zone, lower) - 1);
    for (;;) {
      const instant = wallClockToInstant(zone, day * MS_PER_DAY + timeOfDay);
      if (instant >= lower) return instant;
      day = firstDayOnOrAfter(day + 1);
    }
  };
}

/** For daily-or-longer rules: the first local day number ≥ `day` that the rule runs on. */
function candidateDays(rule: Exclude<FrequencyRule, { code: 'ID' }>, startDay: number): (day: number) => number {
  switch (rule.code) {
    case 'DL':
      return (day) => day;
    case 'WK':
      return (day) => onWeekday(rule, day);
    case 'FN': {
      const anchor = onWeekday(rule, startDay);
      return (day) => (day <= anchor ? anchor : anchor + Math.ceil((day - anchor) / 14) * 14);
    }
    case 'MN':
      return monthly(rule, 1, startDay);
    case 'HY':
      return monthly(rule, 6, startDay);
    case 'YR':
      return monthly(rule, 12, startDay);
  }
}

function onWeekday(rule: WeekdayRule, day: number): number {
  return day + mod(rule.weekday - weekdayOf(day), 7);
}

/** Every `step` months counted from the start's month, on the rule's day clamped to the month's length. */
function monthly(rule: DayOfMonthRule, step: number, startDay: number): (day: number) => number {
  const startDate = civilDate(startDay);
  const phase = mod(monthIndex(startDate.year, startDate.month), step);
  const runDay = (index: number): number => {
    const { year, month } = monthOfIndex(index);
    return dayNumber({ year, month, day: Math.min(rule.dayOfMonth, daysInMonth(year, month)) });
  };
  return (day) => {
    const date = civilDate(day);
    const here = monthIndex(date.year, date.month);
    const index = here + mod(phase - here, step);
    const candidate = runDay(index);
    return candidate >= day ? candidate : runDay(index + step);
  };
}

/**
 * ID hourly: every real instant whose local minute is `minute`. Within one UTC offset those are
 * exactly an hour apart, so jump to the next one under the current offset; if the offset changes
 * before it, restart from the transition (that assumes at most one transition per hour).
 */
function hourly(zone: IANAZone, minute: number): NextFn {
  return (lower) => {
    let from = Math.ceil(lower / MS_PER_MINUTE) * MS_PER_MINUTE;
    for (;;) {
      const offset = zone.offset(from);
      const localMinute = mod(from / MS_PER_MINUTE + offset, 60);
      const candidate = from + mod(minute - localMinute, 60) * MS_PER_MINUTE;
      if (zone.offset(candidate) === offset) return candidate;
      from = Math.ceil(firstInstantWithNewOffset(zone, from, candidate) / MS_PER_MINUTE) * MS_PER_MINUTE;
    }
  };
}

/** ID with FRQHH '-1': start + k·N minutes of real (UTC) time, whatever the wall clock does. */
function everyMinutes(start: number, minutes: number): NextFn {
  const period = minutes * MS_PER_MINUTE;
  return (lower) => start + Math.max(0, Math.ceil((lower - start) / period)) * period;
}
