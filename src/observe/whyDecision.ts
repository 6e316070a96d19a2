import { DateTime } from 'luxon';
import { durationText } from './durationText.js';

/**
 * `dwprc why MAPREF`: the facts gathered from the database (src/observe/why.ts) and, here, the
 * pure decision: one answer, chosen by a fixed order of precedence, and the evidence behind it.
 *
 * Two clocks, as stored: dwprc's timing columns (RUN_AFTER, LEASE_EXPIRES_AT, NXT_RUN_DT,
 * LST_RUN_DT, heartbeats) are UTC instants and are shown in the business zone with their offset;
 * request and log times (REQUESTED_AT, CLAIMED_AT, COMPLETED_AT, DWPRCLOG.STRTDT/ENDDT) are the
 * database's local wall clock and are shown as stored, `YYYY-MM-DD HH:MM:SS`, like `dwprc logs`.
 */

/** A DWPRCREQ row of the MAPREF (IMMEDIATE or HISTORY). */
export interface RequestFact {
  requestId: string;
  requestType: string;
  status: string;
  /** Database local wall time, `YYYY-MM-DD HH:MM:SS`. */
  requestedAt: string | null;
  claimedAt: string | null;
  completedAt: string | null;
  claimedBy: string | null;
  prcid: number | null;
  attempts: number;
  /** UTC instants. */
  runAfter: Date | null;
  leaseExpiresAt: Date | null;
  /** 'N', 'G' (graceful stop asked) or 'F' (forced). */
  stopRequested: string;
  /** RESULT_PAYLOAD's `status` and `message`. */
  resultStatus: string | null;
  resultMessage: string | null;
}

/** A DWPRCLOG row. */
export interface RunFact {
  prcid: number;
  status: string;
  /** Database local wall time, `YYYY-MM-DD HH:MM:SS`. */
  start: string | null;
  end: string | null;
  message: string | null;
}

export type FlowFact =
  | { kind: 'typescript'; file: string }
  /** `python`: DWLOGIC defining execute_job, run in a Python child. */
  | { kind: 'dwlogic'; jobflwid: number; python?: boolean }
  /** No flow, or one the engine refuses (empty, or Python without execute_job): the engine's own message. */
  | { kind: 'none'; reason: string };

export interface ScheduleFact {
  jobschid: number;
  /** `WK MON 09:30`, as `schedule list` shows it. */
  frequency: string;
  strtdt: string | null;
  enddt: string | null;
  enabled: boolean;
  /** The parent MAPREF of a dependency child. */
  parent: string | null;
  /** parseSchedule's message when the row breaks a rule. */
  invalid: string | null;
  /** Valid, but no occurrence is left at or after now (ENDDT passed). */
  ended: boolean;
  /** UTC instants. */
  nxtRunDt: Date | null;
  lstRunDt: Date | null;
  /** The misfire policy's last drop (DWJOBSCH.LST_SKIP_DT/LST_SKIP_CNT): the latest occurrence dropped and how many. */
  lastSkip: { at: Date; count: number } | null;
}

/** The newest firing of the current schedule (request id `S<JOBSCHID>-…`) and its payload. */
export interface FiringFact {
  requestId: string;
  scheduledFor: string | null;
  /** Missed occurrences this firing stood for (payload `skipped`), 0 when none. */
  skipped: number;
  misfire: string | null;
}

export interface ParentFact {
  mapref: string;
  lastRun: RunFact | null;
  running: RequestFact | null;
}

export interface WorkersFact {
  /** Workers with a DWPRCWRK heartbeat within `windowSeconds`. */
  live: number;
  slots: number;
  busy: number;
  windowSeconds: number;
}

export interface WhyFacts {
  mapref: string;
  /** The business zone UTC instants are shown in. */
  zone: string;
  nowUtc: Date;
  /** The database's local clock, as a Date carrying its wall fields in UTC (see schema.ts). */
  nowLocal: Date;
  flow: FlowFact;
  /** The CLAIMED IMMEDIATE/HISTORY request, if one runs. */
  running: RequestFact | null;
  /** The first few NEW IMMEDIATE/HISTORY requests, oldest first. */
  queued: RequestFact[];
  /** How many are NEW in all. */
  queuedCount: number;
  workers: WorkersFact;
  /** The newest DWPRCLOG row. */
  lastRun: RunFact | null;
  /** The newest finished (DONE/FAILED/CANCELLED) IMMEDIATE/HISTORY request. */
  lastRequest: RequestFact | null;
  schedule: ScheduleFact | null;
  parent: ParentFact | null;
  lastFiring: FiringFact | null;
}

