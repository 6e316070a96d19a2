import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  nextOccurrence,
  occurrenceAtOrAfter,
  occurrences,
  parseSchedule,
  type FrequencyRule,
  type ScheduleFields,
} from '../../src/schedule/index.js';

// Property tests over random valid schedules, zones and instants, biased towards DST transitions,
// month ends and leap days. The reference model at the bottom is deliberately slow and naive
// (it scans minutes and days) and shares no code with src/schedule.

// The five business zones of the spec, plus Lord Howe, whose DST change is 30 minutes: the only
// kind of change that moves the local minute of an instant (exercises the hourly ID jump).
const ZONES = [
  'Europe/London',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Sydney',
  'UTC',
  'Australia/Lord_Howe',
] as const;
const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Zone = (typeof ZONES)[number];

// Per zone, the UTC instants where bugs live: its DST changes in 2027–2028, a year end, a leap day.
const focusOn = (...instants: string[]): number[] =>
  [...instants, '2027-12-31T12:00Z', '2028-02-29T00:00Z'].map((text) => Date.parse(text));
const FOCUS_INSTANTS: Record<Zone, number[]> = {
  'Europe/London': focusOn('2027-03-28T01:00Z', '2027-10-31T01:00Z', '2028-03-26T01:00Z', '2028-10-29T01:00Z'),
  'America/New_York': focusOn('2027-03-14T07:00Z', '2027-11-07T06:00Z', '2028-03-12T07:00Z', '2028-11-05T06:00Z'),
  'Asia/Kolkata': focusOn(),
  'Australia/Sydney': focusOn('2027-04-03T16:00Z', '2027-10-02T16:00Z', '2028-04-01T16:00Z', '2028-09-30T16:00Z'),
  UTC: focusOn(),
  'Australia/Lord_Howe': focusOn('2027-04-03T15:00Z', '2027-10-02T15:30Z', '2028-04-01T15:00Z', '2028-09-30T15:30Z'),
};

const RANGE_START = Date.parse('2026-10-01T00:00:00Z');
const RANGE_END = Date.parse('2029-12-31T00:00:00Z');

interface Scenario {
  zone: string;
  fields: ScheduleFields;
  /** Instant the queries start from (epoch ms). */
  from: number;
}

const pad = (n: number): string => String(n).padStart(2, '0');

// Hours 0–3 hold every DST change of these zones, so they are drawn far more often than chance.
const hourArb = fc.oneof(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 3 }));
const minuteArb = fc.oneof(fc.integer({ min: 0, max: 59 }), fc.constantFrom(0, 30, 59));
const dayOfMonthArb = fc.oneof(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 28, max: 31 }));
/** Numbers as the UI may store them: with or without a leading zero. */
const asText = (arb: fc.Arbitrary<number>) => fc.tuple(arb, fc.boolean()).map(([n, zero]) => (zero ? pad(n) : String(n)));

type FrequencyPart = Pick<ScheduleFields, 'frqcd' | 'frqdd' | 'frqhh' | 'frqmi'>;

const frequencyArb: fc.Arbitrary<FrequencyPart> = fc.oneof(
  fc.record({ frqcd: fc.constant('DL'), frqdd: fc.constant(null), frqhh: asText(hourArb), frqmi: asText(minuteArb) }),
  fc.record({
    frqcd: fc.constantFrom('WK', 'FN'),
    frqdd: fc.constantFrom(...WEEKDAYS),
    frqhh: asText(hourArb),
    frqmi: asText(minuteArb),
  }),
  fc.record({
    frqcd: fc.constantFrom('MN', 'HY', 'YR'),
    frqdd: asText(dayOfMonthArb),
    frqhh: asText(hourArb),
    frqmi: asText(minuteArb),
  }),
  fc.record({
    frqcd: fc.constant('ID'),
    frqdd: fc.constant(null),
    frqhh: fc.constantFrom(null, '0', '13'),
    frqmi: asText(minuteArb),
  }),
  fc.record({
    frqcd: fc.constant('ID'),
    frqdd: fc.constant(null),
    frqhh: fc.constant('-1'),
    frqmi: fc.oneof(fc.integer({ min: 1, max: 59 }), fc.constantFrom(1, 7, 45, 59)).map(String),
  }),
);

