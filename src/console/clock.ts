import { DateTime } from 'luxon';

/**
 * The two zones the console converts between: DWPRCLOG and DWPRCREQ hold wall times of the
 * database's own clock (its session zone), schedules and the timeline's day are in the business
 * zone (DWPRC_TIMEZONE, by default the same one).
 */
export interface ConsoleClock {
  businessZone: string;
  databaseZone: string;
}

/** A stored wall time (a Date carrying the wall fields in UTC) as the instant it names. */
export function wallToInstant(clock: ConsoleClock, wall: Date): DateTime {
  return DateTime.fromISO(wall.toISOString().slice(0, 23), { zone: clock.databaseZone });
}

/** `YYYY-MM-DD HH:MM:SS` text as `logs` prints it, as the instant it names. */
export function wallTextToInstant(clock: ConsoleClock, text: string): DateTime {
  return DateTime.fromSQL(text, { zone: clock.databaseZone });
}

/** An instant as the wall time the database would store for it (to compare with DWPRCLOG columns). */
export function instantToWall(clock: ConsoleClock, instant: DateTime): Date {
  return new Date(`${instant.setZone(clock.databaseZone).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS")}Z`);
}

/** The business day `day` (YYYY-MM-DD), or today's when absent or malformed: its first instant and the next day's. */
export function businessDay(clock: ConsoleClock, day: string | undefined, now: DateTime): { day: string; start: DateTime; end: DateTime } {
  const parsed = day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? DateTime.fromISO(day, { zone: clock.businessZone }) : null;
  const start = (parsed?.isValid ? parsed : now.setZone(clock.businessZone)).startOf('day');
  return { day: start.toISODate()!, start, end: start.plus({ days: 1 }) };
}

/** An instant in the business zone for a page: `2026-12-04 21:40:05`. */
export function businessText(clock: ConsoleClock, instant: DateTime | Date | null): string {
  if (!instant) return '';
  const dt = instant instanceof Date ? DateTime.fromJSDate(instant) : instant;
  return dt.setZone(clock.businessZone).toFormat('yyyy-MM-dd HH:mm:ss');
}
