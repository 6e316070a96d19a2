import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { SchedulerSettings } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import { existingRequestIds, insertRequestStatement } from '../queue/enqueue.js';
import type { Logger } from '../observe/logger.js';
import { nextOccurrence, occurrenceAtOrAfter, occurrences, type FrequencyRule } from '../schedule/index.js';
import { databaseNow } from './databaseNow.js';
import { firingId } from './firingId.js';
import { initialiseSchedule, ownSchedules, parseRule, SCHEDULE_COLUMNS, schedulesToInitialise } from './initialiseSchedule.js';
import { planFirings } from './misfire.js';
import { signatureSql } from './scheduleFields.js';

export interface TickDeps {
  dialect: Dialect;
  settings: SchedulerSettings;
  /** The business time zone (IANA). */
  zone: string;
  log: Logger;
}

export interface TickResult {
  /** Schedules whose first (or recomputed) NXT_RUN_DT was written. */
  initialised: number;
  /** Request ids inserted by this tick. */
  fired: string[];
  /** Missed occurrences the misfire policy dropped. */
  skipped: number;
  /** Per schedule that dropped occurrences: for alerts and `why`. */
  misfires: { jobschid: number; mapref: string; skipped: number }[];
  /** How late the latest firing of this tick was enqueued after its occurrence; null if none fired. */
  lagMs: number | null;
}

/** Counting missed occurrences stops here: a minutely schedule down for three months. */
const MAX_DUE = 150_000;
const BATCH = 100;

/**
 * One scheduler pass; every worker runs it every DWPRC_TICK and no leader is needed: a due
 * schedule is locked with SKIP LOCKED, its requests inserted and NXT_RUN_DT advanced in one
 * transaction, and the firing ids are deterministic, so an occurrence is enqueued exactly once.
 */
export async function schedulerTick(deps: TickDeps): Promise<TickResult> {
  const now = await databaseNow(deps.dialect);
  await clearInactive(deps);
  const initialised = await initialise(deps, now);
  return { initialised, ...(await fireDue(deps, now)) };
}

/** Disabled schedules and dependency children have no next run of their own. */
async function clearInactive({ dialect }: TickDeps): Promise<void> {
  await clearInactiveStatement(dialect.db).execute();
}

/** The tick's statements, exported to pin their Oracle SQL. */
export function clearInactiveStatement(db: Kysely<Database>) {
  return db
    .updateTable('dwjobsch')
    .set({ nxtRunDt: null, nxtRunSig: null })
    .where('curflg', '=', 'Y')
    .where((eb) => eb.or([eb('schflg', 'is', null), eb('schflg', '<>', 'Y'), eb('dpndJobschid', 'is not', null)]))
    .where((eb) => eb.or([eb('nxtRunDt', 'is not', null), eb('nxtRunSig', 'is not', null)]));
}

/** Due schedules, oldest first, a batch; no lock here (each is locked on its own in fireOne). */
export function dueSchedulesQuery(db: Kysely<Database>, zone: string, now: DateTime) {
  return ownSchedules(db)
    .select('jobschid')
    .where('nxtRunDt', '<=', now.toJSDate())
    .where('nxtRunSig', '=', signatureSql(zone))
    .orderBy('nxtRunDt')
    .fetch(BATCH);
}

/** One due schedule locked for firing; another replica holding it is skipped (no FETCH FIRST with FOR UPDATE). */
export function lockDueScheduleQuery(db: Kysely<Database>, zone: string, jobschid: number, now: DateTime) {
  return db
    .selectFrom('dwjobsch')
    .select(SCHEDULE_COLUMNS)
    .where('jobschid', '=', jobschid)
    .where('curflg', '=', 'Y')
    .where('schflg', '=', 'Y')
    .where('nxtRunDt', '<=', now.toJSDate())
    .where('nxtRunSig', '=', signatureSql(zone))
    .forUpdate()
    .skipLocked();
}

export function clearNextRunStatement(db: Kysely<Database>, jobschid: number) {
  return db.updateTable('dwjobsch').set({ nxtRunDt: null }).where('jobschid', '=', jobschid);
}

export function advanceScheduleStatement(
  db: Kysely<Database>,
  jobschid: number,
  next: DateTime | null,
  lastFired: DateTime | null,
  skip: { last: DateTime; count: number } | null = null,
) {
  return db
    .updateTable('dwjobsch')
    .set({
      nxtRunDt: next ? next.toJSDate() : null,
      ...(lastFired ? { lstRunDt: lastFired.toJSDate() } : {}),
      // Under `skip` nothing else would record the drop: `dwprc why` reads it from here.
      ...(skip ? { lstSkipDt: skip.last.toJSDate(), lstSkipCnt: skip.count } : {}),
    })
    .where('jobschid', '=', jobschid);
}

