import type { Kysely } from 'kysely';
import type { DateTime } from 'luxon';
import type { Database } from '../db/schema.js';
import { occurrenceAtOrAfter, parseSchedule, type FrequencyRule } from '../schedule/index.js';
import { scheduleFields, signatureOf, signatureSql, type ScheduleColumns } from './scheduleFields.js';

export const SCHEDULE_COLUMNS = ['jobschid', 'mapref', 'frqcd', 'frqdd', 'frqhh', 'frqmi', 'strtdt', 'enddt', 'nxtRunDt'] as const;

export interface ScheduleRow extends ScheduleColumns {
  jobschid: number;
}

/** Current, enabled schedules that fire on their own frequency (not dependency children). */
export function ownSchedules(db: Kysely<Database>) {
  return db
    .selectFrom('dwjobsch')
    .where('curflg', '=', 'Y')
    .where('schflg', '=', 'Y')
    .where('dpndJobschid', 'is', null);
}

/** Own schedules whose NXT_RUN_DT is missing or was computed from other fields (NXT_RUN_SIG). */
export function schedulesToInitialise(db: Kysely<Database>, zone: string) {
  const sig = signatureSql(zone);
  return ownSchedules(db)
    .select(SCHEDULE_COLUMNS)
    .where((eb) => eb.or([eb('nxtRunSig', 'is', null), eb('nxtRunSig', '<>', sig)]));
}

/** The row's rule, or the first rule it breaks (a row written by hand may break any). */
export function parseRule(row: ScheduleColumns, zone: string): FrequencyRule | string {
  const parsed = parseSchedule(scheduleFields(row), { zone });
  return parsed.ok ? parsed.rule : parsed.message;
}

export interface Initialised {
  /** The first occurrence at or after `now`; null when the rule has none left or is invalid. */
  next: DateTime | null;
  /** Why the row will not fire, when its fields break a rule. */
  invalid: string | null;
}

/**
 * Writes a schedule's first occurrence at or after `now` (never before STRTDT) as NXT_RUN_DT,
 * with the signature of the fields it came from, without firing. An invalid row gets no next run;
 * its signature is stored all the same, so it is not re-read every tick. The scheduler tick does
 * this for every row of `schedulesToInitialise`; the schedule operations for the row they changed.
 */
export async function initialiseSchedule(db: Kysely<Database>, row: ScheduleRow, zone: string, now: DateTime): Promise<Initialised> {
  const rule = parseRule(row, zone);
  const next = typeof rule === 'string' ? null : occurrenceAtOrAfter(rule, now);
  await writeNextRunStatement(db, row, zone, next).execute();
  return { next, invalid: typeof rule === 'string' ? rule : null };
}

/** NXT_RUN_DT with its signature, unless another replica initialised the row meanwhile (exported to pin its Oracle SQL). */
export function writeNextRunStatement(db: Kysely<Database>, row: ScheduleRow, zone: string, next: DateTime | null) {
  const sig = signatureSql(zone);
  return db
    .updateTable('dwjobsch')
    .set({ nxtRunDt: next ? next.toJSDate() : null, nxtRunSig: signatureOf(row, zone) })
    .where('jobschid', '=', row.jobschid)
    .where((eb) => eb.or([eb('nxtRunSig', 'is', null), eb('nxtRunSig', '<>', sig)]));
}
