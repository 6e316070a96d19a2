import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { errorMessage, UserError } from '../errors.js';
import { PARAM_COUNT, type HistoryRequest } from '../queue/request.js';
import { businessToday, businessZone } from './businessDay.js';
import type { ExecutionContext, Outcome, ResultPayload } from './execution.js';
import { daysBetween, fromDwDay, previousDay, toDwDay } from './historyDays.js';
import { type HistoryProgress, readProgress, writeProgress } from './historyProgress.js';
import { notStarted, stoppedBeforeStart } from './outcomes.js';
import { type ResolvedFlow, resolveFlow } from './resolveFlow.js';
import { runCounts } from './runCounts.js';
import { RunCloseFailed, runOnce } from './runProtocol.js';
import { firedStop, stopMessage } from './stopCause.js';
import { targetTruncation } from './truncateTarget.js';

/**
 * HISTORY: the flow once per day from start to end inclusive, PARAM1 = the day as DD-Mon-YYYY,
 * each day its own DWPRCLOG row. Progress lives in DWPRCREQ.PROGRESS, advanced with each PC
 * close, so a retry continues at the first day not yet complete; truncate-and-load happens only
 * before the very first day.
 */

interface Plan {
  flow: ResolvedFlow;
  range: HistoryProgress;
  days: string[];
  remaining: string[];
  /** The TRUNCATE that the first day runs before its flow, when the range starts afresh. */
  truncate: string | null;
}

/** DWPARAMS (HIST_LOAD, DWT_PARAM1): where a history without start_date begins. */
export function histLoadStartQuery(db: Kysely<Database>) {
  return db.selectFrom('dwparams').select('prval').where('prtyp', '=', 'HIST_LOAD').where('prcd', '=', 'DWT_PARAM1');
}

async function histLoadStart(db: Kysely<Database>, mapref: string): Promise<string> {
  const row = await histLoadStartQuery(db).executeTakeFirst();
  const day = row?.prval ? fromDwDay(row.prval) : null;
  if (!day) {
    throw new UserError(
      `HISTORY of ${mapref} has no start_date and DWPARAMS (PRTYP HIST_LOAD, PRCD DWT_PARAM1) holds no day as DD-Mon-YYYY ` +
        `(${row ? `PRVAL is ${JSON.stringify(row.prval)}` : 'no such row'})`,
    );
  }
  return day;
}

async function plan(request: HistoryRequest, context: ExecutionContext): Promise<Plan> {
  const { dialect } = context;
  const flow = await resolveFlow(request.mapref, context);
  const saved = await readProgress(dialect.db, request.requestId);
  const from = request.startDate ?? saved?.from ?? (await histLoadStart(dialect.db, request.mapref));
  const to = request.endDate ?? saved?.to ?? previousDay(await businessToday(dialect, await businessZone(context)));
  if (from > to) throw new UserError(`HISTORY of ${request.mapref}: the start day ${from} is after the end day ${to}; no day to run`);
  const resumable = saved !== null && saved.from === from && saved.to === to;
  const range: HistoryProgress = { from, to, done: resumable ? saved.done : null };
  // In a transaction: on Oracle, pool writes outside one are rolled back when the connection returns.
  const pinned = resumable || (await dialect.db.transaction().execute((trx) => writeProgress(trx, { requestId: request.requestId, claimedBy: context.claimedBy }, range)));
  if (!pinned) {
    throw new Error(`request ${request.requestId} is no longer claimed by ${context.claimedBy}`);
  }
  const days = daysBetween(from, to);
  const remaining = range.done ? days.filter((day) => day > range.done!) : days;
  // Truncate once, before the first day: a resumed range keeps the days already loaded.
  const truncate = request.truncate && range.done === null ? await targetTruncation(request.mapref, context) : null;
  return { flow, range, days, remaining, truncate };
}

export async function runHistory(request: HistoryRequest, context: ExecutionContext): Promise<Outcome> {
  const { mapref } = request;
  const before = firedStop(context.control);
  if (before) return stoppedBeforeStart(mapref, before.reason);
  let p: Plan;
  try {
    p = await plan(request, context);
  } catch (error) {
    return notStarted(mapref, error);
  }
  const { range, days } = p;
  const owner = { requestId: request.requestId, claimedBy: context.claimedBy };
  const prcids: number[] = [];
  let completed = days.length - p.remaining.length;

  const finish = async (status: Outcome['status'], message: string, extra: Partial<ResultPayload> = {}): Promise<Outcome> => {
    const counts = await runCounts(context.dialect.db, prcids).catch(() => null);
    const result: ResultPayload = {
      status,
      message,
      prcids,
      from: range.from,
      to: range.to,
      days: days.length,
      completed,
      ...extra,
      ...(counts ? { counts } : {}),
    };
    return { status, started: prcids.length > 0, result };
  };
  const progress = () => `${completed} of ${days.length} days complete`;

  for (const day of p.remaining) {
    const stopped = firedStop(context.control);
    if (stopped) {
      return finish('CANCELLED', `History of ${mapref} stopped before ${day}: ${stopMessage(stopped.reason)}; ${progress()}`, { nextDay: day });
    }
    const params = [toDwDay(day), ...Array<null>(PARAM_COUNT - 1).fill(null)];
    let run;
    try {
      run = await runOnce(
        {
          request,
          flow: p.flow,
          params,
          businessDate: day,
          truncate: day === days[0] ? p.truncate : null,
          onCompleted: (db) => writeProgress(db, owner, { ...range, done: day }).then(() => undefined),
        },
        context,
      );
    } catch (error) {
      if (error instanceof RunCloseFailed) throw error;
      return finish('FAILED', `History of ${mapref} could not start ${day}: ${errorMessage(error)}; ${progress()}`, { nextDay: day });
    }
    if (!run.started) return finish('FAILED', `History of ${mapref} not continued at ${day}: ${run.message}; ${progress()}`, { nextDay: day });
    prcids.push(run.prcid);
    if (run.status === 'FL') {
      return finish('FAILED', `History of ${mapref} failed on ${day} (PRCID ${run.prcid}): ${run.reason}; ${progress()}; a retry resumes at ${day}`, {
        failedDay: day,
        prcid: run.prcid,
      });
    }
    if (run.status === 'ST') {
      return finish('CANCELLED', `History of ${mapref} stopped during ${day} (PRCID ${run.prcid}): ${run.reason}; ${progress()}`, {
        stoppedDay: day,
        prcid: run.prcid,
      });
    }
    completed += 1;
  }
  return finish('DONE', `History of ${mapref} from ${range.from} to ${range.to} complete: ${days.length} days (${prcids.length} run in this attempt)`);
}
