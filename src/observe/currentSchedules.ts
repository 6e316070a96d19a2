import type { Kysely } from 'kysely';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import type { Check } from './doctor.js';

/** Created by sql/<dialect>/030_dwjobsch_one_current.sql, which skips it over duplicate current rows. */
export const ONE_CURRENT_INDEX = 'dwjobsch_one_current';

const SHOWN = 10;

/** MAPREFs with more than one current DWJOBSCH row: ambiguous for the web UI and the scheduler. */
export function duplicateCurrentSchedules(db: Kysely<Database>) {
  return db
    .selectFrom('dwjobsch')
    .select('mapref')
    .where('curflg', '=', 'Y')
    .groupBy('mapref')
    .having((eb) => eb(eb.fn.countAll(), '>', 1))
    .orderBy('mapref');
}

/** doctor: one current schedule row per MAPREF, and the unique index that keeps it so. */
export async function currentSchedulesCheck(dialect: Dialect): Promise<Check> {
  const name = 'current schedules';
  const script = `sql/${dialect.name}/030_dwjobsch_one_current.sql`;
  const duplicates = (await duplicateCurrentSchedules(dialect.db).execute()).map((r) => r.mapref);
  if (duplicates.length > 0) {
    const list = duplicates.slice(0, SHOWN).join(', ') + (duplicates.length > SHOWN ? ` and ${duplicates.length - SHOWN} more` : '');
    return {
      name,
      status: 'warn',
      detail: `more than one current DWJOBSCH row (CURFLG='Y') for ${list}: keep one per MAPREF (CURFLG='N' on the others), then run ${script} again to add the unique index`,
    };
  }
  if (!(await dialect.indexExists(ONE_CURRENT_INDEX))) {
    return { name, status: 'warn', detail: `unique index DWJOBSCH_ONE_CURRENT is missing, so two first saves of a schedule at the same moment are not caught; run ${script} again to add it` };
  }
  return { name, status: 'ok', detail: 'one per MAPREF (unique index DWJOBSCH_ONE_CURRENT)' };
}
