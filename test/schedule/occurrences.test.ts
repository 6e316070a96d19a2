import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import {
  nextOccurrence,
  occurrenceAtOrAfter,
  occurrences,
  parseSchedule,
  type FrequencyRule,
} from '../../src/schedule/index.js';

// Every expected value below was worked out by hand from the calendar and the 2027–2029 DST
// rules (checked against the tz data in the first describe block), never with the code under test.
//
// 2027 calendar landmarks: 1 Jan is a Friday; Sundays include 3 Jan, 28 Feb, 14/21/28 Mar,
// 4 Apr, 19/26 Sep, 3/17/24/31 Oct, 7 Nov; 4 Jan and 15 Mar are Mondays; 25 Dec is a Saturday.
// DST 2027: London 28 Mar 01:00 GMT→02:00 BST, 31 Oct 02:00 BST→01:00 GMT (01:00–01:59 twice);
// New York 14 Mar 02:00 EST→03:00 EDT, 7 Nov 02:00 EDT→01:00 EST (01:00–01:59 twice);
// Sydney 4 Apr 03:00 AEDT→02:00 AEST (02:00–02:59 twice), 3 Oct 02:00 AEST→03:00 AEDT.
// Kolkata is +05:30 all year.

const LON = 'Europe/London';
const NYC = 'America/New_York';
const KOL = 'Asia/Kolkata';
const SYD = 'Australia/Sydney';
const UTC = 'UTC';
// Not one of the business zones, but its DST change is 30 minutes, which moves the local minute
// of real instants: the case the hourly ID jump has to handle explicitly.
const LHI = 'Australia/Lord_Howe';

/** [FRQCD, FRQDD, FRQHH, FRQMI, STRTDT, ENDDT?] as the UI stores them. */
type Fields = [string, string | null, string | null, string, string, string?];

function rule(zone: string, [frqcd, frqdd, frqhh, frqmi, strtdt, enddt]: Fields): FrequencyRule {
  const result = parseSchedule(
    { mapref: 'DW_TEST', frqcd, frqdd, frqhh, frqmi, strtdt, enddt: enddt ?? null },
    { zone },
  );
  if (!result.ok) assert.fail(`bad test fixture: ${result.message}`);
  return result.rule;
}

function label(fields: Fields): string {
  return fields.map((value) => value ?? '-').join(' ');
}

function iso(dt: DateTime | null): string | null {
  return dt === null ? null : dt.toISO({ suppressMilliseconds: true });
}

function instant(text: string): DateTime {
  const dt = DateTime.fromISO(text, { setZone: true });
  assert.ok(dt.isValid, `bad test instant ${text}`);
  return dt;
}

describe('tz data the expectations rely on', () => {
  const offsets: [string, string, string][] = [
    // [zone, instant (UTC), local time shown there]
    [LON, '2027-03-28T00:59:00Z', '2027-03-28T00:59:00+00:00'],
    [LON, '2027-03-28T01:00:00Z', '2027-03-28T02:00:00+01:00'],
    [LON, '2027-10-31T00:59:00Z', '2027-10-31T01:59:00+01:00'],
    [LON, '2027-10-31T01:00:00Z', '2027-10-31T01:00:00+00:00'],
    [NYC, '2027-03-14T06:59:00Z', '2027-03-14T01:59:00-05:00'],
    [NYC, '2027-03-14T07:00:00Z', '2027-03-14T03:00:00-04:00'],
    [NYC, '2027-11-07T05:59:00Z', '2027-11-07T01:59:00-04:00'],
    [NYC, '2027-11-07T06:00:00Z', '2027-11-07T01:00:00-05:00'],
    [SYD, '2027-04-03T15:59:00Z', '2027-04-04T02:59:00+11:00'],
    [SYD, '2027-04-03T16:00:00Z', '2027-04-04T02:00:00+10:00'],
    [SYD, '2027-10-02T15:59:00Z', '2027-10-03T01:59:00+10:00'],
    [SYD, '2027-10-02T16:00:00Z', '2027-10-03T03:00:00+11:00'],
    [LON, '2028-03-26T01:00:00Z', '2028-03-26T02:00:00+01:00'],
    [NYC, '2028-11-05T06:00:00Z', '2028-11-05T01:00:00-05:00'],
    [SYD, '2028-09-30T16:00:00Z', '2028-10-01T03:00:00+11:00'],
    [SYD, '2029-10-06T16:00:00Z', '2029-10-07T03:00:00+11:00'],
    [KOL, '2027-06-01T00:00:00Z', '2027-06-01T05:30:00+05:30'],
    [LHI, '2027-04-03T14:59:00Z', '2027-04-04T01:59:00+11:00'],
    [LHI, '2027-04-03T15:00:00Z', '2027-04-04T01:30:00+10:30'],
    [LHI, '2027-10-02T15:29:00Z', '2027-10-03T01:59:00+10:30'],
    [LHI, '2027-10-02T15:30:00Z', '2027-10-03T02:30:00+11:00'],
  ];
  for (const [zone, utc, local] of offsets) {
    test(`${zone} ${utc} is ${local}`, () => {
      assert.equal(iso(DateTime.fromISO(utc, { zone })), local);
    });
  }
});

interface SequenceCase {
  name: string;
  zone: string;
  fields: Fields;
  from: string;
  expected: string[];
  /** The schedule has no occurrence after the expected ones (ENDDT reached). */
  ends?: true;
}