/**
 * New, re-enabled or edited-in-place schedules (NXT_RUN_SIG missing or stale) get their first
 * occurrence at or after now, without firing; an invalid row written by hand gets a warning.
 */
async function initialise({ dialect, zone, log }: TickDeps, now: DateTime): Promise<number> {
  const rows = await schedulesToInitialise(dialect.db, zone).execute();
  for (const row of rows) {
    const { invalid } = await initialiseSchedule(dialect.db, row, zone, now);
    if (invalid) log.warn({ jobschid: row.jobschid, mapref: row.mapref, reason: invalid }, 'schedule is invalid; it will not fire');
  }
  return rows.length;
}

function dueOccurrences(rule: FrequencyRule, from: DateTime, now: DateTime): DateTime[] {
  const due: DateTime[] = [];
  for (const occurrence of occurrences(rule, from)) {
    if (occurrence > now || due.length >= MAX_DUE) break;
    due.push(occurrence);
  }
  return due;
}

async function fireDue(deps: TickDeps, now: DateTime): Promise<Omit<TickResult, 'initialised'>> {
  const { dialect, zone } = deps;
  const candidates = await dueSchedulesQuery(dialect.db, zone, now).execute();
  const total: Omit<TickResult, 'initialised'> = { fired: [], skipped: 0, misfires: [], lagMs: null };
  for (const { jobschid } of candidates) {
    const result = await fireOne(deps, jobschid, now);
    if (!result) continue;
    total.fired.push(...result.fired);
    total.skipped += result.skipped;
    if (result.skipped) total.misfires.push({ jobschid, mapref: result.mapref, skipped: result.skipped });
    if (result.lagMs !== null) total.lagMs = Math.max(total.lagMs ?? 0, result.lagMs);
  }
  return total;
}

interface Firing {
  mapref: string;
  fired: string[];
  skipped: number;
  lagMs: number | null;
}

async function fireOne({ dialect, settings, zone, log }: TickDeps, jobschid: number, now: DateTime): Promise<Firing | null> {
  return dialect.db.transaction().execute(async (trx) => {
    // Another replica holding this row is firing it: skip, it will be done there.
    const row = await lockDueScheduleQuery(trx, zone, jobschid, now).executeTakeFirst();
    if (!row || !row.nxtRunDt) return null;
    const rule = parseRule(row, zone);
    if (typeof rule === 'string') {
      await clearNextRunStatement(trx, jobschid).execute();
      return null;
    }
    const due = dueOccurrences(rule, DateTime.fromJSDate(row.nxtRunDt, { zone: rule.zone }), now);
    const plan = planFirings(due, now.toMillis(), settings.misfire, settings.misfireThresholdMs, settings.catchupMax);
    const ids = plan.fire.map((o) => firingId(jobschid, o));
    const existing = await existingRequestIds(trx, ids);
    const fresh = plan.fire.filter((_, i) => !existing.has(ids[i]!));
    for (const [i, occurrence] of fresh.entries()) {
      const payload = {
        source: 'schedule',
        jobschid,
        scheduled_for: occurrence.setZone(rule.zone).toISO(),
        ...(plan.skipped && i === fresh.length - 1 ? { skipped: plan.skipped, misfire: settings.misfire } : {}),
      };
      await insertRequestStatement(trx, dialect, { requestId: firingId(jobschid, occurrence), mapref: row.mapref, requestType: 'IMMEDIATE', payload: JSON.stringify(payload) }).execute();
    }
    const last = due.at(-1);
    const next = last ? nextOccurrence(rule, last) : occurrenceAtOrAfter(rule, now);
    const skip = plan.lastSkipped ? { last: plan.lastSkipped, count: plan.skipped } : null;
    await advanceScheduleStatement(trx, jobschid, next, plan.fire.at(-1) ?? null, skip).execute();
    if (plan.skipped) {
      log.warn({ jobschid, mapref: row.mapref, skipped: plan.skipped, policy: settings.misfire, fired: fresh.length }, 'missed schedule occurrences');
    }
    const latest = fresh.at(-1);
    return {
      mapref: row.mapref,
      fired: fresh.map((o) => firingId(jobschid, o)),
      skipped: plan.skipped,
      lagMs: latest ? now.toMillis() - latest.toMillis() : null,
    };
  });
}