const zoneAndFocusArb = fc
  .constantFrom(...ZONES)
  .chain((zone) =>
    fc.tuple(
      fc.constant(zone),
      fc.oneof(fc.constantFrom(...FOCUS_INSTANTS[zone]), fc.integer({ min: RANGE_START, max: RANGE_END })),
    ),
  );

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    zoneAndFocus: zoneAndFocusArb,
    frequency: frequencyArb,
    // Half the scenarios aim the rule at the focus instant (see `aimAt`).
    aimed: fc.boolean(),
    aimMinutes: fc.integer({ min: -5, max: 65 }),
    // Mostly minute-aligned instants (schedules are), sometimes any millisecond.
    jitter: fc.oneof(
      fc.integer({ min: -2 * 24 * 60, max: 2 * 24 * 60 }).map((m) => m * MINUTE),
      fc.integer({ min: -2 * DAY, max: 2 * DAY }),
    ),
    startDaysBefore: fc.oneof(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 0, max: 900 }),
      fc.constantFrom(182, 183, 364, 365, 366, 730),
    ),
    startTime: fc.option(fc.tuple(hourArb, minuteArb), { freq: 3 }),
    endDaysAfterStart: fc.option(fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 1200 })), {
      freq: 2,
    }),
  })
  .map(({ zoneAndFocus: [zone, focus], frequency, aimed, aimMinutes, jitter, ...rest }) => {
    // An aimed scenario starts before the focus so that its window contains it.
    const from = focus + (aimed ? -Math.abs(jitter) : jitter);
    const startDate = DateTime.fromMillis(from, { zone }).startOf('day').minus({ days: rest.startDaysBefore });
    const { startTime, endDaysAfterStart } = rest;
    const strtdt =
      startTime === null ? startDate.toISODate() : `${startDate.toISODate()}T${pad(startTime[0])}:${pad(startTime[1])}`;
    const enddt = endDaysAfterStart === null ? null : startDate.plus({ days: endDaysAfterStart }).toISODate();
    const aimedFrequency = aimed ? aimAt(frequency, zone, focus, aimMinutes) : frequency;
    return { zone, from, fields: { mapref: 'DW_PROP', ...aimedFrequency, strtdt, enddt } };
  });

/**
 * Points the rule's day and time at the focus instant: its local weekday or day of month, and a
 * wall time a few minutes around the skipped or repeated wall-clock range of a DST change there
 * (the lower of the wall times just before and at the change), so gap and overlap cases are common.
 */
function aimAt(frequency: FrequencyPart, zone: string, focus: number, aimMinutes: number): FrequencyPart {
  const atFocus = DateTime.fromMillis(focus, { zone });
  // Wall times as naive (UTC) values, so adding minutes is plain clock arithmetic.
  const wallAt = (ms: number) => DateTime.fromMillis(ms, { zone }).setZone('UTC', { keepLocalTime: true });
  const base = DateTime.min(wallAt(focus), wallAt(focus - MINUTE).plus({ minutes: 1 }));
  const wall = base.plus({ minutes: aimMinutes });
  const hhmi = { frqhh: pad(wall.hour), frqmi: pad(wall.minute) };
  switch (frequency.frqcd) {
    case 'WK':
    case 'FN':
      return { ...frequency, ...hhmi, frqdd: WEEKDAYS[atFocus.weekday - 1] ?? 'MON' };
    case 'MN':
    case 'HY':
    case 'YR':
      return { ...frequency, ...hhmi, frqdd: String(atFocus.day) };
    case 'DL':
      return { ...frequency, ...hhmi };
    default:
      // ID hourly: only the minute matters; ID interval: leave as drawn.
      return frequency.frqhh === '-1' ? frequency : { ...frequency, frqmi: hhmi.frqmi };
  }
}

function ruleOf(s: Scenario): FrequencyRule {
  const result = parseSchedule(s.fields, { zone: s.zone });
  if (!result.ok) throw new Error(`generator produced an invalid schedule: ${result.message} ${JSON.stringify(s)}`);
  return result.rule;
}

function take(rule: FrequencyRule, from: number, count: number): DateTime[] {
  const out: DateTime[] = [];
  for (const occurrence of occurrences(rule, DateTime.fromMillis(from, { zone: 'UTC' }))) {
    out.push(occurrence);
    if (out.length >= count) break;
  }
  return out;
}

