import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { RunSession } from '../db/dialects/dialect.js';
import type { ClosedRun, RunCounts, RunIdentity } from '../db/runRow.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../observe/logger.js';
import type { HistoryRequest, ImmediateRequest, RunParams } from '../queue/request.js';
import { closeRun, endedAs, type RunEnd } from './closeRun.js';
import { describeError } from './errorText.js';
import type { ExecutionContext } from './execution.js';
import { createFlowContext, type FlowRunRecord } from './flowContext.js';
import { openRun } from './openRun.js';
import { PythonRun } from './python/pythonRun.js';
import type { ResolvedFlow } from './resolveFlow.js';
import { firedStop, stopMessage } from './stopCause.js';
import { isoDateIn } from './zoneDay.js';

/**
 * One execution = one DWPRCLOG row, on one dedicated session: open (IP, committed, the session
 * tagged with the run), run the flow, close (PC / FL / ST, its own committed unit). No path
 * leaves the row IP: a close that fails on the run session is retried on fresh pool connections.
 */

export interface RunSpec {
  request: ImmediateRequest | HistoryRequest;
  flow: ResolvedFlow;
  params: RunParams;
  /**
   * The day the flow loads: a history day (ISO), or today in the business zone `todayIn`, by the
   * database clock when the run row is written (no round trip of its own).
   */
  businessDate: string | { todayIn: string };
  /** truncate_flag=Y: the validated TRUNCATE statement, run on the session before the flow. */
  truncate?: string | null;
  /** Writes that commit together with a PC close (history progress). */
  onCompleted?: (db: Kysely<Database>) => Promise<void>;
  /**
   * The request's RESULT_PAYLOAD for a PC run, its text up to where the counts go (RunCompletion):
   * given, and offered by the worker (ExecutionContext.completeWithRun), the close completes the request.
   */
  completedPayloadHead?: (prcid: number, message: string) => string;
}

export type RunResult =
  | { started: false; message: string }
  | {
      started: true;
      prcid: number;
      status: 'PC' | 'FL' | 'ST';
      /** The error (FL) or the stop (ST) as written to MSG; null for PC. */
      reason: string | null;
      /** One sentence for RESULT_PAYLOAD. */
      message: string;
      /** The run's DWJOBLOG totals after its close; null when it has none. */
      counts: RunCounts | null;
      /** The request was completed DONE with the close (RunSpec.completedPayloadHead). */
      completed: boolean;
    };

/**
 * The run's row could not be closed, even on fresh connections (the database is away). The
 * request must stay CLAIMED: when its lease expires the reaper closes the row through DWPRCREQ.PRCID.
 */
