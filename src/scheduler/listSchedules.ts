import type { Dialect } from '../db/dialects/dialect.js';
import { currentScheduleViews, toScheduleView, type ScheduleView } from './scheduleView.js';

export interface ScheduleList {
  /** The business zone: STRTDT/ENDDT and the FRQ fields are wall-clock times there. */
  zone: string;
  schedules: ScheduleView[];
}

/** Every MAPREF's current schedule. */
export async function listSchedules(dialect: Dialect, zone: string): Promise<ScheduleList> {
  const rows = await currentScheduleViews(dialect.db).execute();
  return { zone, schedules: rows.map(toScheduleView) };
}