export type WhyKind =
  | 'no-flow'
  | 'queued-behind'
  | 'running'
  | 'no-workers'
  | 'retry-pending'
  | 'queued'
  | 'schedule-disabled'
  | 'parent-failed'
  | 'failed'
  | 'stopped'
  | 'not-scheduled'
  | 'waiting-for-parent'
  | 'schedule-invalid'
  | 'schedule-ended'
  | 'schedule-pending'
  | 'misfire-skipped'
  | 'scheduled';

export interface WhyAnswer {
  kind: WhyKind;
  /** One line, without the MAPREF. */
  answer: string;
  /** What to do about it, when there is something to do. */
  hint: string | null;
}

type Rule = (f: WhyFacts) => WhyAnswer | null;

const answer = (kind: WhyKind, text: string, hint: string | null = null): WhyAnswer => ({ kind, answer: text, hint });

function wallDate(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

function inZone(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant).setZone(zone).toFormat('yyyy-MM-dd HH:mm:ss ZZ');
}

/** `in 3m 05s` / `12.0s ago` between two dates of one clock. */
function relative(target: Date, now: Date): string {
  const seconds = (target.getTime() - now.getTime()) / 1000;
  return seconds >= 0 ? `in ${durationText(seconds)}` : `${durationText(-seconds)} ago`;
}

/** A UTC instant in the business zone, with how far it is from now. */
function utcWhen(f: WhyFacts, instant: Date): string {
  return `${inZone(instant, f.zone)} (${relative(instant, f.nowUtc)})`;
}

/** A database-local wall time as stored, with how far it is from now. */
function localWhen(f: WhyFacts, wall: string | null): string {
  return wall ? `${wall} (${relative(wallDate(wall), f.nowLocal)})` : 'an unknown time';
}

const withPrcid = (prcid: number | null) => (prcid === null ? '' : `, PRCID ${prcid}`);

function isDue(f: WhyFacts, request: RequestFact): boolean {
  return request.runAfter === null || request.runAfter.getTime() <= f.nowUtc.getTime();
}

function leaseExpired(f: WhyFacts, request: RequestFact): boolean {
  return request.leaseExpiresAt !== null && request.leaseExpiresAt.getTime() < f.nowUtc.getTime();
}

function describeRunning(f: WhyFacts, r: RequestFact): string {
  return `request ${r.requestId} (${r.requestType}) on worker ${r.claimedBy ?? '?'} since ${localWhen(f, r.claimedAt)}${withPrcid(r.prcid)}`;
}

function describeRun(f: WhyFacts, run: RunFact): string {
  const ended = run.end ? ` at ${localWhen(f, run.end)}` : run.start ? `, started ${localWhen(f, run.start)}` : '';
  return `PRCID ${run.prcid} ended ${run.status}${ended}${run.message ? `: ${run.message}` : ''}`;
}

const noWorkers = (f: WhyFacts) =>
  `no worker is alive (no DWPRCWRK heartbeat in the last ${durationText(f.workers.windowSeconds)})`;
const START_WORKER = 'start a worker (dwprc worker) against this database';

// ---- the rules, in order of precedence -------------------------------------------------

const noFlow: Rule = (f) =>
  f.flow.kind === 'none'
    ? answer('no-flow', `no flow to run: ${f.flow.reason}`, `register a TypeScript flow for ${f.mapref} in DWPRC_FLOWS_DIR or make a DWJOBFLW row current and active (CURFLG='Y', STFLG='A'); until then its requests fail`)
    : null;

const queuedBehind: Rule = (f) => {
  const waiting = f.queued[0];
  if (!f.running || !waiting) return null;
  return answer(
    'queued-behind',
    `request ${waiting.requestId} (queued since ${localWhen(f, waiting.requestedAt)}) waits behind the running ${describeRunning(f, f.running)}: one run per MAPREF at a time`,
  );
};

