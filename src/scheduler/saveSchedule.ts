import { DateTime } from 'luxon';
import type { Dialect } from '../db/dialects/dialect.js';
import { UserError } from '../errors.js';
import { SCHEDULE_MESSAGES, type ScheduleFields } from '../schedule/index.js';
import { changeSchedule } from './changeSchedule.js';

/** A schedule as the UI enters it: DWJOBSCH's text fields, dates as wall-clock text in the business zone. */
export type ScheduleInput = ScheduleFields & { mapref: string };

const WALL = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$/;

/** Wall-clock text → the Date whose UTC fields are those wall fields (how DATE columns are bound). */
function wallDate(text: string | null, malformed: string): Date | null {
  const trimmed = text?.trim();
  if (!trimmed) return null;
  const parsed = WALL.test(trimmed) ? DateTime.fromISO(trimmed.replace(' ', 'T'), { zone: 'utc' }) : null;
  if (!parsed?.isValid) throw new UserError(malformed);
  return parsed.toJSDate();
}

/**
 * Saves the schedule of a MAPREF through the package (PKGDWPRC.CREATE_JOB_SCHEDULE): unchanged
 * fields keep the current row and its id; a change retires it and inserts a new current row
 * (SCHFLG and parent kept, children re-pointed). Returns the JOBSCHID of the current row, whose
 * NXT_RUN_DT is computed when it is enabled and not a dependency child.
 */
export async function saveSchedule(dialect: Dialect, input: ScheduleInput, zone: string): Promise<number> {
  const strtdt = wallDate(input.strtdt, SCHEDULE_MESSAGES.startMalformed);
  const enddt = wallDate(input.enddt, SCHEDULE_MESSAGES.endMalformed);
  const id = await changeSchedule(dialect, zone, input.mapref, 'create_job_schedule', [
    input.mapref, input.frqcd, input.frqdd, input.frqhh, input.frqmi, strtdt, enddt,
  ]);
  return Number(id);
}
