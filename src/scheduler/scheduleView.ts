import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ScheduleFields } from '../schedule/index.js';
import { frequencyText } from './scheduleFields.js';

/** A MAPREF's current schedule as dwprc shows it. */
export interface ScheduleView extends ScheduleFields {
  mapref: string;
  jobschid: number;
  /** SCHFLG 'Y'. */
  enabled: boolean;
  /** MAPREF of the parent schedule (DPND_JOBSCHID): the schedule runs after it, not on its own frequency. */
  parent: string | null;
  /** NXT_RUN_DT, the next firing (a real instant; stored in UTC). Null when disabled, a child, or past ENDDT. */
  nxtRunDt: Date | null;
  /** LST_RUN_DT, the last firing (stored in UTC). */
  lstRunDt: Date | null;
}

/** Current DWJOBSCH rows with the parent's MAPREF, ordered by MAPREF. */
export function currentScheduleViews(db: Kysely<Database>) {
  return db
    .selectFrom('dwjobsch as s')
    .leftJoin('dwjobsch as p', 'p.jobschid', 's.dpndJobschid')
    .select([
      's.mapref', 's.jobschid', 's.frqcd', 's.frqdd', 's.frqhh', 's.frqmi', 's.strtdt', 's.enddt',
      's.schflg', 's.nxtRunDt', 's.lstRunDt', 'p.mapref as parentMapref',
    ])
    .where('s.curflg', '=', 'Y')
    .orderBy('s.mapref')
    .orderBy('s.jobschid');
}

type ViewRow = Awaited<ReturnType<ReturnType<typeof currentScheduleViews>['execute']>>[number];

function wallText(date: Date | null): string | null {
  if (!date) return null;
  const text = date.toISOString().slice(0, 19).replace('T', ' ');
  return text.endsWith(' 00:00:00') ? text.slice(0, 10) : text;
}

export function toScheduleView(row: ViewRow): ScheduleView {
  return {
    mapref: row.mapref,
    jobschid: Number(row.jobschid),
    frqcd: row.frqcd,
    frqdd: row.frqdd,
    frqhh: frequencyText(row.frqhh),
    frqmi: frequencyText(row.frqmi),
    strtdt: wallText(row.strtdt),
    enddt: row.enddt ? row.enddt.toISOString().slice(0, 10) : null,
    enabled: row.schflg === 'Y',
    parent: row.parentMapref ?? null,
    nxtRunDt: row.nxtRunDt,
    lstRunDt: row.lstRunDt,
  };
}

/** The fields the frequency engine reads (parseSchedule). */
export function viewFields(view: ScheduleView): ScheduleFields {
  const { mapref, frqcd, frqdd, frqhh, frqmi, strtdt, enddt } = view;
  return { mapref, frqcd, frqdd, frqhh, frqmi, strtdt, enddt };
}