const running: Rule = (f) => {
  const r = f.running;
  if (!r) return null;
  const stop = r.stopRequested === 'F' ? '; a forced stop was requested' : r.stopRequested === 'G' ? '; a graceful stop was requested' : '';
  if (leaseExpired(f, r)) {
    return answer(
      'running',
      `running: ${describeRunning(f, r)}${stop}, but its lease expired at ${utcWhen(f, r.leaseExpiresAt!)}: that worker is gone`,
      f.workers.live ? 'a live worker reaps it at its next pass (the run ends FL, the request is retried or fails)' : `${noWorkers(f)} to reap it: ${START_WORKER}`,
    );
  }
  return answer('running', `running now: ${describeRunning(f, r)}${r.prcid === null ? ' (no DWPRCLOG row yet)' : ''}${stop}`);
};

const queuedNoWorkers: Rule = (f) => {
  const first = f.queued[0];
  if (!first || !isDue(f, first) || f.workers.live > 0) return null;
  return answer('no-workers', `request ${first.requestId} is queued since ${localWhen(f, first.requestedAt)} and due, but ${noWorkers(f)}`, START_WORKER);
};

const retryPending: Rule = (f) => {
  const first = f.queued[0];
  if (!first || isDue(f, first)) return null;
  const when = utcWhen(f, first.runAfter!);
  if (first.resultStatus === 'RETRYING' || first.attempts > 0) {
    const why = first.resultMessage ? `: ${first.resultMessage}` : '';
    return answer('retry-pending', `retry pending: request ${first.requestId} runs again not before ${when}; attempt ${first.attempts} ended${why}`);
  }
  return answer('retry-pending', `request ${first.requestId} is queued to run not before ${when} (RUN_AFTER)`);
};

const queued: Rule = (f) => {
  const first = f.queued[0];
  if (!first) return null;
  const { live, slots, busy } = f.workers;
  const capacity =
    busy >= slots
      ? `but all ${slots} slots of the ${live} live worker(s) are busy: it starts when one frees up`
      : `a worker should claim it within a poll (${live} live worker(s), ${busy} of ${slots} slots busy)`;
  return answer('queued', `request ${first.requestId} is queued since ${localWhen(f, first.requestedAt)} and due; ${capacity}`);
};

const scheduleDisabled: Rule = (f) =>
  f.schedule && !f.schedule.enabled
    ? answer('schedule-disabled', `its schedule is disabled (DWJOBSCH.SCHFLG not 'Y', JOBSCHID ${f.schedule.jobschid}): it does not fire`, `dwprc schedule enable ${f.mapref}`)
    : null;

/** The parent's last run failed or was stopped after this MAPREF last ran: so it did not run. */
const parentFailed: Rule = (f) => {
  const run = f.parent?.lastRun;
  if (!f.schedule?.parent || !f.parent || f.parent.running || !run || !['FL', 'ST'].includes(run.status)) return null;
  if (f.lastRun && f.lastRun.prcid > run.prcid) return null;
  const what = run.status === 'FL' ? 'failed' : 'was stopped';
  return answer(
    'parent-failed',
    `waiting for its parent ${f.parent.mapref}, whose last run ${what} (${describeRun(f, run)}), so ${f.mapref} did not run`,
    `it runs after the next successful run of ${f.parent.mapref}`,
  );
};

/** The newest outcome of its own: a finished request (its summary), else its newest DWPRCLOG row. */
function latestOutcome(f: WhyFacts): { request: RequestFact | null; run: RunFact | null } {
  const req = f.lastRequest;
  const run = f.lastRun;
  const runTime = run?.end ?? run?.start ?? null;
  if (req?.completedAt && (!run || !runTime || req.completedAt >= runTime)) {
    return { request: req, run: run && req.prcid === run.prcid ? run : null };
  }
  return { request: null, run };
}

const ownFailure: Rule = (f) => {
  const { request, run } = latestOutcome(f);
  const failed = request ? request.status === 'FAILED' : run?.status === 'FL';
  const stopped = request ? request.status === 'CANCELLED' : run?.status === 'ST';
  if (!failed && !stopped) return null;
  const runText = run ? describeRun(f, run) : null;
  // The request's message often repeats the run's MSG: said once.
  const reqMessage = request?.resultMessage && request.resultMessage !== run?.message ? `: ${request.resultMessage}` : '';
  const reqText = request ? `request ${request.requestId} ${request.status} at ${localWhen(f, request.completedAt)}${reqMessage}` : null;
  const detail = runText && reqText ? `${runText}; ${reqText}` : (runText ?? reqText!);
  if (failed) {
    return answer(
      'failed',
      `the last run failed: ${detail}; no retry is pending`,
      request ? `dwprc retry ${request.requestId} queues it again (or dwprc run ${f.mapref})` : `dwprc run ${f.mapref} queues a new run`,
    );
  }
  return answer('stopped', `the last run was stopped: ${detail}`);
};

