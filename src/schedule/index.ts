// Public API of the pure frequency engine: validation of DWJOBSCH fields and occurrence computation.
export type {
  DailyRule,
  DayOfMonthRule,
  FrequencyCode,
  FrequencyRule,
  HourlyRule,
  IntervalRule,
  IntradayRule,
  Weekday,
  WeekdayRule,
} from './rule.js';
export { FREQUENCY_CODES } from './rule.js';
export type { ParseScheduleOptions, ParseScheduleResult, ScheduleFields } from './validate.js';
export { parseSchedule, SCHEDULE_MESSAGES } from './validate.js';
export { nextOccurrence, occurrenceAtOrAfter, occurrences } from './occurrences.js';
export { describeFrequency } from './describeFrequency.js';
