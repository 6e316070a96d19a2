import { DateTime } from 'luxon';

/**
 * History days: ISO dates (`2027-03-05`) inside dwprc, `DD-Mon-YYYY` with an English month
 * abbreviation (`05-Mar-2027`) where the DW expects it (PARAM1, DWPARAMS HIST_LOAD).
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

export function toDwDay(isoDay: string): string {
  const [year, month, day] = isoDay.split('-');
  return `${day}-${MONTHS[Number(month) - 1]}-${year}`;
}

/** `05-Mar-2027` (any letter case, one- or two-digit day) → `2027-03-05`; null when not a real date. */
export function fromDwDay(text: string): string | null {
  const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text.trim());
  if (!match) return null;
  const month = MONTHS.findIndex((m) => m.toLowerCase() === match[2]!.toLowerCase()) + 1;
  if (month === 0) return null;
  const date = DateTime.fromObject({ year: Number(match[3]), month, day: Number(match[1]) });
  return date.isValid ? date.toISODate() : null;
}

/** Every calendar day from `from` to `to`, both included (ISO dates). */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = DateTime.fromISO(to, { zone: 'utc' });
  for (let day = DateTime.fromISO(from, { zone: 'utc' }); day <= end; day = day.plus({ days: 1 })) days.push(day.toISODate()!);
  return days;
}

export function previousDay(isoDay: string): string {
  return DateTime.fromISO(isoDay, { zone: 'utc' }).minus({ days: 1 }).toISODate()!;
}
