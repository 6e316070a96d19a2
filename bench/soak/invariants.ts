import { type RawBuilder, sql } from 'kysely';
import type { PostgresDialect } from '../../src/db/dialects/postgres.js';
import { LEASE_EXPIRED } from '../../src/queue/abandonedRun.js';

/** One invariant: what must hold, how many rows break it, a few of them for the report. */
export interface Check {
  name: string;
  violations: number;
  examples: string[];
  /** Counts that explain the figure (e.g. re-executions by cause), shown beside it. */
  detail?: Record<string, number>;
}

/** Stop causes after which running a request again is legitimate (src/engine/stopCause.ts). */
const SHUTDOWN_STOP = 'Stopped: the worker shut down';
const FENCED_STOP = 'Stopped: the worker could not renew its lease';

async function rows<T>(dialect: PostgresDialect, query: RawBuilder<T>): Promise<T[]> {
  return (await query.execute(dialect.db)).rows;
}

function check(name: string, bad: readonly string[], detail?: Record<string, number>): Check {
  return { name, violations: bad.length, examples: bad.slice(0, 5), ...(detail ? { detail } : {}) };
}

/**
 * The soak's invariants, over the whole history of the run. `adHoc`: the request ids the soak
 * inserted itself (their runs carry the id in PARAM1, so runs can be traced to requests).
 */
export async function checkInvariants(dialect: PostgresDialect, adHoc: readonly string[]): Promise<Check[]> {
  const present = new Set((await rows(dialect, sql<{ id: string }>`select request_id as id from dwprcreq`)).map((r) => r.id));
  const lost = adHoc.filter((id) => !present.has(id));

  const unfinished = await rows(dialect, sql<{ id: string; s: string }>`
    select request_id as id, status as s from dwprcreq where status not in ('DONE', 'FAILED', 'CANCELLED') order by request_id`);

  const open = await rows(dialect, sql<{ p: number; s: string }>`
    select prcid as p, status as s from dwprclog where status not in ('PC', 'FL', 'ST') order by prcid`);

  // Runs of one MAPREF in start order: each must start after the previous one ended.
  const overlaps = await rows(dialect, sql<{ m: string; a: number; b: number }>`
    select mapref as m, prev as a, prcid as b from (
      select mapref, prcid, strtdt, lag(enddt) over w as prevend, lag(prcid) over w as prev
        from dwprclog window w as (partition by mapref order by strtdt, prcid)) x
     where strtdt < prevend`);

  // Ad-hoc requests run more than once: each earlier run must have been taken from a worker
  // (reaped, self-fenced, or stopped and released at shutdown), never completed or failed.
  const runs = await rows(dialect, sql<{ id: string; p: number; s: string; msg: string | null }>`
    select param1 as id, prcid as p, status as s, msg from dwprclog
     where param1 in (select param1 from dwprclog where param1 like 'A%' group by param1 having count(*) > 1)
     order by param1, prcid`);
  const byRequest = new Map<string, typeof runs>();
  for (const run of runs) byRequest.set(run.id, [...(byRequest.get(run.id) ?? []), run]);
  const causes = { reaped: 0, fenced: 0, shutdown: 0 };
  const unjustified: string[] = [];
  const like = (text: string | null, prefix: string) => text?.startsWith(prefix) === true;
  for (const [id, list] of byRequest) {
    for (const earlier of list.slice(0, -1)) {
      if (earlier.s === 'FL' && like(earlier.msg, LEASE_EXPIRED)) causes.reaped += 1;
      else if (earlier.s === 'ST' && like(earlier.msg, FENCED_STOP)) causes.fenced += 1;
      else if (earlier.s === 'ST' && like(earlier.msg, SHUTDOWN_STOP)) causes.shutdown += 1;
      else unjustified.push(`${id}: PRCID ${earlier.p} ended ${earlier.s} (${earlier.msg ?? 'no message'}) and ran again`);
    }
  }

  const doneWithoutPc = await rows(dialect, sql<{ id: string }>`
    select r.request_id as id from dwprcreq r left join dwprclog l on l.prcid = r.prcid
     where r.status = 'DONE' and upper(trim(r.request_type)) = 'IMMEDIATE' and (l.status is null or l.status <> 'PC')`);

  const failedWithoutErr = await rows(dialect, sql<{ p: number; msg: string | null }>`
    select l.prcid as p, l.msg from dwprclog l
     where l.status = 'FL' and not exists (select 1 from dwjoberr e where e.prcid = l.prcid and e.errtyp = 'ERR')`);

  return [
    check('no request lost', lost),
    check('no request left NEW or CLAIMED', unfinished.map((r) => `${r.id} ${r.s}`)),
    check('every DWPRCLOG row terminal (PC/FL/ST)', open.map((r) => `PRCID ${r.p} ${r.s}`)),
    check('no MAPREF ran twice at once', overlaps.map((r) => `${r.m}: PRCID ${r.b} started before PRCID ${r.a} ended`)),
    check('re-executions only after a worker lost the request', unjustified, causes),
    check('every DONE IMMEDIATE request points at a PC run', doneWithoutPc.map((r) => r.id)),
    check('every FL run has an ERR row in DWJOBERR', failedWithoutErr.map((r) => `PRCID ${r.p} (${r.msg ?? ''})`)),
  ];
}
