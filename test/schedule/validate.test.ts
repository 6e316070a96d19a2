import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule, type ScheduleFields } from '../../src/schedule/index.js';

// The exact texts of COMPAT.md, written out again here on purpose: a change to the constants in
// validate.ts must fail these tests, because the UI shows these strings.
const M = {
  mapref: 'Mapping reference must be provided.',
  code: 'Invalid frequency code (Valid: ID,DL,WK,FN,MN,HY,YR).',
  weekday:
    'Invalid Frequency Day. For Weekly/Fortnightly frequency, frequency day can be any one of "MON,TUE,WED,THU,FRI,SAT,SUN".',
  day: 'Invalid frequency day (Valid: 1 .. 31).',
  hour: 'Invalid frequency hour (valid: 0 .. 23).',
  minute: 'Invalid frequency minute (valid: 0 .. 59).',
  startMissing: 'Schedule start date must be provided.',
  startPast: 'Schedule start date must not be in past.',
  startAfterEnd: 'Schedule start date must be before schedule end date.',
};

const ZONE = 'Europe/London';

function fields(overrides: Partial<ScheduleFields> = {}): ScheduleFields {
  return {
    mapref: 'DW_SALES',
    frqcd: 'DL',
    frqdd: null,
    frqhh: '05',
    frqmi: '30',
    strtdt: '2027-01-01',
    enddt: null,
    ...overrides,
  };
}

function messageOf(overrides: Partial<ScheduleFields>, today?: string): string | null {
  const result = parseSchedule(fields(overrides), today === undefined ? { zone: ZONE } : { zone: ZONE, today });
  return result.ok ? null : result.message;
}

function ruleOf(overrides: Partial<ScheduleFields>, zone = ZONE) {
  const result = parseSchedule(fields(overrides), { zone });
  if (!result.ok) assert.fail(`expected a valid schedule, got: ${result.message}`);
  return result.rule;
}

describe('parseSchedule: each message of COMPAT.md', () => {
  test('1. mapping reference missing, null or blank', () => {
    assert.equal(messageOf({ mapref: null }), M.mapref);
    assert.equal(messageOf({ mapref: '' }), M.mapref);
    assert.equal(messageOf({ mapref: '   ' }), M.mapref);
  });

  test('2. frequency code unknown or missing', () => {
    for (const frqcd of [null, '', 'XX', 'DAILY', 'D', 'W K', 'QT']) {
      assert.equal(messageOf({ frqcd }), M.code, `frqcd=${String(frqcd)}`);
    }
  });

  test('3. WK/FN weekday unknown or missing', () => {
    for (const frqcd of ['WK', 'FN']) {
      for (const frqdd of [null, '', '  ', 'MONDAY', 'MO', '1', 'XYZ']) {
        assert.equal(messageOf({ frqcd, frqdd }), M.weekday, `${frqcd} frqdd=${String(frqdd)}`);
      }
    }
  });

  test('4. MN/HY/YR day out of range, non-numeric or missing', () => {
    for (const frqcd of ['MN', 'HY', 'YR']) {
      for (const frqdd of [null, '', '0', '00', '32', '-1', 'MON', '1.5', '+5', 'x1']) {
        assert.equal(messageOf({ frqcd, frqdd }), M.day, `${frqcd} frqdd=${String(frqdd)}`);
      }
    }
  });

  test('5. hour out of range, non-numeric or missing', () => {
    for (const frqhh of [null, '', '24', '99', '-1', 'ab', '1a', '+1', '2.5']) {
      assert.equal(messageOf({ frqhh }), M.hour, `frqhh=${String(frqhh)}`);
    }
  });

  test('6. minute out of range, non-numeric or missing', () => {
    for (const frqmi of [null, '', '60', '99', '-1', 'ab', '5x']) {
      assert.equal(messageOf({ frqmi }), M.minute, `frqmi=${String(frqmi)}`);
    }
  });

  test('7. start date missing or blank', () => {
    assert.equal(messageOf({ strtdt: null }), M.startMissing);
    assert.equal(messageOf({ strtdt: '  ' }), M.startMissing);
  });

  test('8. start date in the past (only when today is given); today itself is allowed', () => {
    assert.equal(messageOf({ strtdt: '2027-01-09' }, '2027-01-10'), M.startPast);
    assert.equal(messageOf({ strtdt: '2027-01-10' }, '2027-01-10'), null);
    assert.equal(messageOf({ strtdt: '2027-01-10T00:00' }, '2027-01-10'), null, 'a time earlier today is still today');
    assert.equal(messageOf({ strtdt: '2027-01-11' }, '2027-01-10'), null);
    assert.equal(messageOf({ strtdt: '2020-01-01' }), null, 'without today the check is not made');
  });

  test('9. start date not before end date', () => {
    assert.equal(messageOf({ strtdt: '2027-01-10', enddt: '2027-01-09' }), M.startAfterEnd);
    assert.equal(messageOf({ strtdt: '2027-01-10', enddt: '2027-01-10' }), M.startAfterEnd, 'equal is not "before"');
    assert.equal(messageOf({ strtdt: '2027-01-10T08:00', enddt: '2027-01-10' }), M.startAfterEnd);
    assert.equal(messageOf({ strtdt: '2027-01-10', enddt: '2027-01-11' }), null);
    assert.equal(messageOf({ strtdt: '2027-01-10', enddt: '  ' }), null, 'a blank end date means no end');
  });
});

