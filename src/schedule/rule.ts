import type { DateTime } from 'luxon';

/** DWJOBSCH.FRQCD values (COMPAT.md, "Frequencies: stored values and validation"). */
export type FrequencyCode = 'DL' | 'WK' | 'FN' | 'MN' | 'HY' | 'YR' | 'ID';

export const FREQUENCY_CODES: readonly FrequencyCode[] = ['ID', 'DL', 'WK', 'FN', 'MN', 'HY', 'YR'];

/** Luxon numbering, so a rule's weekday compares directly with `DateTime#weekday`: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

interface RuleBase {
  /**
   * STRTDT as a real instant, resolved from its wall-clock time in `zone` (normally local midnight).
   * No occurrence is ever earlier. Its local date anchors FN, and its month anchors HY/YR.
   */
  readonly start: DateTime;
  /** ENDDT as a local date 'YYYY-MM-DD' in `zone`, inclusive; null = no end. */
  readonly endDate: string | null;
  /** IANA name of the business time zone all wall-clock fields are read in. */
  readonly zone: string;
}

/** DL: every day at hour:minute. */
export interface DailyRule extends RuleBase {
  readonly code: 'DL';
  readonly hour: number;
  readonly minute: number;
}

/** WK: every week on `weekday`; FN: every 14 days on `weekday`, anchored on the first such day at or after STRTDT's date. */
export interface WeekdayRule extends RuleBase {
  readonly code: 'WK' | 'FN';
  readonly weekday: Weekday;
  readonly hour: number;
  readonly minute: number;
}

/**
 * MN every month, HY every 6 months from STRTDT's month, YR every year in STRTDT's month,
 * on `dayOfMonth` (1..31) — clamped to the month's last day when the month is shorter.
 */
export interface DayOfMonthRule extends RuleBase {
  readonly code: 'MN' | 'HY' | 'YR';
  readonly dayOfMonth: number;
  readonly hour: number;
  readonly minute: number;
}

/** ID: every hour at `minute` past the (local) hour; FRQHH is ignored, as in the original. */
export interface HourlyRule extends RuleBase {
  readonly code: 'ID';
  readonly minute: number;
  readonly everyMinutes: null;
}

/** ID with FRQHH '-1' (extension): every `everyMinutes` (1..59) real minutes counted from `start`. */
export interface IntervalRule extends RuleBase {
  readonly code: 'ID';
  readonly everyMinutes: number;
}

export type IntradayRule = HourlyRule | IntervalRule;

/** A validated DWJOBSCH frequency; build it with `parseSchedule`. */
export type FrequencyRule = DailyRule | WeekdayRule | DayOfMonthRule | IntradayRule;
