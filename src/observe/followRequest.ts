import type { Dialect } from '../db/dialects/dialect.js';
import { UserError } from '../errors.js';
import { daysBetween } from '../engine/historyDays.js';
import { parseProgress } from '../engine/historyProgress.js';
import { isExclusiveType } from '../queue/pickClaimable.js';
import { readRequest, type RequestRow } from '../queue/readRequest.js';
import { readResult } from '../queue/result.js';
import { estimateRunning } from './runEstimates.js';

export const FINAL_STATUSES = ['DONE', 'FAILED', 'CANCELLED'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

export const isFinal = (status: string): status is FinalStatus => (FINAL_STATUSES as readonly string[]).includes(status);

/** Where a HISTORY request has got: day k of n, k being the day running now (or the last one, once done). */
export interface HistoryPosition {
  day: string;
  k: number;
  n: number;
}

/** A request as a waiter sees it at one moment. */
export interface RequestSnapshot {
  requestId: string;
  mapref: string;
  requestType: string;
  status: string;
  attempts: number;
  claimedBy: string | null;
  prcid: number | null;
  requestedAt: Date;
  claimedAt: Date | null;
  completedAt: Date | null;
  stopRequested: string;
  result: { status: string | null; message: string | null };
  /** RESULT_PAYLOAD as JSON when it is JSON (what `--json` prints), else null. */
  resultPayload: unknown;
  history: HistoryPosition | null;
  /** While running: DWPRCLOG.STRTDT (else the claim), the database's local clock. */
  startedAt: Date | null;
  /** The median of the MAPREF's recent PC runs, when there are any. */
  expectedSeconds: number | null;
}

function jsonOrNull(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function historyPosition(progressText: string | null): HistoryPosition | null {
  const progress = parseProgress(progressText);
  if (!progress) return null;
  const days = daysBetween(progress.from, progress.to);
  if (days.length === 0) return null;
  const done = progress.done === null ? 0 : days.indexOf(progress.done) + 1;
  const k = Math.min(days.length, done + 1);
  return { day: days[k - 1]!, k, n: days.length };
}

async function snapshotOf(dialect: Dialect, row: RequestRow): Promise<RequestSnapshot> {
  let startedAt: Date | null = null;
  let expectedSeconds: number | null = null;
  if (row.status === 'CLAIMED' && isExclusiveType(row.requestType)) {
    const local = await dialect.selectValue(dialect.localNow());
    const estimate = (await estimateRunning(dialect.db, [row], local)).get(row.requestId);
    startedAt = estimate?.startedAt ?? null;
    expectedSeconds = estimate?.estimate?.expectedSeconds ?? null;
  }
  return {
    requestId: row.requestId,
    mapref: row.mapref,
    requestType: row.requestType,
    status: row.status,
    attempts: Number(row.attempts),
    claimedBy: row.claimedBy,
    prcid: row.prcid === null ? null : Number(row.prcid),
    requestedAt: row.requestedAt,
    claimedAt: row.claimedAt,
    completedAt: row.completedAt,
    stopRequested: row.stopRequested,
    result: readResult(row.resultPayload),
    resultPayload: jsonOrNull(row.resultPayload),
    history: row.requestType === 'HISTORY' ? historyPosition(row.progress) : null,
    startedAt,
    expectedSeconds,
  };
}

/** What tells one snapshot from the next: a waiter reports a change of any of these. */
export function changeKey(s: RequestSnapshot): string {
  return [s.status, s.attempts, s.prcid, s.claimedBy, s.stopRequested, s.history?.day].join('|');
}

/** The id names no DWPRCREQ row. */
export class NoSuchRequest extends UserError {
  constructor(readonly requestId: string) {
    super(`no request ${requestId} in DWPRCREQ (dwprc status lists the queue)`);
  }
}

export interface FollowOptions {
  /** Aborting it ends the wait (Ctrl-C, --timeout); the request is untouched. */
  signal: AbortSignal;
  pollMs?: number;
  /** Called with the first snapshot and with every one whose changeKey differs. */
  onChange?: (snapshot: RequestSnapshot) => void;
}

/**
 * Follows one request until it reaches DONE, FAILED or CANCELLED (its final snapshot) or the
 * signal aborts (null). Polls the row by its primary key: the queue's wake-up channels announce
 * new requests and stops, not completions, and a completion NOTIFY would add a write to every
 * completing transaction for the sake of an occasional waiter.
 */
export async function followRequest(dialect: Dialect, requestId: string, options: FollowOptions): Promise<RequestSnapshot | null> {
  const pollMs = options.pollMs ?? 500;
  let lastKey: string | null = null;
  while (!options.signal.aborted) {
    const row = await readRequest(dialect.db, requestId);
    if (!row) throw new NoSuchRequest(requestId);
    const snapshot = await snapshotOf(dialect, row);
    const key = changeKey(snapshot);
    if (key !== lastKey) {
      lastKey = key;
      options.onChange?.(snapshot);
    }
    if (isFinal(snapshot.status)) return snapshot;
    await abortableDelay(pollMs, options.signal);
  }
  return null;
}

export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