describe('parseSchedule: first failure wins, in COMPAT.md order', () => {
  const allBad: ScheduleFields = {
    mapref: null,
    frqcd: 'XX',
    frqdd: 'ZZZ',
    frqhh: '99',
    frqmi: '99',
    strtdt: '2000-01-02',
    enddt: '2000-01-01',
  };
  // Fixing one field at a time, front to back, must reveal the next message in order.
  const steps: [Partial<ScheduleFields>, string][] = [
    [{}, M.mapref],
    [{ mapref: 'DW_X' }, M.code],
    [{ mapref: 'DW_X', frqcd: 'WK' }, M.weekday],
    [{ mapref: 'DW_X', frqcd: 'MN' }, M.day],
    [{ mapref: 'DW_X', frqcd: 'MN', frqdd: '5' }, M.hour],
    [{ mapref: 'DW_X', frqcd: 'WK', frqdd: 'MON' }, M.hour],
    [{ mapref: 'DW_X', frqcd: 'DL', frqhh: '7' }, M.minute],
    [{ mapref: 'DW_X', frqcd: 'DL', frqhh: '7', frqmi: '0', strtdt: null }, M.startMissing],
    [{ mapref: 'DW_X', frqcd: 'DL', frqhh: '7', frqmi: '0' }, M.startPast],
    [{ mapref: 'DW_X', frqcd: 'DL', frqhh: '7', frqmi: '0', strtdt: '2027-01-02' }, M.startAfterEnd],
  ];
  for (const [fix, expected] of steps) {
    test(`${JSON.stringify(fix)} → ${expected}`, () => {
      const result = parseSchedule({ ...allBad, ...fix }, { zone: ZONE, today: '2027-01-01' });
      assert.deepEqual(result, { ok: false, message: expected });
    });
  }

  test('bad code and bad hour → the code message', () => {
    assert.equal(messageOf({ frqcd: 'ZZ', frqhh: '77' }), M.code);
  });

  test('bad day and bad minute → the day message', () => {
    assert.equal(messageOf({ frqcd: 'YR', frqdd: '40', frqmi: '77' }), M.day);
  });

  test('bad minute and missing start → the minute message', () => {
    assert.equal(messageOf({ frqmi: '60', strtdt: null }), M.minute);
  });

  test('start in the past and start after end → the past message', () => {
    assert.equal(messageOf({ strtdt: '2027-01-05', enddt: '2027-01-01' }, '2027-01-06'), M.startPast);
  });
});

