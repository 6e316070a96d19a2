import type { Config } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import type { RunCompletion } from '../db/runRow.js';
import type { Logger } from '../observe/logger.js';
import type { HistoryRequest, ImmediateRequest, ReportRequest } from '../queue/request.js';
import type { FlowRegistry } from './loadFlows.js';

/**
 * The contract between a worker slot and the engine. The worker claims and owns the DWPRCREQ
 * row (lease, completion, retries); the engine runs what the row asks and reports an Outcome.
 * The one completion the engine makes is the one the worker lends it (completeWithRun).
 */

/** Why a run is being stopped; set as the `reason` of the aborted signals. */
export type StopCause =
  | { kind: 'stop-request'; force: boolean; stopRequestId: string }
  /** Shutdown: the grace period ran out. */
  | { kind: 'shutdown' }
  /** This worker could not renew its lease: it fences itself before another replica reaps it. */
  | { kind: 'lease-lost' };

export interface RunControl {
  /** Aborted when the run should stop at its next safe point (between history days, a TS flow's checks). */
  readonly stop: AbortSignal;
  /** Aborted when the running statement must be cancelled now (force stop, shutdown, lease lost). */
  readonly kill: AbortSignal;
}

export type ExecutableRequest = ImmediateRequest | HistoryRequest | ReportRequest;

export interface ExecutionContext {
  dialect: Dialect;
  config: Config;
  log: Logger;
  /** CLAIMED_BY of the row: every write to DWPRCREQ by the engine is guarded by it. */
  claimedBy: string;
  control: RunControl;
  /** TypeScript flows, loaded at start-up (loadFlows); absent = loaded once from config.flowsDir. */
  flows?: FlowRegistry;
  /**
   * The worker's offer: a run that ends PC may complete its request DONE in the statement that
   * closes it (RunCompletion; the dialect decides), unless `pending` finds follow-ups for the
   * MAPREF. `settling` is called just before such a close is sent: the run's work is over.
   * The Outcome then says `completed`, and the worker writes nothing more.
   */
  completeWithRun?: { pending: RunCompletion['pending']; settling: () => void };
}

/** RESULT_PAYLOAD: always `status` and a human `message`, plus ids and counts where there are any. */
export interface ResultPayload {
  status: string;
  message: string;
  prcid?: number;
  prcids?: number[];
  [key: string]: unknown;
}

export interface Outcome {
  status: 'DONE' | 'FAILED' | 'CANCELLED';
  result: ResultPayload;
  /**
   * True once a DWPRCLOG row was written: a started flow is not retried automatically (ETL
   * flows that commit per batch are not idempotent) unless the request asked for attempts.
   */
  started: boolean;
  /**
   * False when trying again cannot help before someone changes something (no active flow,
   * Python DWLOGIC, a bad DWMAPR target): the worker need not spend attempts on it.
   * Absent = decide by `started`.
   */
  retryable?: boolean;
  /** The request's final write is made (with its run's close): the worker has nothing left to write. */
  completed?: boolean;
}

export type ExecuteRequest<R extends ExecutableRequest = ExecutableRequest> = (request: R, context: ExecutionContext) => Promise<Outcome>;