const notScheduled: Rule = (f) =>
  f.schedule ? null : answer('not-scheduled', 'it has no current schedule (no DWJOBSCH row with CURFLG=\'Y\'): it runs only when requested', `dwprc run ${f.mapref}, or dwprc schedule set ${f.mapref} …`);

const waitingForParent: Rule = (f) => {
  if (!f.schedule?.parent) return null;
  const parent = f.parent;
  const state = parent?.running
    ? `${parent.mapref} is running now (request ${parent.running.requestId})`
    : parent?.lastRun
      ? `its last run: ${describeRun(f, parent.lastRun)}`
      : `${f.schedule.parent} has not run yet`;
  return answer('waiting-for-parent', `it runs after each successful run of its parent ${f.schedule.parent}, not on its own frequency; ${state}`);
};

const scheduleInvalid: Rule = (f) =>
  f.schedule?.invalid
    ? answer('schedule-invalid', `its schedule row (JOBSCHID ${f.schedule.jobschid}) is invalid and does not fire: ${f.schedule.invalid}`, `correct it: dwprc schedule set ${f.mapref} …`)
    : null;

const scheduleEnded: Rule = (f) =>
  f.schedule?.ended
    ? answer('schedule-ended', `its schedule has ended: no occurrence is left after its end date ${f.schedule.enddt ?? '?'} (JOBSCHID ${f.schedule.jobschid})`, `set a later end date: dwprc schedule set ${f.mapref} …`)
    : null;

/** Enabled and valid, but NXT_RUN_DT not computed yet: a worker's scheduler tick does that. */
const schedulePending: Rule = (f) => {
  if (!f.schedule || f.schedule.nxtRunDt) return null;
  if (f.workers.live === 0) return answer('no-workers', `its schedule is enabled, but its next run is not computed: ${noWorkers(f)} to tick the scheduler`, START_WORKER);
  return answer('schedule-pending', 'its schedule is enabled; its next run (NXT_RUN_DT) is computed at the next scheduler tick of a worker');
};

const scheduleOverdueNoWorkers: Rule = (f) => {
  const next = f.schedule?.nxtRunDt;
  if (!next || next.getTime() > f.nowUtc.getTime() || f.workers.live > 0) return null;
  return answer('no-workers', `its next run was due at ${utcWhen(f, next)}, but ${noWorkers(f)} to fire it`, START_WORKER);
};

const nextRun = (f: WhyFacts) => (f.schedule?.nxtRunDt ? `; next run at ${utcWhen(f, f.schedule.nxtRunDt)}` : '');

/** The latest thing the schedule did was to drop missed occurrences (the fleet was down). */
const misfireSkipped: Rule = (f) => {
  const s = f.schedule;
  if (!s) return null;
  if (s.lastSkip && (!s.lstRunDt || s.lastSkip.at.getTime() > s.lstRunDt.getTime())) {
    return answer(
      'misfire-skipped',
      `${s.lastSkip.count} missed occurrence(s), the latest at ${utcWhen(f, s.lastSkip.at)}, were not run: no worker was up then and the misfire policy (DWPRC_MISFIRE) dropped them${nextRun(f)}`,
      `dwprc run ${f.mapref} runs it now`,
    );
  }
  const firing = f.lastFiring;
  if (firing && firing.skipped > 0) {
    return answer(
      'misfire-skipped',
      `its last scheduled run (request ${firing.requestId}${firing.scheduledFor ? ` for ${firing.scheduledFor}` : ''}) stood in for ${firing.skipped} missed occurrence(s) that did not run (DWPRC_MISFIRE=${firing.misfire ?? '?'})${nextRun(f)}`,
    );
  }
  return null;
};

const scheduled: Rule = (f) => {
  const s = f.schedule!;
  const last = s.lstRunDt ? `; last fired ${utcWhen(f, s.lstRunDt)}` : '';
  return answer('scheduled', `scheduled (${s.frequency}): next run at ${utcWhen(f, s.nxtRunDt!)}${last}`);
};