describe('parseSchedule: accepted values', () => {
  test('leading zeros for day, hour and minute', () => {
    const rule = ruleOf({ frqcd: 'MN', frqdd: '05', frqhh: '07', frqmi: '09' });
    assert.equal(rule.code, 'MN');
    if (rule.code !== 'MN') return;
    assert.deepEqual([rule.dayOfMonth, rule.hour, rule.minute], [5, 7, 9]);
    const zeros = ruleOf({ frqcd: 'YR', frqdd: '031', frqhh: '00', frqmi: '00' });
    assert.ok(zeros.code === 'YR' && zeros.dayOfMonth === 31 && zeros.hour === 0 && zeros.minute === 0);
  });

  test('boundaries 0/23/59 and 1/31 are accepted', () => {
    for (const [frqdd, frqhh, frqmi] of [
      ['1', '0', '0'],
      ['31', '23', '59'],
    ] as const) {
      assert.equal(messageOf({ frqcd: 'MN', frqdd, frqhh, frqmi }), null);
    }
  });

  test('codes and weekdays are trimmed and case-insensitive', () => {
    const wk = ruleOf({ frqcd: ' wk ', frqdd: ' mon ', frqhh: ' 5 ', frqmi: ' 30 ' });
    assert.ok(wk.code === 'WK' && wk.weekday === 1 && wk.hour === 5 && wk.minute === 30);
    const fn = ruleOf({ frqcd: 'Fn', frqdd: 'sUn' });
    assert.ok(fn.code === 'FN' && fn.weekday === 7);
    assert.equal(ruleOf({ frqcd: 'dl' }).code, 'DL');
    assert.equal(ruleOf({ frqcd: 'id', frqhh: null }).code, 'ID');
  });

  test('every weekday maps to Luxon numbering (MON=1 … SUN=7)', () => {
    ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'].forEach((frqdd, index) => {
      const rule = ruleOf({ frqcd: 'WK', frqdd });
      assert.ok(rule.code === 'WK' && rule.weekday === index + 1, frqdd);
    });
  });

  test('DL and ID ignore FRQDD whatever it holds', () => {
    assert.equal(messageOf({ frqcd: 'DL', frqdd: 'garbage' }), null);
    assert.equal(messageOf({ frqcd: 'ID', frqdd: '99', frqhh: null }), null);
  });

  test('ID: hour missing or 0..23 → hourly at MI (hour ignored)', () => {
    for (const frqhh of [null, '', '0', '05', '23']) {
      const rule = ruleOf({ frqcd: 'ID', frqhh, frqmi: '15' });
      assert.ok(rule.code === 'ID' && rule.everyMinutes === null && rule.minute === 15, `frqhh=${String(frqhh)}`);
    }
    assert.equal(messageOf({ frqcd: 'ID', frqhh: null, frqmi: '0' }), null, 'minute 0 is fine for hourly');
  });

  test('ID: a stored hour that is not 0..23 nor -1 is still refused', () => {
    for (const frqhh of ['24', '-2', 'x']) assert.equal(messageOf({ frqcd: 'ID', frqhh }), M.hour, `frqhh=${frqhh}`);
  });

  test('ID with FRQHH -1: every MI minutes, MI 1..59', () => {
    const rule = ruleOf({ frqcd: 'ID', frqhh: ' -1 ', frqmi: '05' });
    assert.ok(rule.code === 'ID' && rule.everyMinutes === 5);
    assert.equal(messageOf({ frqcd: 'ID', frqhh: '-1', frqmi: '59' }), null);
    for (const frqmi of ['0', '00', '60', null, 'x']) {
      assert.equal(messageOf({ frqcd: 'ID', frqhh: '-1', frqmi }), M.minute, `frqmi=${String(frqmi)}`);
    }
  });

  test('ID: minute is required', () => {
    assert.equal(messageOf({ frqcd: 'ID', frqhh: null, frqmi: null }), M.minute);
  });

  test('WK with a missing day is refused, DL with a missing day is not', () => {
    assert.equal(messageOf({ frqcd: 'WK', frqdd: null }), M.weekday);
    assert.equal(messageOf({ frqcd: 'DL', frqdd: null }), null);
  });
});

describe('parseSchedule: dates and zone', () => {
  test('start is the wall-clock time in the business zone', () => {
    assert.equal(ruleOf({ strtdt: '2027-07-01' }).start.toISO(), '2027-07-01T00:00:00.000+01:00');
    assert.equal(ruleOf({ strtdt: '2027-07-01T06:45' }, 'Asia/Kolkata').start.toISO(), '2027-07-01T06:45:00.000+05:30');
    assert.equal(ruleOf({ strtdt: '2027-07-01 06:45:10' }, 'America/New_York').start.toISO(), '2027-07-01T06:45:10.000-04:00');
    assert.equal(ruleOf({ strtdt: '2027-07-01' }, 'UTC').start.toISO(), '2027-07-01T00:00:00.000Z');
  });

  test('a start in a DST gap moves to the end of the gap; an ambiguous start takes the first instance', () => {
    // New York 2027-03-14: 02:00 EST jumps to 03:00 EDT, so 02:30 does not exist.
    assert.equal(ruleOf({ strtdt: '2027-03-14T02:30' }, 'America/New_York').start.toISO(), '2027-03-14T03:00:00.000-04:00');
    // London 2027-10-31: 01:00–02:00 happens twice (BST, then GMT); the first is +01:00.
    assert.equal(ruleOf({ strtdt: '2027-10-31T01:30' }).start.toISO(), '2027-10-31T01:30:00.000+01:00');
  });

  test('zone and endDate are carried on the rule', () => {
    const rule = ruleOf({ strtdt: '2027-01-01', enddt: ' 2027-02-03 ' }, 'Australia/Sydney');
    assert.equal(rule.zone, 'Australia/Sydney');
    assert.equal(rule.endDate, '2027-02-03');
    assert.equal(rule.start.zoneName, 'Australia/Sydney');
    assert.equal(ruleOf({ enddt: null }).endDate, null);
  });

  test('malformed or impossible dates get a clear message', () => {
    assert.match(messageOf({ strtdt: '2027-02-30' }) ?? '', /Invalid schedule start date/);
    assert.match(messageOf({ strtdt: '01-02-2027' }) ?? '', /Invalid schedule start date/);
    assert.match(messageOf({ strtdt: '2027-01-01T24:00' }) ?? '', /Invalid schedule start date/);
    assert.match(messageOf({ enddt: '2027-13-01' }) ?? '', /Invalid schedule end date/);
  });

  test('an unknown zone or a malformed today is a programming error, not a validation message', () => {
    assert.throws(() => parseSchedule(fields(), { zone: 'Mars/Olympus' }), RangeError);
    assert.throws(() => parseSchedule(fields(), { zone: ZONE, today: '10/01/2027' }), RangeError);
  });
});
