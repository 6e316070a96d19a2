import { DateTime } from 'luxon';
import { checkedDate, dayNumber, MS_PER_DAY, parseIsoDate, type CivilDate } from './calendar.js';
import { FREQUENCY_CODES, type FrequencyCode, type FrequencyRule, type Weekday } from './rule.js';
import { ianaZone, wallClockToInstant } from './wallClock.js';

/** The DWJOBSCH columns that define a schedule, as text the way the UI stores them. */
export interface ScheduleFields {
  mapref: string | null;
  frqcd: string | null;
  frqdd: string | null;
  frqhh: string | null;
  frqmi: string | null;
  /** 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:mm[:ss]' (a space instead of 'T' also works), local wall time. */
  strtdt: string | null;
  /** 'YYYY-MM-DD' (a time part, if any, is ignored: ENDDT is inclusive by day). */
  enddt: string | null;
}

export interface ParseScheduleOptions {
  /** IANA business time zone the wall-clock fields are read in. */
  zone: string;
  /** 'YYYY-MM-DD' in `zone`; when given, a start date before it is refused (rule 8). */
  today?: string;
}

export type ParseScheduleResult = { ok: true; rule: FrequencyRule } | { ok: false; message: string };

// The messages the UI already shows (COMPAT.md); they must not change by a character.
export const SCHEDULE_MESSAGES = {
  maprefMissing: 'Mapping reference must be provided.',
  badCode: 'Invalid frequency code (Valid: ID,DL,WK,FN,MN,HY,YR).',
  badWeekday:
    'Invalid Frequency Day. For Weekly/Fortnightly frequency, frequency day can be any one of "MON,TUE,WED,THU,FRI,SAT,SUN".',
  badDayOfMonth: 'Invalid frequency day (Valid: 1 .. 31).',
  badHour: 'Invalid frequency hour (valid: 0 .. 23).',
  badMinute: 'Invalid frequency minute (valid: 0 .. 59).',
  startMissing: 'Schedule start date must be provided.',
  startInPast: 'Schedule start date must not be in past.',
  startNotBeforeEnd: 'Schedule start date must be before schedule end date.',
  // Not in the original (its columns were DATEs, so it could not receive malformed text).
  startMalformed: 'Invalid schedule start date (expected YYYY-MM-DD or YYYY-MM-DDTHH:mm[:ss]).',
  endMalformed: 'Invalid schedule end date (expected YYYY-MM-DD).',
} as const;

const WEEKDAY_CODES = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

/**
 * Validates DWJOBSCH schedule fields in COMPAT.md's order (first failure wins) and builds the rule.
 * Rule 10 (an active job flow exists) needs the database and is the caller's.
 */
export function parseSchedule(fields: ScheduleFields, opts: ParseScheduleOptions): ParseScheduleResult {
  const zone = ianaZone(opts.zone);
  const fail = (message: string): ParseScheduleResult => ({ ok: false, message });

  if (clean(fields.mapref) === null) return fail(SCHEDULE_MESSAGES.maprefMissing);

  const code = clean(fields.frqcd)?.toUpperCase();
  if (!isFrequencyCode(code)) return fail(SCHEDULE_MESSAGES.badCode);

  let weekday: Weekday | null = null;
  let dayOfMonth: number | null = null;
  if (code === 'WK' || code === 'FN') {
    const index = (WEEKDAY_CODES as readonly string[]).indexOf(clean(fields.frqdd)?.toUpperCase() ?? '');
    if (index < 0) return fail(SCHEDULE_MESSAGES.badWeekday);
    weekday = (index + 1) as Weekday;
  } else if (code === 'MN' || code === 'HY' || code === 'YR') {
    dayOfMonth = boundedInt(fields.frqdd, 1, 31);
    if (dayOfMonth === null) return fail(SCHEDULE_MESSAGES.badDayOfMonth);
  }

  // ID ignores the hour (the original did), but a stored value must still be a valid hour;
  // '-1' is the "every MI minutes" extension and a missing hour just means hourly.
  const hourText = clean(fields.frqhh);
  const interval = code === 'ID' && hourText === '-1';
  const hour = code === 'ID' && (hourText === null || interval) ? 0 : boundedInt(hourText, 0, 23);
  if (hour === null) return fail(SCHEDULE_MESSAGES.badHour);

  const minute = boundedInt(fields.frqmi, interval ? 1 : 0, 59);
  if (minute === null) return fail(SCHEDULE_MESSAGES.badMinute);

  const startText = clean(fields.strtdt);
  if (startText === null) return fail(SCHEDULE_MESSAGES.startMissing);
  const start = parseLocalDateTime(startText);
  if (start === null) return fail(SCHEDULE_MESSAGES.startMalformed);

  if (opts.today !== undefined) {
    const today = parseIsoDate(opts.today);
    if (today === null) throw new RangeError(`parseSchedule: today must be 'YYYY-MM-DD', got '${opts.today}'`);
    if (dayNumber(start.date) < dayNumber(today)) return fail(SCHEDULE_MESSAGES.startInPast);
  }

  let endDate: string | null = null;
  const endText = clean(fields.enddt);
  if (endText !== null) {
    const end = parseLocalDateTime(endText);
    if (end === null) return fail(SCHEDULE_MESSAGES.endMalformed);
    // "before", strictly: a schedule that starts on its own end date is refused, as the UI does.
    if (dayNumber(start.date) >= dayNumber(end.date)) return fail(SCHEDULE_MESSAGES.startNotBeforeEnd);
    endDate = endText.slice(0, 10);
  }

  const startMs = wallClockToInstant(zone, dayNumber(start.date) * MS_PER_DAY + start.msOfDay);
  const base = { start: DateTime.fromMillis(startMs, { zone: opts.zone }), endDate, zone: opts.zone };
  switch (code) {
    case 'DL':
      return { ok: true, rule: { ...base, code, hour, minute } };
    case 'WK':
    case 'FN':
      return { ok: true, rule: { ...base, code, weekday: weekday as Weekday, hour, minute } };
    case 'MN':
    case 'HY':
    case 'YR':
      return { ok: true, rule: { ...base, code, dayOfMonth: dayOfMonth as number, hour, minute } };
    case 'ID':
      return {
        ok: true,
        rule: interval ? { ...base, code, everyMinutes: minute } : { ...base, code, minute, everyMinutes: null },
      };
  }
}

/** Trimmed text, with blank treated as missing (the UI may send '' or spaces for "not set"). */
function clean(text: string | null | undefined): string | null {
  const trimmed = text?.trim();
  return trimmed ? trimmed : null;
}

function isFrequencyCode(text: string | undefined): text is FrequencyCode {
  return (FREQUENCY_CODES as readonly string[]).includes(text ?? '');
}

/** Unsigned decimal digits (leading zeros allowed) within [min, max], else null. */
function boundedInt(text: string | null | undefined, min: number, max: number): number | null {
  const digits = clean(text);
  if (digits === null || !/^\d{1,9}$/.test(digits)) return null;
  const value = Number(digits);
  return value >= min && value <= max ? value : null;
}

function parseLocalDateTime(text: string): { date: CivilDate; msOfDay: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/.exec(text);
  if (!m) return null;
  const date = checkedDate(Number(m[1]), Number(m[2]), Number(m[3]));
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (date === null || hour > 23 || minute > 59 || second > 59) return null;
  const millis = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  return { date, msOfDay: ((hour * 60 + minute) * 60 + second) * 1000 + millis };
}