export class RunCloseFailed extends Error {
  override readonly name = 'RunCloseFailed';
  constructor(
    readonly prcid: number,
    readonly intended: RunEnd['status'],
    cause: unknown,
  ) {
    super(`the DWPRCLOG row of PRCID ${prcid} could not be closed ${intended}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** A kill must land on a running statement: a cancel between statements is a no-op, so it repeats. */
const CANCEL_REPEAT_MS = 1_000;
/** Close retries on fresh connections: ~20 s in all before giving up to the reaper. */
const CLOSE_RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000, 5_000, 5_000];

export async function runOnce(spec: RunSpec, context: ExecutionContext): Promise<RunResult> {
  const { dialect } = context;
  const { request, flow } = spec;
  const owner = { requestId: request.requestId, claimedBy: context.claimedBy };
  // A Python flow's child opens its connection before the row is written: the row carries its session id.
  const python = flow.kind === 'python' ? await PythonRun.start(flow, context) : null;
  let session: RunSession;
  try {
    session = await dialect.openRunSession();
  } catch (error) {
    await python?.abandon();
    throw error;
  }
  let discard = false;
  try {
    const opened = await openRun(session, dialect, { owner, mapref: request.mapref, jobid: flow.jobid, jobflwid: flow.jobflwid, params: spec.params, ...(python ? { sessionId: python.sessionId } : {}) });
    if (opened === null) {
      return { started: false, message: `Request ${request.requestId} is no longer claimed by ${context.claimedBy}: run not started` };
    }
    const { prcid } = opened;
    const businessDate = typeof spec.businessDate === 'string' ? spec.businessDate : isoDateIn(opened.openedAt, spec.businessDate.todayIn);
    const log = context.log.child({ mapref: request.mapref, prcid, requestId: request.requestId });
    log.info({ flow: flow.kind, params: spec.params.filter((p) => p !== null) }, 'run started');
    // execute() turns every failure of the flow into an Ending; this catch is the last guard
    // that an unforeseen error still closes the row instead of leaving it IP.
    const identity = { prcid, jobid: opened.jobid, mapref: request.mapref, sessionId: python?.sessionId ?? session.sessionId };
    const running = python ? python.execute({ ...spec, businessDate }, identity, context, log) : execute(session, { ...spec, businessDate }, identity, context, log);
    const ending = await running.catch((error: unknown): Ending => ({ status: 'FL', ...describeError(error) }));
    const closing: RunEnd = { prcid, owner, identity, onCompleted: spec.onCompleted, whenClosedElsewhere: stoppedAfterAll(ending, context), ...ending };
    const offer = context.completeWithRun;
    if (offer && spec.completedPayloadHead && closing.status === 'PC' && !closing.whenClosedElsewhere) {
      closing.completion = { owner, payloadHead: spec.completedPayloadHead(prcid, resultMessage(closing, spec, context)), mapref: request.mapref, pending: offer.pending };
      offer.settling();
    }
    let closed: ClosedRun;
    try {
      closed = await closeRun(session, dialect, closing);
      session.markRunClosed();
    } catch (error) {
      discard = true;
      log.warn({ err: error }, 'closing the run on its session failed; retrying on a fresh connection');
      closed = await retried(() => closeRun(dialect.db, dialect, closing), log).catch((cause: unknown) => {
        throw new RunCloseFailed(prcid, closing.status, cause);
      });
    }
    // The request ends as the row did: CANCELLED when the stopping UI's row was closed ST.
    const end = closed.closed ? await endedAs(dialect.db, closing) : closing;
    if (!closed.closed) log.warn({ status: end.status }, 'the run row had already been closed by another process; left as it is');
    log.info({ status: end.status, message: end.message }, 'run ended');
    return { started: true, prcid, status: end.status, reason: end.message, message: resultMessage(end, spec, context), counts: closed.counts, completed: closed.completed };
  } finally {
    // Whatever happened, no child outlives its run (a no-op once it has exited).
    await python?.abandon();
    await session.release({ discard });
  }
}

type Ending = Pick<RunEnd, 'status' | 'message' | 'detail' | 'jobLog'>;

async function execute(session: RunSession, spec: RunSpec & { businessDate: string }, run: RunIdentity & { mapref: string }, context: ExecutionContext, log: Logger): Promise<Ending> {
  const { control } = context;
  const stoppedEarly = firedStop(control);
  if (stoppedEarly) return { status: 'ST', message: stopMessage(stoppedEarly.reason) };

  const { flow } = spec;
  let record: FlowRunRecord | null = null;
  const canceller = cancelOnKill(control.kill, session, log);
  let failure: { error: unknown } | null = null;
  try {
    if (spec.truncate) {
      await sql.raw(spec.truncate).execute(session.db);
      log.info({ statement: spec.truncate }, 'target truncated before the load');
    }
    if (flow.kind === 'dwlogic') {
      await session.runBlock(flow.text);
    } else if (flow.kind === 'typescript') {
      const created = createFlowContext({
        session,
        dialect: context.dialect,
        run,
        params: spec.params,
        businessDate: spec.businessDate,
        signal: () => AbortSignal.any([control.stop, control.kill]),
        log,
      });
      record = created.record;
      await flow.flow.run(created.context);
    }
  } catch (error) {
    failure = { error };
  } finally {
    await canceller.stop();
  }
  const jobLog = record?.counts ? { joblogid: record.joblogid, counts: record.counts } : null;

  if (!failure) {
    try {
      // The flow's last uncommitted work belongs to its success.
      await session.commit();
    } catch (error) {
      failure = { error };
    }
  }
  if (failure) {
    await sql`rollback`.execute(session.db).catch(() => undefined);
    if (control.kill.aborted || (flow.kind === 'typescript' && control.stop.aborted && isAbort(failure.error, control.stop))) {
      return { status: 'ST', message: stopMessage(control.kill.aborted ? control.kill.reason : control.stop.reason), jobLog };
    }
    const { message, detail } = describeError(failure.error);
    log.warn({ err: failure.error }, 'flow failed');
    return { status: 'FL', message, detail, jobLog };
  }
  // A DWLOGIC block is never interrupted by a graceful stop: its result stands. A TypeScript flow
  // that returns after its signal fired has stopped at a safe point.
  const stopped = flow.kind === 'typescript' ? firedStop(control) : null;
  if (stopped) return { status: 'ST', message: stopMessage(stopped.reason), jobLog };
  return { status: 'PC', message: null, jobLog };
}

/**
 * A run that completed after a stop request reached it (a DWLOGIC block is left to finish its statement): if
 * the stopping UI closed its row meanwhile, it ends ST naming that stop, never PC.
 */
function stoppedAfterAll(ending: Ending, context: ExecutionContext): RunEnd['whenClosedElsewhere'] {
  const { stop } = context.control;
  if (ending.status !== 'PC' || !stop.aborted) return undefined;
  return { status: 'ST', message: `${stopMessage(stop.reason)}; the flow had already run to its end` };
}

function isAbort(error: unknown, signal: AbortSignal): boolean {
  return error === signal.reason || (error instanceof Error && error.name === 'AbortError');
}

function resultMessage(end: RunEnd, spec: RunSpec, context: ExecutionContext): string {
  const run = `${spec.request.mapref} (PRCID ${end.prcid})`;
  switch (end.status) {
    case 'PC':
      return spec.flow.kind === 'dwlogic' && context.control.stop.aborted
        ? `${run} completed; the stop arrived while its DWLOGIC block ran, which is left to finish`
        : `${run} completed`;
    case 'FL':
      return `${run} failed: ${end.message}`;
    case 'ST':
      return `${run} stopped: ${end.message}`;
  }
}

/** On kill: cancel the session's running statement now, and again until the flow has returned. */
function cancelOnKill(kill: AbortSignal, session: RunSession, log: Logger): { stop(): Promise<void> } {
  let active = true;
  let timer: NodeJS.Timeout | undefined;
  let inflight: Promise<void> = Promise.resolve();
  const fire = () => {
    if (!active) return;
    inflight = inflight.then(() => session.cancel()).catch((error: unknown) => log.warn({ err: error }, 'cancelling the running statement failed'));
    timer = setTimeout(fire, CANCEL_REPEAT_MS);
  };
  if (kill.aborted) fire();
  else kill.addEventListener('abort', fire, { once: true });
  return {
    async stop() {
      active = false;
      clearTimeout(timer);
      kill.removeEventListener('abort', fire);
      await inflight;
    },
  };
}

async function retried<T>(fn: () => Promise<T>, log: Logger): Promise<T> {
  for (const delay of CLOSE_RETRY_DELAYS_MS) {
    try {
      return await fn();
    } catch (error) {
      log.warn({ err: error, retryInMs: delay }, 'closing the run failed');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
  return fn();
}
