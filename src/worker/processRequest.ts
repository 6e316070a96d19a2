import type { Config } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import type { ExecuteRequest, Outcome, RunControl, StopCause } from '../engine/execution.js';
import type { FlowRegistry } from '../engine/loadFlows.js';
import { holdStopWhileRunning } from '../engine/python/stopHold.js';
import { RunCloseFailed } from '../engine/runProtocol.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../observe/logger.js';
import { retryDelayMs } from '../queue/backoff.js';
import { completeRequest, type FollowUp } from '../queue/completeRequest.js';
import { markStop } from '../queue/markStop.js';
import { parseRequest } from '../queue/parseRequest.js';
import { releaseRequest } from '../queue/releaseRequest.js';
import { childSchedules, childSchedulesQuery, enqueueChildren } from '../scheduler/fanOut.js';
import type { ClaimedRow, ParsedRequest } from '../queue/request.js';

export interface SlotDeps {
  dialect: Dialect;
  config: Config;
  log: Logger;
  workerId: string;
  execute: ExecuteRequest;
  /** TypeScript flows loaded at start-up (DWPRC_FLOWS_DIR). */
  flows?: FlowRegistry;
}

/** What became of a claimed row, for logs, metrics and tests. */
export type Disposition = 'DONE' | 'FAILED' | 'CANCELLED' | 'RETRY' | 'RELEASED' | 'LOST';

function oneLine(text: string, max = 400): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/** The parser names the field at fault; should it ever throw instead, the row still fails alone. */
function parseOrRefuse(row: ClaimedRow): ReturnType<typeof parseRequest> {
  try {
    return parseRequest(row);
  } catch (error) {
    return { ok: false, reason: `the row could not be read (REQUEST_TYPE, MAPREF, PAYLOAD): ${errorMessage(error)}` };
  }
}

export interface SlotControl extends RunControl {
  /**
   * Called when the request's work is over and only its final write is left. A lease the
   * heartbeat misses after this was taken by that write (or by a reaper, which that write then
   * learns): there is no run left to stop.
   */
  readonly settling?: () => void;
}

/**
 * Runs one claimed row to its end: parse, route by type, and write the final state — or hand
 * it back to the queue when retrying is right. Never throws: a bad row fails alone.
 */
export async function processRequest(row: ClaimedRow, control: SlotControl, deps: SlotDeps): Promise<Disposition> {
  const { dialect, workerId, log } = deps;
  const finish = async (status: 'DONE' | 'FAILED' | 'CANCELLED', result: Outcome['result']): Promise<Disposition> =>
    (await completeRequest(dialect, row.requestId, workerId, status, result)) ? status : 'LOST';

  const parsed = parseOrRefuse(row);
  if (!parsed.ok) {
    log.warn({ requestId: row.requestId, reason: parsed.reason }, 'bad request row');
    return finish('FAILED', { status: 'FAILED', message: oneLine(parsed.reason) }).catch(() => 'LOST' as const);
  }
  const request = parsed.request;
  try {
    switch (request.type) {
      case 'REFRESH_SCHEDULE':
        return await finish('DONE', { status: 'DONE', message: 'nothing to do: schedules are read from DWJOBSCH at every tick' });
      case 'STOP': {
        const result = await holdStopWhileRunning(dialect, request, await markStop(dialect, request), control.stop);
        return await finish('DONE', result);
      }
      default: {
        const completeWithRun = { pending: childSchedulesQuery, settling: () => control.settling?.() };
        const outcome = await deps.execute(request, { dialect, config: deps.config, log, claimedBy: workerId, control, completeWithRun, ...(deps.flows ? { flows: deps.flows } : {}) });
        control.settling?.();
        return await settle(request, outcome, control, deps);
      }
    }
  } catch (error) {
    return handleError(request, error, control, deps);
  }
}

