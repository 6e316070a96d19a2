import type { Dialect } from '../db/dialects/dialect.js';
import { changeSchedule } from './changeSchedule.js';

/**
 * Enables (SCHFLG 'Y') or disables (SCHFLG 'N') the current schedule of a MAPREF through the
 * package (ENABLE_DISABLE_SCHEDULE). Enabling computes NXT_RUN_DT from now on; a disabled
 * schedule has none. An unknown MAPREF is refused.
 */
export async function setScheduleEnabled(dialect: Dialect, mapref: string, enabled: boolean, zone: string): Promise<void> {
  await changeSchedule(dialect, zone, mapref, 'enable_disable_schedule', [mapref, enabled ? 'E' : 'D']);
}
