import { sql, type Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { describeFrequency } from '../schedule/describeFrequency.js';
import type { Config } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import { listRuns, wallTime, type RunListing } from '../engine/listRuns.js';
import type { FlowRegistry } from '../engine/loadFlows.js';
import { resolveFlow } from '../engine/resolveFlow.js';
import { UserError } from '../errors.js';
import { EXCLUSIVE_TYPES } from '../queue/pickClaimable.js';
import { readResult } from '../queue/result.js';
import { occurrenceAtOrAfter, parseSchedule } from '../schedule/index.js';
import { resolveBusinessZone } from '../scheduler/businessZone.js';
import { readCurrentSchedule } from '../scheduler/readCurrentSchedule.js';
import { viewFields, type ScheduleView } from '../scheduler/scheduleView.js';
import { liveWorkers, liveWorkerWindowMs } from './liveWorkers.js';
import type { Logger } from './logger.js';
import {
  decideWhy,
  whyEvidence,
  type FiringFact,
  type FlowFact,
  type ParentFact,
  type RequestFact,
  type RunFact,
  type ScheduleFact,
  type WhyAnswer,
  type WhyFacts,
} from './whyDecision.js';

export interface WhyOptions {
  /** Where loading DWPRC_FLOWS_DIR reports skipped modules. */
  log: Logger;
  /** The TypeScript flows; default: loaded from config.flowsDir, as the worker does. */
  flows?: FlowRegistry;
}

export interface WhyReport extends WhyAnswer {
  mapref: string;
  evidence: string[];
  facts: WhyFacts;
}

/** Queued requests listed as evidence; the rest are counted. */
const QUEUED_SHOWN = 3;

const REQUEST_COLUMNS = [
  'requestId', 'requestType', 'status', 'requestedAt', 'claimedAt', 'completedAt', 'claimedBy', 'prcid',
  'attempts', 'runAfter', 'leaseExpiresAt', 'stopRequested', 'resultPayload',
] as const;

/**
 * A MAPREF's IMMEDIATE/HISTORY requests (the ones that run flows, one at a time), types matched
 * trimmed and case-insensitively as the worker parses them. Exported for the Oracle SQL pins.
 */
export function flowRequestsQuery(db: Kysely<Database>, mapref: string) {
  return db
    .selectFrom('dwprcreq')
    .select(REQUEST_COLUMNS)
    .where('mapref', '=', mapref)
    .where(sql`upper(trim(${sql.ref('requestType')}))`, 'in', [...EXCLUSIVE_TYPES]);
}

/** The newest finished flow request, by completion time. */
export function lastFinishedRequestQuery(db: Kysely<Database>, mapref: string) {
  return flowRequestsQuery(db, mapref)
    .where('status', 'in', ['DONE', 'FAILED', 'CANCELLED'])
    .where('completedAt', 'is not', null)
    .orderBy('completedAt', 'desc')
    .orderBy('requestId', 'desc')
    .fetch(1);
}

/** The newest firing of a schedule: its ids are `S<JOBSCHID>-<yyyyMMddHHmm>`, so the greatest id is the latest occurrence. */
export function lastFiringQuery(db: Kysely<Database>, mapref: string, jobschid: number) {
  return db
    .selectFrom('dwprcreq')
    .select(['requestId', 'payload'])
    .where('mapref', '=', mapref)
    .where('requestId', 'like', `S${jobschid}-%`)
    .orderBy('requestId', 'desc')
    .fetch(1);
}

type RequestRow = Awaited<ReturnType<ReturnType<typeof flowRequestsQuery>['execute']>>[number];

function requestFact(row: RequestRow): RequestFact {
  const result = readResult(row.resultPayload);
  return {
    requestId: row.requestId,
    requestType: row.requestType.trim().toUpperCase(),
    status: row.status,
    requestedAt: wallTime(row.requestedAt),
    claimedAt: wallTime(row.claimedAt),
    completedAt: wallTime(row.completedAt),
    claimedBy: row.claimedBy,
    prcid: row.prcid === null ? null : Number(row.prcid),
    attempts: Number(row.attempts),
    runAfter: row.runAfter,
    leaseExpiresAt: row.leaseExpiresAt,
    stopRequested: row.stopRequested,
    resultStatus: result.status,
    resultMessage: result.message,
  };
}

function runFact(run: RunListing | undefined): RunFact | null {
  return run ? { prcid: run.prcid, status: run.status, start: run.start, end: run.end, message: run.message } : null;
}

async function runningRequest(db: Kysely<Database>, mapref: string): Promise<RequestFact | null> {
  const row = await flowRequestsQuery(db, mapref).where('status', '=', 'CLAIMED').orderBy('claimedAt').fetch(1).executeTakeFirst();
  return row ? requestFact(row) : null;
}

async function queuedRequests(db: Kysely<Database>, mapref: string): Promise<{ queued: RequestFact[]; queuedCount: number }> {
  const rows = await flowRequestsQuery(db, mapref).where('status', '=', 'NEW').orderBy('requestedAt').orderBy('requestId').fetch(QUEUED_SHOWN).execute();
  if (rows.length < QUEUED_SHOWN) return { queued: rows.map(requestFact), queuedCount: rows.length };
  const { n } = await db
    .selectFrom('dwprcreq')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('mapref', '=', mapref)
    .where('status', '=', 'NEW')
    .where(sql`upper(trim(${sql.ref('requestType')}))`, 'in', [...EXCLUSIVE_TYPES])
    .executeTakeFirstOrThrow();
  return { queued: rows.map(requestFact), queuedCount: Number(n) };
}

async function flowFact(dialect: Dialect, config: Config, mapref: string, log: Logger, flows: FlowRegistry | undefined): Promise<FlowFact> {
  try {
    const flow = await resolveFlow(mapref, { dialect, config, log, ...(flows ? { flows } : {}) });
    if (flow.kind === 'typescript') return { kind: 'typescript', file: flow.file };
    return { kind: 'dwlogic', jobflwid: Number(flow.jobflwid), ...(flow.kind === 'python' ? { python: true } : {}) };
  } catch (error) {
    if (error instanceof UserError) return { kind: 'none', reason: error.message };
    throw error;
  }
}

async function scheduleFact(dialect: Dialect, view: ScheduleView, zone: string, now: Date): Promise<ScheduleFact> {
  const parsed = parseSchedule(viewFields(view), { zone });
  const skip = await dialect.db.selectFrom('dwjobsch').select(['lstSkipDt', 'lstSkipCnt']).where('jobschid', '=', view.jobschid).executeTakeFirst();
  return {
    jobschid: view.jobschid,
    frequency: describeFrequency(view),
    strtdt: view.strtdt,
    enddt: view.enddt,
    enabled: view.enabled,
    parent: view.parent,
    invalid: parsed.ok ? null : parsed.message,
    ended: parsed.ok && occurrenceAtOrAfter(parsed.rule, DateTime.fromJSDate(now, { zone: 'utc' })) === null,
    nxtRunDt: view.nxtRunDt,
    lstRunDt: view.lstRunDt,
    lastSkip: skip?.lstSkipDt ? { at: skip.lstSkipDt, count: Number(skip.lstSkipCnt ?? 0) } : null,
  };
}

function firingFact(row: { requestId: string; payload: string | null } | undefined): FiringFact | null {
  if (!row) return null;
  let payload: Record<string, unknown> = {};
  try {
    payload = (JSON.parse(row.payload ?? '{}') as Record<string, unknown> | null) ?? {};
  } catch {
    // A hand-written row: its id is all there is.
  }
  return {
    requestId: row.requestId,
    scheduledFor: typeof payload.scheduled_for === 'string' ? payload.scheduled_for : null,
    skipped: typeof payload.skipped === 'number' ? payload.skipped : 0,
    misfire: typeof payload.misfire === 'string' ? payload.misfire : null,
  };
}

async function parentFact(db: Kysely<Database>, parent: string): Promise<ParentFact> {
  const [runs, running] = await Promise.all([listRuns(db, parent, 1), runningRequest(db, parent)]);
  return { mapref: parent, lastRun: runFact(runs[0]), running };
}

/** Everything `why` looks at, read from the database (and the flow registry). */
export async function gatherWhyFacts(
  dialect: Dialect,
  config: Config,
  mapref: string,
  options: WhyOptions,
): Promise<WhyFacts> {
  const db = dialect.db;
  const [nowUtc, nowLocal, zone] = await Promise.all([
    dialect.selectValue(dialect.utcNow()),
    dialect.selectValue(dialect.localNow()),
    resolveBusinessZone(config, dialect),
  ]);
  const [flow, running, queued, workers, runs, lastRequest, view] = await Promise.all([
    flowFact(dialect, config, mapref, options.log, options.flows),
    runningRequest(db, mapref),
    queuedRequests(db, mapref),
    liveWorkers(dialect, config.worker.leaseMs),
    listRuns(db, mapref, 1),
    lastFinishedRequestQuery(db, mapref).executeTakeFirst(),
    readCurrentSchedule(dialect, mapref),
  ]);
  const [schedule, parent, lastFiring] = view
    ? await Promise.all([
        scheduleFact(dialect, view, zone, nowUtc),
        view.parent ? parentFact(db, view.parent) : null,
        lastFiringQuery(db, mapref, view.jobschid).executeTakeFirst().then(firingFact),
      ])
    : [null, null, null];
  return {
    mapref,
    zone,
    nowUtc,
    nowLocal,
    flow,
    running,
    ...queued,
    workers: {
      live: workers.length,
      slots: workers.reduce((n, w) => n + w.concurrency, 0),
      busy: workers.reduce((n, w) => n + w.running, 0),
      windowSeconds: liveWorkerWindowMs(config.worker.leaseMs) / 1000,
    },
    lastRun: runFact(runs[0]),
    lastRequest: lastRequest ? requestFact(lastRequest) : null,
    schedule,
    parent,
    lastFiring,
  };
}

/** `dwprc why MAPREF`: one answer, and the evidence it rests on. */
export async function whyMapref(dialect: Dialect, config: Config, mapref: string, options: WhyOptions): Promise<WhyReport> {
  const facts = await gatherWhyFacts(dialect, config, mapref, options);
  return { mapref, ...decideWhy(facts), evidence: whyEvidence(facts), facts };
}