/** The engine's outcome → the request's state; a started run that failed is retried only if asked. */
async function settle(request: ParsedRequest, outcome: Outcome, control: RunControl, deps: SlotDeps): Promise<Disposition> {
  const { dialect, workerId } = deps;
  // Completed DONE by the statement that closed its run: nothing left to write.
  if (outcome.completed) return outcome.status;
  const cause = control.kill.reason as StopCause | undefined;
  // The lease is gone or going: the reaper owns the request now.
  if (cause?.kind === 'lease-lost') return 'LOST';
  if (outcome.status === 'CANCELLED' && cause?.kind === 'shutdown') {
    const released = await releaseRequest(dialect, request.requestId, workerId, {
      delayMs: 0,
      refundAttempt: true,
      note: { ...outcome.result, status: 'NEW', message: `released at worker shutdown: ${outcome.result.message}` },
    });
    return released ? 'RELEASED' : 'LOST';
  }
  if (outcome.status === 'FAILED' && outcome.started && outcome.retryable !== false && 'maxAttempts' in request) {
    const max = request.maxAttempts ?? deps.config.worker.maxAttempts;
    if (request.attempts < max) {
      const delayMs = retryDelayMs(request.attempts, deps.config.worker.retryBaseMs);
      const note = { ...outcome.result, status: 'RETRYING', message: `${outcome.result.message} (attempt ${request.attempts} of ${max}; retry in ${Math.round(delayMs / 1000)} s)` };
      return (await releaseRequest(dialect, request.requestId, workerId, { delayMs, refundAttempt: false, note })) ? 'RETRY' : 'LOST';
    }
  }
  const parent = outcome.status === 'DONE' && (request.type === 'IMMEDIATE' || request.type === 'HISTORY') ? request : null;
  // A link made or removed while this completes is the same race as one made just after it.
  const children: FollowUp | undefined = parent
    ? {
        mapref: parent.mapref,
        pending: childSchedulesQuery,
        queue: async (trx) => {
          await enqueueChildren(trx, dialect, parent, outcome.result, await childSchedules(trx, parent.mapref));
        },
      }
    : undefined;
  return (await completeRequest(dialect, request.requestId, workerId, outcome.status, outcome.result, children)) ? outcome.status : 'LOST';
}

/**
 * An exception, not an outcome: the database went away or a bug. Infrastructure errors put the
 * request back with backoff (it is not the request's fault); anything else fails it with one line.
 * If even that write fails, the lease runs out and a reaper finishes the job.
 */
async function handleError(request: ParsedRequest, error: unknown, control: RunControl, deps: SlotDeps): Promise<Disposition> {
  const { dialect, workerId, log, config } = deps;
  const message = oneLine(errorMessage(error));
  // The run's log row could not be closed: the request stays CLAIMED so that, once its lease
  // lapses, a reaper closes the row through DWPRCREQ.PRCID and requeues the request.
  if (error instanceof RunCloseFailed) {
    log.error({ requestId: request.requestId, prcid: error.prcid, err: message }, 'run row left open; the reaper will close it');
    return 'LOST';
  }
  try {
    if (control.kill.aborted && (control.kill.reason as StopCause).kind === 'lease-lost') return 'LOST';
    if (dialect.classifyError(error) !== 'fatal' && request.attempts < config.worker.retryLimit) {
      log.warn({ requestId: request.requestId, err: message }, 'request interrupted by a database error; will retry');
      const delayMs = retryDelayMs(request.attempts, config.worker.retryBaseMs);
      const note = { status: 'RETRYING', message: `interrupted: ${message}` };
      return (await releaseRequest(dialect, request.requestId, workerId, { delayMs, refundAttempt: false, note })) ? 'RETRY' : 'LOST';
    }
    log.error({ requestId: request.requestId, err: message }, 'request failed');
    return (await completeRequest(dialect, request.requestId, workerId, 'FAILED', { status: 'FAILED', message })) ? 'FAILED' : 'LOST';
  } catch (writeError) {
    log.warn({ requestId: request.requestId, err: oneLine(errorMessage(writeError)) }, 'could not record the end of a request; its lease will expire and a reaper will retry it');
    return 'LOST';
  }
}
