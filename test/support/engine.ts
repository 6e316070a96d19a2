import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import type { ExecutionContext, StopCause } from '../../src/engine/execution.js';
import type { FlowRegistry } from '../../src/engine/loadFlows.js';
import { parseRequest } from '../../src/queue/parseRequest.js';
import type { HistoryRequest, ImmediateRequest } from '../../src/queue/request.js';
import type { DatabaseUnderTest } from './database.js';

/** The claimant a worker would be: the engine's DWPRCREQ writes are guarded by it. */
export const CLAIMANT = 'test-host:1:slot0';

let sequence = 0;

/**
 * Inserts a DWPRCREQ row as a worker leaves it after claiming (CLAIMED by CLAIMANT) and returns
 * it parsed, exactly what the worker hands the engine.
 */
export async function claimRequest<T extends 'IMMEDIATE' | 'HISTORY'>(
  t: DatabaseUnderTest,
  type: T,
  mapref: string,
  payload: Record<string, unknown> = {},
  requestId = `req-${process.pid}-${++sequence}`,
): Promise<T extends 'IMMEDIATE' ? ImmediateRequest : HistoryRequest> {
  // The worker ends every request it ran before it can claim another one of the same MAPREF
  // (the database allows one running per MAPREF); tests drive the engine alone, so do it here.
  await t.dialect.db.updateTable('dwprcreq').set({ status: 'DONE' }).where('mapref', '=', mapref).where('status', '=', 'CLAIMED').execute();
  await t.dialect.db
    .insertInto('dwprcreq')
    .values({ requestId, mapref, requestType: type, payload: JSON.stringify(payload), status: 'CLAIMED', claimedBy: CLAIMANT, claimedAt: t.dialect.utcNow(), attempts: 1 })
    .execute();
  return parsed(t, requestId) as never;
}

/** What a worker does before handing a FAILED/CANCELLED request back to the engine: claim it again. */
export async function reclaim<R extends ImmediateRequest | HistoryRequest>(t: DatabaseUnderTest, request: R): Promise<R> {
  await t.dialect.db
    .updateTable('dwprcreq')
    .set((eb) => ({ status: 'CLAIMED', claimedBy: CLAIMANT, attempts: eb('attempts', '+', 1), prcid: null }))
    .where('requestId', '=', request.requestId)
    .execute();
  return parsed(t, request.requestId) as Promise<R>;
}

async function parsed(t: DatabaseUnderTest, requestId: string) {
  const row = await t.dialect.db
    .selectFrom('dwprcreq')
    .select(['requestId', 'mapref', 'requestType', 'payload', 'attempts', 'prcid', 'stopRequested'])
    .where('requestId', '=', requestId)
    .executeTakeFirstOrThrow();
  const result = parseRequest(row);
  if (!result.ok) throw new Error(result.reason);
  return result.request;
}

export interface Harness {
  context: ExecutionContext;
  stop(cause?: StopCause): void;
  kill(cause?: StopCause): void;
}

export function harness(t: DatabaseUnderTest, options: { flowsDir?: string; flows?: FlowRegistry; timeZone?: string } = {}): Harness {
  const stop = new AbortController();
  const kill = new AbortController();
  const config = {
    ...loadConfig({ DWPRC_DATABASE_URL: t.url, DWPRC_TIMEZONE: options.timeZone ?? 'UTC' }),
    flowsDir: options.flowsDir ?? null,
  };
  return {
    context: {
      dialect: t.dialect,
      config,
      log: pino({ level: process.env.DWPRC_TEST_LOG ?? 'silent' }),
      claimedBy: CLAIMANT,
      control: { stop: stop.signal, kill: kill.signal },
      ...(options.flows ? { flows: options.flows } : {}),
    },
    stop: (cause = { kind: 'stop-request', force: false, stopRequestId: 'STOP-G' }) => stop.abort(cause),
    kill: (cause = { kind: 'stop-request', force: true, stopRequestId: 'STOP-F' }) => {
      stop.abort(cause);
      kill.abort(cause);
    },
  };
}

/**
 * A DWLOGIC block written the way generated job code is: it reads its own IP row (MAPREF +
 * SESSIONID + IP; INTO STRICT fails unless there is exactly one) into v_prcid, v_sessionid,
 * v_jobid and v_param1, then runs `body`.
 */
export function dwlogic(mapref: string, body: string): string {
  return `DO $dwlogic$
DECLARE
  v_prcid      bigint;
  v_sessionid  numeric;
  v_jobid      bigint;
  v_param1     varchar(250);
  v_joblogid   bigint;
BEGIN
  SELECT prcid, sessionid, jobid, param1
    INTO STRICT v_prcid, v_sessionid, v_jobid, v_param1
    FROM dwprclog
   WHERE mapref = '${mapref}' AND sessionid = pg_backend_pid() AND status = 'IP';
${body}
END
$dwlogic$`;
}

let flowIds = 1000;

/** Makes `text` the current active DWJOBFLW row of `mapref` (retiring the previous one). */
export async function setFlow(t: DatabaseUnderTest, mapref: string, text: string, jobid = 77): Promise<number> {
  const jobflwid = ++flowIds;
  await t.dialect.db.updateTable('dwjobflw').set({ curflg: 'N' }).where('mapref', '=', mapref).execute();
  await t.dialect.db
    .insertInto('dwjobflw')
    .values({ jobflwid, jobid, mapref, dwlogic: text, stflg: 'A', curflg: 'Y', trgtbtyp: 'FCT', recrdt: t.dialect.localNow(), recupdt: t.dialect.localNow() })
    .execute();
  return jobflwid;
}

export function runsOf(t: DatabaseUnderTest, mapref: string) {
  return t.dialect.db.selectFrom('dwprclog').selectAll().where('mapref', '=', mapref).orderBy('prcid').execute();
}

export function errorsOf(t: DatabaseUnderTest, prcid: number) {
  return t.dialect.db.selectFrom('dwjoberr').selectAll().where('prcid', '=', prcid).orderBy('errid').execute();
}
