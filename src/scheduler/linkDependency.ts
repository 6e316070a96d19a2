import type { Dialect } from '../db/dialects/dialect.js';
import { changeSchedule } from './changeSchedule.js';

/**
 * Makes `child` run after each successful run of `parent` instead of on its own frequency, or,
 * with a null parent, on its own frequency again (CREATE_JOB_DEPENDENCY). Both need current
 * schedules; self-links and cycles are refused by the package.
 */
export async function linkDependency(dialect: Dialect, child: string, parent: string | null, zone: string): Promise<void> {
  await changeSchedule(dialect, zone, child, 'create_job_dependency', [parent, child]);
}