/** The rules in order of precedence; the first that applies is the answer. */
const RULES: readonly Rule[] = [
  noFlow,
  queuedBehind,
  running,
  queuedNoWorkers,
  retryPending,
  queued,
  scheduleDisabled,
  parentFailed,
  ownFailure,
  notScheduled,
  waitingForParent,
  scheduleInvalid,
  scheduleEnded,
  schedulePending,
  scheduleOverdueNoWorkers,
  misfireSkipped,
  scheduled,
];

export function decideWhy(facts: WhyFacts): WhyAnswer {
  for (const rule of RULES) {
    const found = rule(facts);
    if (found) return found;
  }
  // `scheduled` applies whenever the rules before it do not: a schedule exists with a next run.
  throw new Error('unreachable: no rule applied');
}

/** Every fact, one line each, in a fixed order: what the answer rests on. */
export function whyEvidence(f: WhyFacts): string[] {
  const lines: string[] = [];
  lines.push(
    `flow: ${f.flow.kind === 'typescript' ? `TypeScript flow in ${f.flow.file}` : f.flow.kind === 'dwlogic' ? `${f.flow.python ? 'Python DWLOGIC (execute_job)' : 'DWLOGIC'} of JOBFLWID ${f.flow.jobflwid}` : `none (${f.flow.reason})`}`,
  );
  if (f.running) {
    const lease = f.running.leaseExpiresAt ? `, lease ${leaseExpired(f, f.running) ? 'expired' : 'until'} ${inZone(f.running.leaseExpiresAt, f.zone)}` : '';
    lines.push(`running: ${describeRunning(f, f.running)}, attempt ${f.running.attempts}${lease}`);
  } else {
    lines.push('running: nothing');
  }
  if (f.queued.length) {
    const shown = f.queued.map((q) => {
      const due = isDue(f, q) ? 'due' : `not before ${inZone(q.runAfter!, f.zone)}`;
      return `${q.requestId} (${q.requestType}, since ${q.requestedAt ?? '?'}, ${due}, ${q.attempts} attempt(s) so far)`;
    });
    lines.push(`queued: ${f.queuedCount} request(s): ${shown.join('; ')}${f.queuedCount > f.queued.length ? '; …' : ''}`);
  } else {
    lines.push('queued: nothing');
  }
  const w = f.workers;
  lines.push(w.live ? `workers: ${w.live} live, ${w.busy} of ${w.slots} slots busy` : `workers: ${noWorkers(f)}`);
  lines.push(`last run: ${f.lastRun ? describeRun(f, f.lastRun) : 'none in DWPRCLOG'}`);
  const r = f.lastRequest;
  lines.push(`last finished request: ${r ? `${r.requestId} (${r.requestType}) ${r.status} at ${r.completedAt ?? '?'}${r.resultMessage ? `: ${r.resultMessage}` : ''}` : 'none'}`);
  const s = f.schedule;
  if (s) {
    const parts = [
      `JOBSCHID ${s.jobschid}`,
      `${s.frequency} from ${s.strtdt ?? '?'}${s.enddt ? ` to ${s.enddt}` : ''}`,
      s.enabled ? 'enabled' : 'disabled',
      ...(s.parent ? [`after ${s.parent}`] : []),
      ...(s.invalid ? [`invalid: ${s.invalid}`] : []),
      ...(s.ended ? ['ended'] : []),
      `next run ${s.nxtRunDt ? inZone(s.nxtRunDt, f.zone) : 'none'}`,
      `last fired ${s.lstRunDt ? inZone(s.lstRunDt, f.zone) : 'never'}`,
    ];
    lines.push(`schedule: ${parts.join(', ')}`);
    if (s.lastSkip) lines.push(`misfire: ${s.lastSkip.count} occurrence(s) dropped, the latest at ${inZone(s.lastSkip.at, f.zone)}`);
  } else {
    lines.push('schedule: none');
  }
  if (f.parent) {
    const p = f.parent;
    lines.push(`parent ${p.mapref}: ${p.running ? `running request ${p.running.requestId}; ` : ''}last run ${p.lastRun ? describeRun(f, p.lastRun) : 'none'}`);
  }
  if (f.lastFiring) {
    const x = f.lastFiring;
    lines.push(`last firing: ${x.requestId}${x.scheduledFor ? ` for ${x.scheduledFor}` : ''}${x.skipped ? `, standing in for ${x.skipped} missed (${x.misfire ?? '?'})` : ''}`);
  }
  return lines;
}
