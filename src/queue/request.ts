/** A DWPRCREQ row after parsing and validation: what the worker and the engine act on. */

export const REQUEST_TYPES = ['IMMEDIATE', 'HISTORY', 'STOP', 'REPORT', 'REFRESH_SCHEDULE'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

/** PARAM1 … PARAM10 of a run; null where not given. */
export type RunParams = readonly (string | null)[];

export const MAX_PARAM_LENGTH = 250;
export const PARAM_COUNT = 10;

interface Common {
  requestId: string;
  mapref: string;
  /** The payload object as written, kept so results can echo what was asked. */
  payload: Record<string, unknown>;
  /** How many times this request has been claimed, this claim included. */
  attempts: number;
}

/** Where a firing came from, when the scheduler or a parent run wrote the request. */
export interface FiringSource {
  source: 'schedule' | 'dependency';
  jobschid: number | null;
  scheduledFor: string | null;
}

export interface ImmediateRequest extends Common {
  type: 'IMMEDIATE';
  params: RunParams;
  truncate: boolean;
  /** Runs that started and failed are retried only when the request asks (payload max_attempts). */
  maxAttempts: number | null;
  firing: FiringSource | null;
  /**
   * A run an earlier claim completed (PC) whose outcome never reached this row: its worker was
   * lost in between, and the reaper left the PRCID for the next claim to record instead of
   * running the flow again. Null normally.
   */
  unrecordedPrcid: number | null;
}

export interface HistoryRequest extends Common {
  type: 'HISTORY';
  /** YYYY-MM-DD; null = DWPARAMS HIST_LOAD/DWT_PARAM1, resolved at run time. */
  startDate: string | null;
  /** YYYY-MM-DD; null = yesterday in the business zone. */
  endDate: string | null;
  truncate: boolean;
  maxAttempts: number | null;
  firing: FiringSource | null;
}

export interface StopRequest extends Common {
  type: 'STOP';
  force: boolean;
  /** Target one run: by its request id, or by the STRTDT of its DWPRCLOG row. */
  targetRequestId: string | null;
  startTimestamp: string | null;
}

export interface ReportRequest extends Common {
  type: 'REPORT';
  sqlCode: string;
  format: 'CSV' | 'XLSX';
  /** Bound to the report SQL: positional (array) or by name (object). */
  params: unknown[] | Record<string, unknown>;
  /** File name under DWPRC_REPORT_DIR; null = derived from the code and request id. */
  file: string | null;
}

export interface RefreshScheduleRequest extends Common {
  type: 'REFRESH_SCHEDULE';
}

export type ParsedRequest = ImmediateRequest | HistoryRequest | StopRequest | ReportRequest | RefreshScheduleRequest;

/** Exactly what a claim returns of a row, before parsing. */
export interface ClaimedRow {
  requestId: string;
  mapref: string | null;
  requestType: string | null;
  payload: string | null;
  attempts: number;
  prcid: number | null;
  stopRequested: string;
}
