// Civil (zone-less) calendar arithmetic on day numbers. The recurrence rules step through local
// dates millions of times in a long iteration; plain integers avoid building a Luxon object per step.

export const MS_PER_MINUTE = 60_000;
export const MS_PER_DAY = 86_400_000;

export interface CivilDate {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
}

/** Euclidean modulo: the result has the sign of `n`, so negative day/month differences work. */
export function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** Days since 1970-01-01 (the proleptic Gregorian calendar). */
export function dayNumber(date: CivilDate): number {
  return Math.floor(Date.UTC(date.year, date.month - 1, date.day) / MS_PER_DAY);
}

export function civilDate(day: number): CivilDate {
  const d = new Date(day * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** ISO weekday of a day number, 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOf(day: number): number {
  return mod(day + 3, 7) + 1;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Months since January of year 0, so "every N months" is plain modular arithmetic. */
export function monthIndex(year: number, month: number): number {
  return year * 12 + (month - 1);
}

export function monthOfIndex(index: number): { year: number; month: number } {
  return { year: Math.floor(index / 12), month: mod(index, 12) + 1 };
}

/** Parses a strict 'YYYY-MM-DD' that names a real calendar day, else null. */
export function parseIsoDate(text: string): CivilDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  return checkedDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function checkedDate(year: number, month: number, day: number): CivilDate | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}