const RUNS = { numRuns: 250 };

describe('occurrences: properties', () => {
  test('strictly increasing, in the rule zone, never before start/from nor after the end date', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const rule = ruleOf(s);
        const list = take(rule, s.from, 25);
        let previous = -Infinity;
        for (const occurrence of list) {
          const ms = occurrence.toMillis();
          assert.equal(occurrence.zoneName, s.zone);
          assert.ok(ms > previous, 'strictly increasing');
          assert.ok(ms >= s.from, 'at or after from');
          assert.ok(ms >= rule.start.toMillis(), 'not before the start');
          if (rule.endDate !== null) assert.ok(occurrence.toISODate()! <= rule.endDate, 'not after the end date');
          previous = ms;
        }
      }),
      RUNS,
    );
  });

  test("each occurrence matches the rule's local fields (or the documented DST adjustment)", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const rule = ruleOf(s);
        for (const occurrence of take(rule, s.from, 25)) assertMatchesRule(rule, occurrence);
      }),
      RUNS,
    );
  });

  test('nextOccurrence(x) = first of occurrences(x + 1 ms); occurrenceAtOrAfter(x) = first of occurrences(x)', () => {
    fc.assert(
      fc.property(scenarioArb, fc.boolean(), (s, onOccurrence) => {
        const rule = ruleOf(s);
        // Half the time query exactly at an occurrence, where "strictly after" matters most.
        const x = onOccurrence ? (take(rule, s.from, 1)[0]?.toMillis() ?? s.from) : s.from;
        const at = DateTime.fromMillis(x, { zone: 'UTC' });
        const next = nextOccurrence(rule, at);
        assert.equal(next?.toMillis() ?? null, take(rule, x + 1, 1)[0]?.toMillis() ?? null);
        assert.equal(occurrenceAtOrAfter(rule, at)?.toMillis() ?? null, take(rule, x, 1)[0]?.toMillis() ?? null);
        if (next !== null) assert.ok(next.toMillis() > x);
      }),
      RUNS,
    );
  });

  test('never skips an occurrence: same as a brute-force scan over a window', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const rule = ruleOf(s);
        const until = s.from + windowFor(rule);
        const expected = referenceOccurrences(rule, s.from, until);
        const actual: number[] = [];
        for (const occurrence of occurrences(rule, DateTime.fromMillis(s.from, { zone: 'UTC' }))) {
          if (occurrence.toMillis() >= until) break;
          actual.push(occurrence.toMillis());
        }
        assert.deepEqual(actual.map(show(rule)), expected.map(show(rule)));
      }),
      { numRuns: 200 },
    );
  });
});

const show = (rule: FrequencyRule) => (ms: number) => DateTime.fromMillis(ms, { zone: rule.zone }).toISO();

/** Long enough to hold a few occurrences of each kind. */
function windowFor(rule: FrequencyRule): number {
  switch (rule.code) {
    case 'DL':
      return 8 * DAY;
    case 'WK':
      return 36 * DAY;
    case 'FN':
      return 64 * DAY;
    case 'MN':
      return 100 * DAY;
    case 'HY':
      return 400 * DAY;
    case 'YR':
      return 800 * DAY;
    case 'ID':
      return rule.everyMinutes === null ? 2 * DAY : DAY;
  }
}

// ---------------------------------------------------------------------------------------------
// Reference model: slow, obvious, and written from DESIGN.md rather than from the implementation.

