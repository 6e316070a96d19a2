import type { Dialect, LegacySchedulerObject } from '../db/dialects/dialect.js';
import { errorMessage } from '../errors.js';
import type { Check } from './doctor.js';

const quoted = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The PL/SQL block that disables them: jobs first, so that none starts a chain being disabled. */
export function disableStatements(objects: readonly LegacySchedulerObject[]): string {
  const order = { JOB: 0, CHAIN: 1, PROGRAM: 2 } as const;
  const sorted = [...objects].sort((a, b) => order[a.type] - order[b.type] || a.name.localeCompare(b.name));
  return ['BEGIN', ...sorted.map((o) => `  DBMS_SCHEDULER.DISABLE(name => ${quoted(`${o.owner}.${o.name}`)}, force => TRUE);`), 'END;', '/'].join('\n');
}

/**
 * doctor: the original package's scheduler still armed. A failure: those jobs fire the old
 * schedules beside dwprc's (and, with PKGDWPRC replaced, fail each time).
 */
export async function legacySchedulerCheck(dialect: Dialect): Promise<Check> {
  const name = 'legacy scheduler';
  let objects: LegacySchedulerObject[];
  try {
    objects = await dialect.legacySchedulerObjects();
  } catch (error) {
    return { name, status: 'warn', detail: `could not read the DBMS_SCHEDULER views: ${errorMessage(error).split('\n')[0]}` };
  }
  if (objects.length === 0) {
    return { name, status: 'ok', detail: 'no enabled DBMS_SCHEDULER job, chain or program of the original package (JOB_<MAPREF>, JOB_CHAIN_*, CHAIN_*, PROGRAM_*)' };
  }
  const listed = objects.map((o) => `${o.type} ${o.owner}.${o.name}`).join(', ');
  return {
    name,
    status: 'fail',
    detail: `${objects.length} DBMS_SCHEDULER object(s) of the original package still enabled: ${listed}; they fire the old schedules beside dwprc: disable them (the statement is below)`,
    fix: disableStatements(objects),
  };
}
