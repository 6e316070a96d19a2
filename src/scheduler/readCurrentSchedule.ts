import type { Dialect } from '../db/dialects/dialect.js';
import { currentScheduleViews, toScheduleView, type ScheduleView } from './scheduleView.js';

/** The current schedule of a MAPREF, or null when it has none (the newest, should there be several). */
export async function readCurrentSchedule(dialect: Dialect, mapref: string): Promise<ScheduleView | null> {
  const rows = await currentScheduleViews(dialect.db).where('s.mapref', '=', mapref).execute();
  const row = rows.at(-1);
  return row ? toScheduleView(row) : null;
}
