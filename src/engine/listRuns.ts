import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** One DWPRCLOG row with its DWJOBLOG counts and DWJOBERR errors (joined by PRCID, not JOBID). */
export interface RunListing {
  prcid: number;
  mapref: string | null;
  status: string;
  /** The database's local wall time, as stored (`YYYY-MM-DD HH:MM:SS`). */
  start: string | null;
  end: string | null;
  durationSeconds: number | null;
  /** The parameters given, by name (`param1` …). */
  params: Record<string, string>;
  rows: { source: number; target: number; errors: number } | null;
  errorCount: number;
  lastError: string | null;
  message: string | null;
}

/** DWPRCLOG rows with their counts and errors; callers add the filter and order (listRuns, the console's timeline). */
export function runsWithCountsQuery(db: Kysely<Database>) {
  return db
    .selectFrom('dwprclog as r')
    .select((eb) => [
      'r.prcid',
      'r.mapref',
      'r.status',
      'r.strtdt',
      'r.enddt',
      'r.msg',
      'r.param1', 'r.param2', 'r.param3', 'r.param4', 'r.param5', 'r.param6', 'r.param7', 'r.param8', 'r.param9', 'r.param10',
      eb.selectFrom('dwjoblog as l').select((l) => l.fn.countAll<number>().as('n')).whereRef('l.prcid', '=', 'r.prcid').as('jobLogs'),
      eb.selectFrom('dwjoblog as l').select((l) => l.fn.sum<number>('l.srcrows').as('n')).whereRef('l.prcid', '=', 'r.prcid').as('srcRows'),
      eb.selectFrom('dwjoblog as l').select((l) => l.fn.sum<number>('l.trgrows').as('n')).whereRef('l.prcid', '=', 'r.prcid').as('trgRows'),
      eb.selectFrom('dwjoblog as l').select((l) => l.fn.sum<number>('l.errrows').as('n')).whereRef('l.prcid', '=', 'r.prcid').as('errRows'),
      eb.selectFrom('dwjoberr as e').select((e) => e.fn.countAll<number>().as('n')).whereRef('e.prcid', '=', 'r.prcid').as('errorCount'),
      eb.selectFrom('dwjoberr as e').select('e.errmsg').whereRef('e.prcid', '=', 'r.prcid').orderBy('e.errid', 'desc').fetch(1).as('lastError'),
    ]);
}

type RunRow = Awaited<ReturnType<ReturnType<typeof runsWithCountsQuery>['execute']>>[number];

/** The query alone, so that its Oracle text can be pinned by a test. */
export function listRunsQuery(db: Kysely<Database>, mapref: string, last: number) {
  return runsWithCountsQuery(db)
    .where('r.mapref', '=', mapref)
    .orderBy('r.prcid', 'desc')
    .fetch(last);
}

/** A stored wall time (database local clock) as `YYYY-MM-DD HH:MM:SS`. */
export function wallTime(value: Date | null): string | null {
  return value ? value.toISOString().slice(0, 19).replace('T', ' ') : null;
}

/** The last `last` runs of a MAPREF, newest first. */
export async function listRuns(db: Kysely<Database>, mapref: string, last: number): Promise<RunListing[]> {
  const rows = await listRunsQuery(db, mapref, last).execute();
  return rows.map(toRunListing);
}

export function toRunListing(row: RunRow): RunListing {
  const values = [row.param1, row.param2, row.param3, row.param4, row.param5, row.param6, row.param7, row.param8, row.param9, row.param10];
  const params = Object.fromEntries(values.flatMap((v, i) => (v === null ? [] : [[`param${i + 1}`, v]])));
  const start = row.strtdt ? new Date(row.strtdt) : null;
  const end = row.enddt ? new Date(row.enddt) : null;
  return {
    prcid: Number(row.prcid),
    status: row.status,
    start: wallTime(start),
    end: wallTime(end),
    durationSeconds: start && end ? Math.round((end.getTime() - start.getTime()) / 100) / 10 : null,
    params,
    rows: Number(row.jobLogs ?? 0) > 0 ? { source: Number(row.srcRows ?? 0), target: Number(row.trgRows ?? 0), errors: Number(row.errRows ?? 0) } : null,
    errorCount: Number(row.errorCount ?? 0),
    lastError: row.lastError ?? null,
    message: row.msg,
    mapref: row.mapref,
  };
}