const sequences: SequenceCase[] = [
  // ---------------- Europe/London ----------------
  {
    name: 'DL 09:00, winter, from the start',
    zone: LON,
    fields: ['DL', null, '09', '00', '2027-01-01'],
    from: '2027-01-01T00:00:00+00:00',
    expected: ['2027-01-01T09:00:00+00:00', '2027-01-02T09:00:00+00:00', '2027-01-03T09:00:00+00:00'],
  },
  {
    // 01:30 does not exist on 28 Mar (01:00 GMT jumps to 02:00 BST): first instant after the gap.
    name: 'DL 01:30 across spring-forward: gap → 02:00 BST',
    zone: LON,
    fields: ['DL', null, '01', '30', '2027-03-01'],
    from: '2027-03-27T00:00:00+00:00',
    expected: ['2027-03-27T01:30:00+00:00', '2027-03-28T02:00:00+01:00', '2027-03-29T01:30:00+01:00'],
  },
  {
    // London's gap is 01:00–02:00, so 02:30 exists (in BST) on the transition day.
    name: 'DL 02:30 across spring-forward: not in the London gap',
    zone: LON,
    fields: ['DL', null, '02', '30', '2027-03-01'],
    from: '2027-03-27T00:00:00+00:00',
    expected: ['2027-03-27T02:30:00+00:00', '2027-03-28T02:30:00+01:00', '2027-03-29T02:30:00+01:00'],
  },
  {
    // 01:00 is the first minute of the gap.
    name: 'DL 01:00 on spring-forward day: gap start → 02:00 BST',
    zone: LON,
    fields: ['DL', null, '01', '00', '2027-03-01'],
    from: '2027-03-28T00:00:00+00:00',
    expected: ['2027-03-28T02:00:00+01:00', '2027-03-29T01:00:00+01:00'],
  },
  {
    // 01:30 happens at 00:30Z (BST) and again at 01:30Z (GMT): only the first runs.
    name: 'DL 01:30 across fall-back: first instance (BST)',
    zone: LON,
    fields: ['DL', null, '01', '30', '2027-03-01'],
    from: '2027-10-30T00:00:00+01:00',
    expected: ['2027-10-30T01:30:00+01:00', '2027-10-31T01:30:00+01:00', '2027-11-01T01:30:00+00:00'],
  },
  {
    name: 'DL 01:00 on fall-back day: first instance (BST)',
    zone: LON,
    fields: ['DL', null, '01', '00', '2027-03-01'],
    from: '2027-10-31T00:00:00+01:00',
    expected: ['2027-10-31T01:00:00+01:00', '2027-11-01T01:00:00+00:00'],
  },
  {
    // 02:00 BST never shows (the clock goes 01:59 BST → 01:00 GMT); 02:00 GMT happens once.
    name: 'DL 02:00 on fall-back day: unambiguous, GMT',
    zone: LON,
    fields: ['DL', null, '02', '00', '2027-03-01'],
    from: '2027-10-30T12:00:00+01:00',
    expected: ['2027-10-31T02:00:00+00:00', '2027-11-01T02:00:00+00:00'],
  },
  {
    name: 'WK SUN 01:15 across spring-forward',
    zone: LON,
    fields: ['WK', 'SUN', '01', '15', '2027-03-01'],
    from: '2027-03-20T00:00:00+00:00',
    expected: ['2027-03-21T01:15:00+00:00', '2027-03-28T02:00:00+01:00', '2027-04-04T01:15:00+01:00'],
  },
  {
    name: 'WK SUN 01:45 across fall-back',
    zone: LON,
    fields: ['WK', 'SUN', '01', '45', '2027-10-01'],
    from: '2027-10-23T00:00:00+01:00',
    expected: ['2027-10-24T01:45:00+01:00', '2027-10-31T01:45:00+01:00', '2027-11-07T01:45:00+00:00'],
  },
  {
    // Start 14 Mar is a Sunday: anchor 14 Mar, then 28 Mar (in the gap), 11 Apr.
    name: 'FN SUN 01:30 anchored on a Sunday start, across spring-forward',
    zone: LON,
    fields: ['FN', 'SUN', '01', '30', '2027-03-14'],
    from: '2027-03-14T00:00:00+00:00',
    expected: ['2027-03-14T01:30:00+00:00', '2027-03-28T02:00:00+01:00', '2027-04-11T01:30:00+01:00'],
  },
  {
    // Start Mon 15 Mar: the anchor is the first Sunday at or after it, 21 Mar; not 28 Mar.
    name: 'FN SUN anchored on the first Sunday after a Monday start',
    zone: LON,
    fields: ['FN', 'SUN', '10', '00', '2027-03-15'],
    from: '2027-03-15T00:00:00+00:00',
    expected: ['2027-03-21T10:00:00+00:00', '2027-04-04T10:00:00+01:00', '2027-04-18T10:00:00+01:00'],
  },
  {
    name: 'FN SUN 01:30 across fall-back (anchor 17 Oct)',
    zone: LON,
    fields: ['FN', 'SUN', '01', '30', '2027-10-17'],
    from: '2027-10-17T00:00:00+01:00',
    expected: ['2027-10-17T01:30:00+01:00', '2027-10-31T01:30:00+01:00', '2027-11-14T01:30:00+00:00'],
  },
  {
    name: 'MN 31: short months run on their last day',
    zone: LON,
    fields: ['MN', '31', '10', '00', '2027-01-01'],
    from: '2027-01-01T00:00:00+00:00',
    expected: [
      '2027-01-31T10:00:00+00:00',
      '2027-02-28T10:00:00+00:00',
      '2027-03-31T10:00:00+01:00',
      '2027-04-30T10:00:00+01:00',
    ],
  },
  {
    name: 'MN 28 01:30: 28 Mar falls in the gap',
    zone: LON,
    fields: ['MN', '28', '01', '30', '2027-02-01'],
    from: '2027-02-01T00:00:00+00:00',
    expected: ['2027-02-28T01:30:00+00:00', '2027-03-28T02:00:00+01:00', '2027-04-28T01:30:00+01:00'],
  },
  {
    name: 'MN 31 01:30: 30 Sep (clamped), 31 Oct first instance, 30 Nov',
    zone: LON,
    fields: ['MN', '31', '01', '30', '2027-09-01'],
    from: '2027-09-01T00:00:00+01:00',
    expected: ['2027-09-30T01:30:00+01:00', '2027-10-31T01:30:00+01:00', '2027-11-30T01:30:00+00:00'],
  },
  {
    // Months Mar/Sep. 2028 springs forward on 26 Mar, so 28 Mar 2028 01:30 is plain BST.
    name: 'HY 28 01:30 from March: gap in 2027, not in 2028',
    zone: LON,
    fields: ['HY', '28', '01', '30', '2027-03-01'],
    from: '2027-03-01T00:00:00+00:00',
    expected: ['2027-03-28T02:00:00+01:00', '2027-09-28T01:30:00+01:00', '2028-03-28T01:30:00+01:00'],
  },
  {
    // 2028 falls back 29 Oct and 2029 on 28 Oct, so their 31 Oct is GMT.
    name: 'YR 31 01:30 in October: ambiguous in 2027 only',
    zone: LON,
    fields: ['YR', '31', '01', '30', '2027-10-01'],
    from: '2027-10-01T00:00:00+01:00',
    expected: ['2027-10-31T01:30:00+01:00', '2028-10-31T01:30:00+00:00', '2029-10-31T01:30:00+00:00'],
  },
  {
    name: 'ID hourly at :30 across spring-forward: no 01:30 that night',
    zone: LON,
    fields: ['ID', null, null, '30', '2027-03-01'],
    from: '2027-03-27T23:00:00+00:00',
    expected: [
      '2027-03-27T23:30:00+00:00',
      '2027-03-28T00:30:00+00:00',
      '2027-03-28T02:30:00+01:00',
      '2027-03-28T03:30:00+01:00',
    ],
  },
  {
    name: 'ID hourly at :30 across fall-back: 01:30 fires twice',
    zone: LON,
    fields: ['ID', null, '07', '30', '2027-03-01'],
    from: '2027-10-30T23:45:00+01:00',
    expected: [
      '2027-10-31T00:30:00+01:00',
      '2027-10-31T01:30:00+01:00',
      '2027-10-31T01:30:00+00:00',
      '2027-10-31T02:30:00+00:00',
    ],
  },
  {
    // Start 00:00 GMT = 00:00Z; 45-minute steps in real time: 00:00Z, 00:45Z, 01:30Z (=02:30 BST), 02:15Z.
    name: 'ID every 45 min across spring-forward (real-time interval)',
    zone: LON,
    fields: ['ID', null, '-1', '45', '2027-03-28'],
    from: '2027-03-28T00:00:00+00:00',
    expected: [
      '2027-03-28T00:00:00+00:00',
      '2027-03-28T00:45:00+00:00',
      '2027-03-28T02:30:00+01:00',
      '2027-03-28T03:15:00+01:00',
    ],
  },
  {
    // Start 00:00 BST = 30 Oct 23:00Z; steps 23:00Z, 23:45Z, 00:30Z, 01:15Z, 02:00Z.
    name: 'ID every 45 min across fall-back: local time steps back, real time does not',
    zone: LON,
    fields: ['ID', null, '-1', '45', '2027-10-31'],
    from: '2027-10-30T00:00:00+01:00',
    expected: [
      '2027-10-31T00:00:00+01:00',
      '2027-10-31T00:45:00+01:00',
      '2027-10-31T01:30:00+01:00',
      '2027-10-31T01:15:00+00:00',
      '2027-10-31T02:00:00+00:00',
    ],
  },
  {
    // 60 min after the start is step 60/7 = 8.57 → step 9 = 63 min.
    name: 'ID every 7 min from mid-sequence: counted from the start, not from the hour',
    zone: LON,
    fields: ['ID', null, '-1', '7', '2027-01-01'],
    from: '2027-01-01T01:00:00+00:00',
    expected: ['2027-01-01T01:03:00+00:00', '2027-01-01T01:10:00+00:00', '2027-01-01T01:17:00+00:00'],
  },
  {
    name: 'DL 23:59 with an end date: the end date itself runs',
    zone: LON,
    fields: ['DL', null, '23', '59', '2027-01-01', '2027-01-03'],
    from: '2027-01-01T00:00:00+00:00',
    expected: ['2027-01-01T23:59:00+00:00', '2027-01-02T23:59:00+00:00', '2027-01-03T23:59:00+00:00'],
    ends: true,
  },
  {
    name: 'ID hourly ends at the last hour of the end date',
    zone: LON,
    fields: ['ID', null, null, '0', '2027-01-02', '2027-01-03'],
    from: '2027-01-03T22:00:00+00:00',
    expected: ['2027-01-03T22:00:00+00:00', '2027-01-03T23:00:00+00:00'],
    ends: true,
  },
  {
    // At 2 Jan 23:00 it is 2820 min after the start; 2820/59 = 47.8 → step 48 = 2832 min = 23:12.
    // Step 49 = 2891 min = 3 Jan 00:11, after the end date.
    name: 'ID every 59 min ends with the end date',
    zone: LON,
    fields: ['ID', null, '-1', '59', '2027-01-01', '2027-01-02'],
    from: '2027-01-02T23:00:00+00:00',
    expected: ['2027-01-02T23:12:00+00:00'],
    ends: true,
  },
  {
    // 00:30 BST on 3 Jun is still 2 Jun in UTC (23:30Z): the end date is local, so it does not run.
    name: 'end date is a local date, not a UTC one',
    zone: LON,
    fields: ['ID', null, null, '30', '2027-06-01', '2027-06-02'],
    from: '2027-06-02T22:00:00+01:00',
    expected: ['2027-06-02T22:30:00+01:00', '2027-06-02T23:30:00+01:00'],
    ends: true,
  },

  // ---------------- America/New_York ----------------
  {
    name: 'DL 02:30 across spring-forward: gap → 03:00 EDT',
    zone: NYC,
    fields: ['DL', null, '02', '30', '2027-03-01'],
    from: '2027-03-13T00:00:00-05:00',
    expected: ['2027-03-13T02:30:00-05:00', '2027-03-14T03:00:00-04:00', '2027-03-15T02:30:00-04:00'],
  },
  {
    name: 'DL 02:00 on spring-forward day: gap start → 03:00 EDT',
    zone: NYC,
    fields: ['DL', null, '02', '00', '2027-03-01'],
    from: '2027-03-14T00:00:00-05:00',
    expected: ['2027-03-14T03:00:00-04:00', '2027-03-15T02:00:00-04:00'],
  },
  {
    name: 'DL 01:30 across fall-back: first instance (EDT)',
    zone: NYC,
    fields: ['DL', null, '01', '30', '2027-03-01'],
    from: '2027-11-06T00:00:00-04:00',
    expected: ['2027-11-06T01:30:00-04:00', '2027-11-07T01:30:00-04:00', '2027-11-08T01:30:00-05:00'],
  },
  {
    name: 'DL 01:00 on fall-back day: first instance (EDT)',
    zone: NYC,
    fields: ['DL', null, '1', '0', '2027-03-01'],
    from: '2027-11-07T00:00:00-04:00',
    expected: ['2027-11-07T01:00:00-04:00', '2027-11-08T01:00:00-05:00'],
  },
  {
    name: 'WK SUN 02:15 across spring-forward',
    zone: NYC,
    fields: ['WK', 'SUN', '02', '15', '2027-03-01'],
    from: '2027-03-01T00:00:00-05:00',
    expected: ['2027-03-07T02:15:00-05:00', '2027-03-14T03:00:00-04:00', '2027-03-21T02:15:00-04:00'],
  },
  {
    name: 'WK SUN 01:59 across fall-back',
    zone: NYC,
    fields: ['WK', 'SUN', '01', '59', '2027-10-25'],
    from: '2027-10-25T00:00:00-04:00',
    expected: ['2027-10-31T01:59:00-04:00', '2027-11-07T01:59:00-04:00', '2027-11-14T01:59:00-05:00'],
  },
  {
    name: 'FN SUN 02:59 across spring-forward (anchor 28 Feb)',
    zone: NYC,
    fields: ['FN', 'SUN', '02', '59', '2027-02-28'],
    from: '2027-02-28T00:00:00-05:00',
    expected: ['2027-02-28T02:59:00-05:00', '2027-03-14T03:00:00-04:00', '2027-03-28T02:59:00-04:00'],
  },
  {
    name: 'FN SUN 01:30 across fall-back (anchor 24 Oct)',
    zone: NYC,
    fields: ['FN', 'SUN', '01', '30', '2027-10-24'],
    from: '2027-10-24T00:00:00-04:00',
    expected: ['2027-10-24T01:30:00-04:00', '2027-11-07T01:30:00-04:00', '2027-11-21T01:30:00-05:00'],
  },
  {
    name: 'MN 14 02:30: 14 Mar in the gap',
    zone: NYC,
    fields: ['MN', '14', '02', '30', '2027-02-01'],
    from: '2027-02-01T00:00:00-05:00',
    expected: ['2027-02-14T02:30:00-05:00', '2027-03-14T03:00:00-04:00', '2027-04-14T02:30:00-04:00'],
  },
  {
    name: 'MN 7 01:30: 7 Nov ambiguous → EDT',
    zone: NYC,
    fields: ['MN', '07', '01', '30', '2027-10-01'],
    from: '2027-10-01T00:00:00-04:00',
    expected: ['2027-10-07T01:30:00-04:00', '2027-11-07T01:30:00-04:00', '2027-12-07T01:30:00-05:00'],
  },
  {
    // 2028 springs forward on 12 Mar, so 14 Mar 2028 02:30 is plain EDT.
    name: 'HY 14 02:30 from March',
    zone: NYC,
    fields: ['HY', '14', '02', '30', '2027-03-01'],
    from: '2027-03-01T00:00:00-05:00',
    expected: ['2027-03-14T03:00:00-04:00', '2027-09-14T02:30:00-04:00', '2028-03-14T02:30:00-04:00'],
  },
  {
    // 2028 falls back 5 Nov, 2029 on 4 Nov: their 7 Nov is EST.
    name: 'YR 7 01:30 in November',
    zone: NYC,
    fields: ['YR', '7', '01', '30', '2027-11-01'],
    from: '2027-11-01T00:00:00-04:00',
    expected: ['2027-11-07T01:30:00-04:00', '2028-11-07T01:30:00-05:00', '2029-11-07T01:30:00-05:00'],
  },
  {
    name: 'ID hourly at :15 across spring-forward: no 02:15',
    zone: NYC,
    fields: ['ID', null, null, '15', '2027-03-01'],
    from: '2027-03-14T00:00:00-05:00',
    expected: [
      '2027-03-14T00:15:00-05:00',
      '2027-03-14T01:15:00-05:00',
      '2027-03-14T03:15:00-04:00',
      '2027-03-14T04:15:00-04:00',
    ],
  },
  {
    name: 'ID hourly at :00 across fall-back: 01:00 twice',
    zone: NYC,
    fields: ['ID', null, '12', '00', '2027-03-01'],
    from: '2027-11-07T00:30:00-04:00',
    expected: ['2027-11-07T01:00:00-04:00', '2027-11-07T01:00:00-05:00', '2027-11-07T02:00:00-05:00'],
  },
  {
    // Start 00:00 EDT = 04:00Z; every 30 real minutes: 04:00Z … 07:00Z; 06:00Z is 01:00 EST.
    name: 'ID every 30 min across fall-back',
    zone: NYC,
    fields: ['ID', null, '-1', '30', '2027-11-07'],
    from: '2027-11-07T00:00:00-04:00',
    expected: [
      '2027-11-07T00:00:00-04:00',
      '2027-11-07T00:30:00-04:00',
      '2027-11-07T01:00:00-04:00',
      '2027-11-07T01:30:00-04:00',
      '2027-11-07T01:00:00-05:00',
      '2027-11-07T01:30:00-05:00',
      '2027-11-07T02:00:00-05:00',
    ],
  },
  {
    // Start 00:00 EST = 05:00Z; 07:00Z is 03:00 EDT.
    name: 'ID every 30 min across spring-forward',
    zone: NYC,
    fields: ['ID', null, '-1', '30', '2027-03-14'],
    from: '2027-03-14T00:00:00-05:00',
    expected: [
      '2027-03-14T00:00:00-05:00',
      '2027-03-14T00:30:00-05:00',
      '2027-03-14T01:00:00-05:00',
      '2027-03-14T01:30:00-05:00',
      '2027-03-14T03:00:00-04:00',
      '2027-03-14T03:30:00-04:00',
    ],
  },
  {
    name: 'YR 31 23:59 in December: year boundary',
    zone: NYC,
    fields: ['YR', '31', '23', '59', '2027-12-01'],
    from: '2027-12-01T00:00:00-05:00',
    expected: ['2027-12-31T23:59:00-05:00', '2028-12-31T23:59:00-05:00'],
  },
  {
    name: 'DL 00:00 over New Year',
    zone: NYC,
    fields: ['DL', null, '00', '00', '2027-01-01'],
    from: '2027-12-31T12:00:00-05:00',
    expected: ['2028-01-01T00:00:00-05:00', '2028-01-02T00:00:00-05:00'],
  },
  {
    name: 'WK FRI 17:00 until an end date that is a Friday',
    zone: NYC,
    fields: ['WK', 'FRI', '17', '00', '2027-01-01', '2027-01-15'],
    from: '2027-01-01T00:00:00-05:00',
    expected: ['2027-01-01T17:00:00-05:00', '2027-01-08T17:00:00-05:00', '2027-01-15T17:00:00-05:00'],
    ends: true,
  },

  // ---------------- Asia/Kolkata (+05:30, no DST) ----------------
  {
    name: 'DL 09:30 on the dates other zones change clocks',
    zone: KOL,
    fields: ['DL', null, '09', '30', '2027-03-13'],
    from: '2027-03-13T00:00:00+05:30',
    expected: ['2027-03-13T09:30:00+05:30', '2027-03-14T09:30:00+05:30'],
  },
  {
    // Local :00 is UTC :30 in a half-hour zone.
    name: 'ID hourly at :00 in a half-hour-offset zone',
    zone: KOL,
    fields: ['ID', null, null, '00', '2027-03-01'],
    from: '2027-03-14T00:00:00+05:30',
    expected: ['2027-03-14T00:00:00+05:30', '2027-03-14T01:00:00+05:30', '2027-03-14T02:00:00+05:30'],
  },
  {
    name: 'ID hourly at :45 from 10:50',
    zone: KOL,
    fields: ['ID', null, null, '45', '2027-03-01'],
    from: '2027-06-01T10:50:00+05:30',
    expected: ['2027-06-01T11:45:00+05:30', '2027-06-01T12:45:00+05:30'],
  },
  {
    name: 'MN 29 in a common year: 28 Feb',
    zone: KOL,
    fields: ['MN', '29', '08', '00', '2027-01-01'],
    from: '2027-01-01T00:00:00+05:30',
    expected: ['2027-01-29T08:00:00+05:30', '2027-02-28T08:00:00+05:30', '2027-03-29T08:00:00+05:30'],
  },
  {
    name: 'MN 29 in a leap year: 29 Feb',
    zone: KOL,
    fields: ['MN', '29', '08', '00', '2028-01-15'],
    from: '2028-01-15T00:00:00+05:30',
    expected: ['2028-01-29T08:00:00+05:30', '2028-02-29T08:00:00+05:30', '2028-03-29T08:00:00+05:30'],
  },
  {
    name: 'MN 30 in a leap February: 29 Feb, then back to 30',
    zone: KOL,
    fields: ['MN', '30', '08', '00', '2028-02-01'],
    from: '2028-02-01T00:00:00+05:30',
    expected: ['2028-02-29T08:00:00+05:30', '2028-03-30T08:00:00+05:30', '2028-04-30T08:00:00+05:30'],
  },
  {
    name: 'YR 29 February: 29 in leap years, 28 otherwise',
    zone: KOL,
    fields: ['YR', '29', '08', '00', '2028-02-01'],
    from: '2028-02-01T00:00:00+05:30',
    expected: [
      '2028-02-29T08:00:00+05:30',
      '2029-02-28T08:00:00+05:30',
      '2030-02-28T08:00:00+05:30',
      '2031-02-28T08:00:00+05:30',
      '2032-02-29T08:00:00+05:30',
    ],
  },
  {
    // Start in August: months Aug and Feb.
    name: 'HY 31 from August: Aug 31, Feb 29 (leap), Aug 31, Feb 28',
    zone: KOL,
    fields: ['HY', '31', '08', '00', '2027-08-15'],
    from: '2027-08-15T00:00:00+05:30',
    expected: [
      '2027-08-31T08:00:00+05:30',
      '2028-02-29T08:00:00+05:30',
      '2028-08-31T08:00:00+05:30',
      '2029-02-28T08:00:00+05:30',
    ],
  },
  {
    // Start Mon 4 Jan at 10:00: the 09:00 run that day is before the start.
    name: 'WK MON 09:00 with a start later that Monday',
    zone: KOL,
    fields: ['WK', 'MON', '09', '00', '2027-01-04T10:00'],
    from: '2027-01-01T00:00:00+05:30',
    expected: ['2027-01-11T09:00:00+05:30', '2027-01-18T09:00:00+05:30'],
  },
  {
    name: 'WK MON 09:00 with a start at exactly 09:00 that Monday',
    zone: KOL,
    fields: ['WK', 'MON', '09', '00', '2027-01-04T09:00'],
    from: '2027-01-01T00:00:00+05:30',
    expected: ['2027-01-04T09:00:00+05:30', '2027-01-11T09:00:00+05:30'],
  },
  {
    // The anchor is the start's date (Mon 4 Jan) even though its 09:00 is before the 10:00 start,
    // so the fortnight runs 18 Jan, 1 Feb … and not 11 Jan.
    name: 'FN MON anchored on the start date although its time has passed',
    zone: KOL,
    fields: ['FN', 'MON', '09', '00', '2027-01-04T10:00'],
    from: '2027-01-01T00:00:00+05:30',
    expected: ['2027-01-18T09:00:00+05:30', '2027-02-01T09:00:00+05:30'],
  },
  {
    // Anchor 4 Jan: 4, 18 Jan, 1, 15 Feb, 1 Mar.
    name: 'FN MON picked up mid-cycle',
    zone: KOL,
    fields: ['FN', 'MON', '09', '00', '2027-01-04'],
    from: '2027-02-02T00:00:00+05:30',
    expected: ['2027-02-15T09:00:00+05:30', '2027-03-01T09:00:00+05:30'],
  },
  {
    name: 'ID every 59 min from midnight',
    zone: KOL,
    fields: ['ID', null, '-1', '59', '2027-01-01'],
    from: '2027-01-01T00:00:00+05:30',
    expected: [
      '2027-01-01T00:00:00+05:30',
      '2027-01-01T00:59:00+05:30',
      '2027-01-01T01:58:00+05:30',
      '2027-01-01T02:57:00+05:30',
    ],
  },
  {
    // Start 06:07: 06:07, 06:22, 06:37 … — first at or after 06:30 is 06:37.
    name: 'ID every 15 min from a start that is not on the hour',
    zone: KOL,
    fields: ['ID', null, '-1', '15', '2027-01-01T06:07'],
    from: '2027-01-01T06:30:00+05:30',
    expected: ['2027-01-01T06:37:00+05:30', '2027-01-01T06:52:00+05:30', '2027-01-01T07:07:00+05:30'],
  },
  {
    name: 'MN 31 23:30 with end date 31 Mar: the last day runs',
    zone: KOL,
    fields: ['MN', '31', '23', '30', '2027-01-01', '2027-03-31'],
    from: '2027-01-01T00:00:00+05:30',
    expected: ['2027-01-31T23:30:00+05:30', '2027-02-28T23:30:00+05:30', '2027-03-31T23:30:00+05:30'],
    ends: true,
  },
  {
    name: 'MN 31 with end date 30 Mar: March does not run',
    zone: KOL,
    fields: ['MN', '31', '23', '30', '2027-01-01', '2027-03-30'],
    from: '2027-01-01T00:00:00+05:30',
    expected: ['2027-01-31T23:30:00+05:30', '2027-02-28T23:30:00+05:30'],
    ends: true,
  },

  // ---------------- Australia/Sydney (southern hemisphere) ----------------
  {
    // 4 Apr: 02:00–02:59 happen first in AEDT (+11) then AEST (+10).
    name: 'DL 02:30 across the April fall-back: first instance (AEDT)',
    zone: SYD,
    fields: ['DL', null, '02', '30', '2027-03-01'],
    from: '2027-04-03T00:00:00+11:00',
    expected: ['2027-04-03T02:30:00+11:00', '2027-04-04T02:30:00+11:00', '2027-04-05T02:30:00+10:00'],
  },
  {
    name: 'DL 02:30 across the October spring-forward: gap → 03:00 AEDT',
    zone: SYD,
    fields: ['DL', null, '02', '30', '2027-09-01'],
    from: '2027-10-02T00:00:00+10:00',
    expected: ['2027-10-02T02:30:00+10:00', '2027-10-03T03:00:00+11:00', '2027-10-04T02:30:00+11:00'],
  },
  {
    name: 'WK SUN 02:00 across the April fall-back',
    zone: SYD,
    fields: ['WK', 'SUN', '02', '00', '2027-03-01'],
    from: '2027-03-27T00:00:00+11:00',
    expected: ['2027-03-28T02:00:00+11:00', '2027-04-04T02:00:00+11:00', '2027-04-11T02:00:00+10:00'],
  },
  {
    name: 'WK SUN 02:00 across the October spring-forward',
    zone: SYD,
    fields: ['WK', 'SUN', '02', '00', '2027-09-01'],
    from: '2027-09-25T00:00:00+10:00',
    expected: ['2027-09-26T02:00:00+10:00', '2027-10-03T03:00:00+11:00', '2027-10-10T02:00:00+11:00'],
  },
  {
    name: 'FN SUN 02:45 across the October spring-forward (anchor 19 Sep)',
    zone: SYD,
    fields: ['FN', 'SUN', '02', '45', '2027-09-19'],
    from: '2027-09-19T00:00:00+10:00',
    expected: ['2027-09-19T02:45:00+10:00', '2027-10-03T03:00:00+11:00', '2027-10-17T02:45:00+11:00'],
  },
  {
    name: 'FN SUN 02:15 across the April fall-back (anchor 21 Mar)',
    zone: SYD,
    fields: ['FN', 'SUN', '02', '15', '2027-03-21'],
    from: '2027-03-21T00:00:00+11:00',
    expected: ['2027-03-21T02:15:00+11:00', '2027-04-04T02:15:00+11:00', '2027-04-18T02:15:00+10:00'],
  },
  {
    name: 'MN 3 02:30: 3 Oct in the gap',
    zone: SYD,
    fields: ['MN', '3', '02', '30', '2027-09-01'],
    from: '2027-09-01T00:00:00+10:00',
    expected: ['2027-09-03T02:30:00+10:00', '2027-10-03T03:00:00+11:00', '2027-11-03T02:30:00+11:00'],
  },
  {
    name: 'MN 4 02:30: 4 Apr ambiguous → AEDT',
    zone: SYD,
    fields: ['MN', '04', '02', '30', '2027-03-01'],
    from: '2027-03-01T00:00:00+11:00',
    expected: ['2027-03-04T02:30:00+11:00', '2027-04-04T02:30:00+11:00', '2027-05-04T02:30:00+10:00'],
  },
  {
    // Months Apr/Oct. DST ends 2 Apr in 2028, so 4 Apr 2028 is AEST; 4 Oct 2027 is AEDT.
    name: 'HY 4 02:30 from April',
    zone: SYD,
    fields: ['HY', '4', '02', '30', '2027-04-01'],
    from: '2027-04-01T00:00:00+11:00',
    expected: ['2027-04-04T02:30:00+11:00', '2027-10-04T02:30:00+11:00', '2028-04-04T02:30:00+10:00'],
  },
  {
    // DST starts 1 Oct 2028 (3 Oct is AEDT) and 7 Oct 2029 (3 Oct is still AEST).
    name: 'YR 3 02:30 in October',
    zone: SYD,
    fields: ['YR', '3', '02', '30', '2027-10-01'],
    from: '2027-10-01T00:00:00+10:00',
    expected: ['2027-10-03T03:00:00+11:00', '2028-10-03T02:30:00+11:00', '2029-10-03T02:30:00+10:00'],
  },
  {
    name: 'ID hourly at :30 across the April fall-back: 02:30 twice',
    zone: SYD,
    fields: ['ID', null, null, '30', '2027-03-01'],
    from: '2027-04-04T01:00:00+11:00',
    expected: [
      '2027-04-04T01:30:00+11:00',
      '2027-04-04T02:30:00+11:00',
      '2027-04-04T02:30:00+10:00',
      '2027-04-04T03:30:00+10:00',
    ],
  },
  {
    name: 'ID hourly at :30 across the October spring-forward: no 02:30',
    zone: SYD,
    fields: ['ID', null, null, '30', '2027-09-01'],
    from: '2027-10-03T01:00:00+10:00',
    expected: ['2027-10-03T01:30:00+10:00', '2027-10-03T03:30:00+11:00', '2027-10-03T04:30:00+11:00'],
  },
  {
    // Start 01:00 AEST = 2 Oct 15:00Z; 16:00Z is 03:00 AEDT.
    name: 'ID every 20 min across the October spring-forward',
    zone: SYD,
    fields: ['ID', null, '-1', '20', '2027-10-03T01:00'],
    from: '2027-10-03T01:00:00+10:00',
    expected: [
      '2027-10-03T01:00:00+10:00',
      '2027-10-03T01:20:00+10:00',
      '2027-10-03T01:40:00+10:00',
      '2027-10-03T03:00:00+11:00',
      '2027-10-03T03:20:00+11:00',
    ],
  },
  {
    name: 'DL 00:30 over New Year in summer time',
    zone: SYD,
    fields: ['DL', null, '00', '30', '2027-01-01'],
    from: '2027-12-31T12:00:00+11:00',
    expected: ['2028-01-01T00:30:00+11:00', '2028-01-02T00:30:00+11:00'],
  },
  {
    name: 'MN 31 00:15 over New Year until an end date',
    zone: SYD,
    fields: ['MN', '31', '00', '15', '2027-11-01', '2028-01-31'],
    from: '2027-11-01T00:00:00+11:00',
    expected: ['2027-11-30T00:15:00+11:00', '2027-12-31T00:15:00+11:00', '2028-01-31T00:15:00+11:00'],
    ends: true,
  },

  // ---------------- Australia/Lord_Howe (30-minute DST) ----------------
  {
    // 3 Oct 2027: 02:00 (+10:30, 15:30Z) jumps to 02:30 (+11). 01:45 is 15:15Z; the next local :45
    // is 02:45 (+11) = 15:45Z, only 30 real minutes later.
    name: 'ID hourly at :45 across a 30-minute spring-forward',
    zone: LHI,
    fields: ['ID', null, null, '45', '2027-09-01'],
    from: '2027-10-03T00:00:00+10:30',
    expected: [
      '2027-10-03T00:45:00+10:30',
      '2027-10-03T01:45:00+10:30',
      '2027-10-03T02:45:00+11:00',
      '2027-10-03T03:45:00+11:00',
    ],
  },
  {
    // 4 Apr 2027: 02:00 (+11, 15:00Z) falls back to 01:30 (+10:30); 01:30–01:59 happen twice.
    // 01:45 +11 = 14:45Z, 01:45 +10:30 = 15:15Z, 02:45 +10:30 = 16:15Z.
    name: 'ID hourly at :45 across a 30-minute fall-back',
    zone: LHI,
    fields: ['ID', null, null, '45', '2027-03-01'],
    from: '2027-04-04T00:00:00+11:00',
    expected: [
      '2027-04-04T00:45:00+11:00',
      '2027-04-04T01:45:00+11:00',
      '2027-04-04T01:45:00+10:30',
      '2027-04-04T02:45:00+10:30',
    ],
  },
  {
    name: 'DL 02:15 in a 30-minute gap → 02:30',
    zone: LHI,
    fields: ['DL', null, '02', '15', '2027-09-01'],
    from: '2027-10-02T00:00:00+10:30',
    expected: ['2027-10-02T02:15:00+10:30', '2027-10-03T02:30:00+11:00', '2027-10-04T02:15:00+11:00'],
  },

  // ---------------- UTC ----------------
  {
    name: 'DL 00:00 from one second after midnight',
    zone: UTC,
    fields: ['DL', null, '00', '00', '2027-01-01'],
    from: '2027-12-31T00:00:01Z',
    expected: ['2028-01-01T00:00:00Z', '2028-01-02T00:00:00Z'],
  },
  {
    // Nothing before the start (15 Nov), whatever `from` says.
    name: 'MN 31 from a start in mid-November',
    zone: UTC,
    fields: ['MN', '31', '00', '00', '2027-11-15'],
    from: '2027-01-01T00:00:00Z',
    expected: ['2027-11-30T00:00:00Z', '2027-12-31T00:00:00Z', '2028-01-31T00:00:00Z', '2028-02-29T00:00:00Z'],
  },
  {
    name: 'YR 31 December with an end date the day before the third run',
    zone: UTC,
    fields: ['YR', '31', '12', '00', '2027-12-01', '2029-12-30'],
    from: '2027-12-01T00:00:00Z',
    expected: ['2027-12-31T12:00:00Z', '2028-12-31T12:00:00Z'],
    ends: true,
  },
  {
    name: 'ID hourly at :59 over New Year, from 1 ms after an occurrence',
    zone: UTC,
    fields: ['ID', null, null, '59', '2027-01-01'],
    from: '2027-12-31T22:59:00.001Z',
    expected: ['2027-12-31T23:59:00Z', '2028-01-01T00:59:00Z'],
  },
  {
    name: 'ID every minute from half a minute',
    zone: UTC,
    fields: ['ID', null, '-1', '1', '2027-01-01'],
    from: '2027-06-01T12:00:30Z',
    expected: ['2027-06-01T12:01:00Z', '2027-06-01T12:02:00Z'],
  },
  {
    // Months Nov/May; 15 Nov 2027 is before the 20 Nov start.
    name: 'HY 15 from a start after the day in its month',
    zone: UTC,
    fields: ['HY', '15', '06', '00', '2027-11-20'],
    from: '2027-11-20T00:00:00Z',
    expected: ['2028-05-15T06:00:00Z', '2028-11-15T06:00:00Z', '2029-05-15T06:00:00Z'],
  },
  {
    name: 'HY 31 from December: Dec 31, Jun 30, Dec 31',
    zone: UTC,
    fields: ['HY', '31', '00', '00', '2027-12-01'],
    from: '2027-12-01T00:00:00Z',
    expected: ['2027-12-31T00:00:00Z', '2028-06-30T00:00:00Z', '2028-12-31T00:00:00Z'],
  },
  {
    name: 'YR 29 in February from a common year',
    zone: UTC,
    fields: ['YR', '29', '00', '00', '2027-02-10'],
    from: '2027-02-10T00:00:00Z',
    expected: ['2027-02-28T00:00:00Z', '2028-02-29T00:00:00Z', '2029-02-28T00:00:00Z'],
  },
  {
    name: 'WK SAT 23:00 over New Year (start Sat 25 Dec)',
    zone: UTC,
    fields: ['WK', 'SAT', '23', '00', '2027-12-25'],
    from: '2027-12-25T00:00:00Z',
    expected: ['2027-12-25T23:00:00Z', '2028-01-01T23:00:00Z', '2028-01-08T23:00:00Z'],
  },
  {
    name: 'FN SAT 23:00 over New Year (start Mon 20 Dec → anchor Sat 25 Dec)',
    zone: UTC,
    fields: ['FN', 'SAT', '23', '00', '2027-12-20'],
    from: '2027-12-20T00:00:00Z',
    expected: ['2027-12-25T23:00:00Z', '2028-01-08T23:00:00Z', '2028-01-22T23:00:00Z'],
  },
  {
    // Anchor Wed 6 Jan 2027. 1 Jan 2028 is 360 days later → next multiple of 14 is 364 → Wed 5 Jan 2028.
    name: 'FN WED a year after its anchor',
    zone: UTC,
    fields: ['FN', 'WED', '12', '00', '2027-01-06'],
    from: '2028-01-01T00:00:00Z',
    expected: ['2028-01-05T12:00:00Z', '2028-01-19T12:00:00Z'],
  },
];

