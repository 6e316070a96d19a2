import type { Dialect } from '../db/dialects/dialect.js';
import type { ExecutionContext } from './execution.js';
import { isoDateIn } from './zoneDay.js';

/** Oracle reports a session zone like `+01:00`; Luxon names fixed offsets `UTC+01:00`. */
function luxonZone(zone: string): string {
  return /^[+-]\d{1,2}:\d{2}$/.test(zone) ? `UTC${zone}` : zone;
}

/** DWPRC_TIMEZONE, else the database session's zone. */
export async function businessZone(context: Pick<ExecutionContext, 'config' | 'dialect'>): Promise<string> {
  return context.config.timeZone ?? luxonZone(await context.dialect.sessionTimeZone());
}

/** Today in the business zone by the database clock (replica clocks never matter), as an ISO date. */
export async function businessToday(dialect: Dialect, zone: string): Promise<string> {
  return isoDateIn(await dialect.selectValue(dialect.utcNow()), zone);
}