function wallText(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/**
 * When a wall-clock time "happens": the first real minute whose local wall clock reads that time
 * or later. That single rule gives the exact time, the end of a gap for a skipped time, and the
 * first instance of a repeated time.
 */
function referenceInstant(zone: string, date: string, hour: number, minute: number): number {
  const target = `${date}T${pad(hour)}:${pad(minute)}`;
  const naive = Date.parse(`${target}:00Z`);
  // Start two hours before the naive instant read with yesterday's offset (DST moves offsets by
  // at most an hour here), so the scan begins before the first instance of the target time.
  let t = naive - DateTime.fromMillis(naive - DAY, { zone }).offset * MINUTE - 2 * HOUR;
  while (wallText(t, zone) < target) t += MINUTE;
  return t;
}

function referenceDateMatches(rule: FrequencyRule, date: DateTime, startDate: DateTime): boolean {
  switch (rule.code) {
    case 'DL':
      return true;
    case 'WK':
      return date.weekday === rule.weekday;
    case 'FN': {
      let anchor = startDate;
      while (anchor.weekday !== rule.weekday) anchor = anchor.plus({ days: 1 });
      const days = Math.round(date.diff(anchor, 'days').days);
      return days >= 0 && days % 14 === 0;
    }
    case 'MN':
    case 'HY':
    case 'YR': {
      const step = { MN: 1, HY: 6, YR: 12 }[rule.code];
      const months = date.year * 12 + date.month - (startDate.year * 12 + startDate.month);
      return ((months % step) + step) % step === 0 && date.day === Math.min(rule.dayOfMonth, date.daysInMonth!);
    }
    case 'ID':
      return false;
  }
}

function referenceOccurrences(rule: FrequencyRule, from: number, until: number): number[] {
  const zone = rule.zone;
  const start = rule.start.toMillis();
  const onOrBeforeEnd = (t: number) =>
    rule.endDate === null || DateTime.fromMillis(t, { zone }).toISODate()! <= rule.endDate;
  const inRange = (t: number) => t >= from && t < until && t >= start && onOrBeforeEnd(t);
  const found: number[] = [];

  if (rule.code === 'ID' && rule.everyMinutes !== null) {
    for (let t = start; t < until; t += rule.everyMinutes * MINUTE) if (inRange(t)) found.push(t);
    return found;
  }
  if (rule.code === 'ID') {
    for (let t = Math.ceil(from / MINUTE) * MINUTE; t < until; t += MINUTE) {
      if (DateTime.fromMillis(t, { zone }).minute === rule.minute && inRange(t)) found.push(t);
    }
    return found;
  }

  // Local dates are plain calendar days here (computed in UTC, so no zone arithmetic sneaks in).
  const localDate = (t: number) => DateTime.fromISO(DateTime.fromMillis(t, { zone }).toISODate()!, { zone: 'UTC' });
  const startDate = localDate(start);
  const lastDate = localDate(until).plus({ days: 1 });
  for (let date = localDate(from).minus({ days: 1 }); date <= lastDate; date = date.plus({ days: 1 })) {
    if (!referenceDateMatches(rule, date, startDate)) continue;
    const t = referenceInstant(zone, date.toISODate()!, rule.hour, rule.minute);
    if (inRange(t)) found.push(t);
  }
  return found.sort((a, b) => a - b);
}

/** Checks one occurrence against the rule's local fields, allowing only the DST adjustment. */
function assertMatchesRule(rule: FrequencyRule, occurrence: DateTime): void {
  const zone = rule.zone;
  const ms = occurrence.toMillis();
  const local = DateTime.fromMillis(ms, { zone });
  const where = `${rule.code} ${local.toISO()}`;
  assert.equal(local.second, 0, where);
  assert.equal(local.millisecond, 0, where);

  if (rule.code === 'ID') {
    if (rule.everyMinutes === null) assert.equal(local.minute, rule.minute, where);
    else assert.equal((ms - rule.start.toMillis()) % (rule.everyMinutes * MINUTE), 0, where);
    return;
  }

  const startDate = DateTime.fromISO(rule.start.setZone(zone).toISODate()!, { zone: 'UTC' });
  const date = DateTime.fromISO(local.toISODate()!, { zone: 'UTC' });
  assert.ok(referenceDateMatches(rule, date, startDate), `${where}: date does not match the rule`);

  const target = `${local.toISODate()}T${pad(rule.hour)}:${pad(rule.minute)}`;
  if (local.hour === rule.hour && local.minute === rule.minute) {
    // A repeated time runs at its first instance: the same wall time must not have shown earlier.
    for (const back of [30, 60, 90, 120]) {
      assert.notEqual(wallText(ms - back * MINUTE, zone), target, `${where}: not the first instance`);
    }
  } else {
    // Otherwise the time must be skipped by a spring-forward, and this is the first instant after it.
    const before = DateTime.fromMillis(ms - 1, { zone });
    assert.notEqual(before.offset, local.offset, `${where}: wrong time outside a DST change`);
    assert.ok(wallText(ms - MINUTE, zone) < target && target < wallText(ms, zone), `${where}: not the end of the gap`);
  }
}