describe('occurrences: hand-checked table', () => {
  for (const c of sequences) {
    test(`${c.zone} ${label(c.fields)}: ${c.name}`, () => {
      const r = rule(c.zone, c.fields);
      const iterator = occurrences(r, instant(c.from));
      const actual: string[] = [];
      for (const occurrence of iterator) {
        assert.equal(occurrence.zoneName, c.zone, 'occurrences are returned in the rule zone');
        actual.push(iso(occurrence) ?? '');
        if (actual.length === c.expected.length) break;
      }
      assert.deepEqual(actual, c.expected);
      if (c.ends) {
        const last = instant(c.expected[c.expected.length - 1] ?? c.from);
        assert.equal(nextOccurrence(r, last), null, 'nothing after the end date');
      }
    });
  }
});

interface QueryCase {
  name: string;
  zone: string;
  fields: Fields;
  query: 'atOrAfter' | 'next';
  at: string;
  expected: string | null;
}

const queries: QueryCase[] = [
  {
    name: 'an instant on an occurrence is that occurrence',
    zone: LON,
    fields: ['DL', null, '09', '00', '2027-01-01'],
    query: 'atOrAfter',
    at: '2027-01-01T09:00:00+00:00',
    expected: '2027-01-01T09:00:00+00:00',
  },
  {
    name: 'next after an occurrence is the following one',
    zone: LON,
    fields: ['DL', null, '09', '00', '2027-01-01'],
    query: 'next',
    at: '2027-01-01T09:00:00+00:00',
    expected: '2027-01-02T09:00:00+00:00',
  },
  {
    name: 'next after the last occurrence of the end date is null',
    zone: LON,
    fields: ['DL', null, '09', '00', '2027-01-01', '2027-01-03'],
    query: 'next',
    at: '2027-01-03T09:00:00+00:00',
    expected: null,
  },
  {
    name: 'an instant long before the start gives the first occurrence after the start',
    zone: LON,
    fields: ['ID', null, null, '10', '2027-05-01'],
    query: 'atOrAfter',
    at: '2020-01-01T00:00:00Z',
    expected: '2027-05-01T00:10:00+01:00',
  },
  {
    name: 'an interval schedule first fires at its start',
    zone: KOL,
    fields: ['ID', null, '-1', '25', '2027-05-01'],
    query: 'atOrAfter',
    at: '2000-01-01T00:00:00Z',
    expected: '2027-05-01T00:00:00+05:30',
  },
  {
    // 03:31Z is 09:01 in Kolkata: today's 09:00 has just passed.
    name: 'an instant given in another zone is compared as an instant',
    zone: KOL,
    fields: ['DL', null, '09', '00', '2027-01-01'],
    query: 'atOrAfter',
    at: '2027-01-01T03:31:00Z',
    expected: '2027-01-02T09:00:00+05:30',
  },
  {
    name: 'next after the first 01:30 on fall-back day is the second (hourly)',
    zone: LON,
    fields: ['ID', null, null, '30', '2027-01-01'],
    query: 'next',
    at: '2027-10-31T01:30:00+01:00',
    expected: '2027-10-31T01:30:00+00:00',
  },
  {
    name: 'the gap occurrence itself is found at its instant',
    zone: NYC,
    fields: ['DL', null, '02', '30', '2027-01-01'],
    query: 'atOrAfter',
    at: '2027-03-14T03:00:00-04:00',
    expected: '2027-03-14T03:00:00-04:00',
  },
  {
    name: 'next after the gap occurrence is the next day',
    zone: NYC,
    fields: ['DL', null, '02', '30', '2027-01-01'],
    query: 'next',
    at: '2027-03-14T03:00:00-04:00',
    expected: '2027-03-15T02:30:00-04:00',
  },
  {
    // The second 01:30 (EST) is not an occurrence of a daily schedule: it already ran at 01:30 EDT.
    name: 'daily: the repeated 01:30 does not run again',
    zone: NYC,
    fields: ['DL', null, '01', '30', '2027-01-01'],
    query: 'atOrAfter',
    at: '2027-11-07T01:30:00-05:00',
    expected: '2027-11-08T01:30:00-05:00',
  },
  {
    name: 'past the end date there is nothing',
    zone: KOL,
    fields: ['MN', '31', '23', '30', '2027-01-01', '2027-03-30'],
    query: 'atOrAfter',
    at: '2027-03-01T00:00:00+05:30',
    expected: null,
  },
  {
    name: 'next strictly after a millisecond before an occurrence is that occurrence',
    zone: SYD,
    fields: ['WK', 'SUN', '02', '00', '2027-09-01'],
    query: 'next',
    at: '2027-10-03T02:59:59.999+11:00',
    expected: '2027-10-03T03:00:00+11:00',
  },
];

