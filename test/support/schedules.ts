import type { Dialect } from '../../src/db/dialects/dialect.js';

export interface ScheduleSpec {
  mapref: string;
  frqcd: string;
  frqdd?: string | null;
  frqhh?: string | null;
  frqmi?: string | null;
  /** 'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' wall time. */
  strtdt: string;
  enddt?: string | null;
  schflg?: 'Y' | 'N';
  parent?: number | null;
}

const wall = (text: string) => new Date(`${text.length === 10 ? `${text}T00:00:00` : text.replace(' ', 'T')}Z`);

/** Inserts a current DWJOBSCH row the way the UI's INSERT does (no NXT_RUN_DT); returns JOBSCHID. */
export async function insertSchedule(dialect: Dialect, s: ScheduleSpec): Promise<number> {
  const jobschid = Number(await dialect.selectValue(dialect.nextValue('dwjobschseq')));
  await dialect.db
    .insertInto('dwjobsch')
    .values({
      jobschid, jobflwid: null, mapref: s.mapref, frqcd: s.frqcd, frqdd: s.frqdd ?? null, frqhh: s.frqhh ?? null,
      frqmi: s.frqmi ?? null, strtdt: wall(s.strtdt), enddt: s.enddt ? wall(s.enddt) : null, stflg: 'A', curflg: 'Y',
      dpndJobschid: s.parent ?? null, reccrdt: dialect.localNow(), recupdt: dialect.localNow(), schflg: s.schflg ?? 'Y',
      nxtRunDt: null, lstRunDt: null, nxtRunSig: null,
    })
    .execute();
  return jobschid;
}

export async function scheduleRow(dialect: Dialect, jobschid: number) {
  return dialect.db.selectFrom('dwjobsch').selectAll().where('jobschid', '=', jobschid).executeTakeFirstOrThrow();
}