describe('occurrenceAtOrAfter / nextOccurrence: hand-checked table', () => {
  for (const q of queries) {
    test(`${q.zone} ${label(q.fields)} ${q.query} ${q.at}: ${q.name}`, () => {
      const r = rule(q.zone, q.fields);
      const found = q.query === 'next' ? nextOccurrence(r, instant(q.at)) : occurrenceAtOrAfter(r, instant(q.at));
      assert.equal(iso(found), q.expected);
      if (found !== null) assert.equal(found.zoneName, q.zone);
    });
  }
});

describe('occurrences: behaviour', () => {
  test('the iterator is lazy and endless without an end date', () => {
    const r = rule(UTC, ['YR', '1', '00', '00', '2027-01-01']);
    let count = 0;
    for (const occurrence of occurrences(r, r.start)) {
      count += 1;
      if (count === 500) {
        assert.equal(iso(occurrence), '2526-01-01T00:00:00Z');
        break;
      }
    }
    assert.equal(count, 500);
  });

  test('10,000 hourly occurrences are produced quickly', () => {
    const r = rule(LON, ['ID', null, null, '07', '2027-01-01']);
    const started = performance.now();
    let last: DateTime | null = null;
    let count = 0;
    for (const occurrence of occurrences(r, r.start)) {
      last = occurrence;
      if (++count === 10_000) break;
    }
    const elapsed = performance.now() - started;
    // London's offsets are whole hours, so every real hour has exactly one instant at local :07
    // (the DST changes only relabel them): the 10,000th is 9,999 h after 2027-01-01T00:07Z,
    // i.e. 416 d 15 h later = 2028-02-21T15:07Z, which is GMT.
    assert.equal(iso(last), '2028-02-21T15:07:00+00:00');
    assert.ok(elapsed < 2_000, `took ${elapsed.toFixed(0)} ms`);
  });

  test('10,000 interval occurrences are produced quickly', () => {
    const r = rule(SYD, ['ID', null, '-1', '1', '2027-04-04']);
    const started = performance.now();
    let last: DateTime | null = null;
    let count = 0;
    for (const occurrence of occurrences(r, r.start)) {
      last = occurrence;
      if (++count === 10_000) break;
    }
    // Start 4 Apr 00:00 AEDT = 3 Apr 13:00Z; + 9,999 min = 6 d 22 h 39 min → 10 Apr 11:39Z = 21:39 AEST.
    assert.equal(iso(last), '2027-04-10T21:39:00+10:00');
    assert.ok(performance.now() - started < 2_000);
  });

  test('an invalid DateTime is refused', () => {
    const r = rule(UTC, ['DL', null, '00', '00', '2027-01-01']);
    assert.throws(() => occurrenceAtOrAfter(r, DateTime.invalid('test')), RangeError);
  });
});
