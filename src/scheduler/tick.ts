import { DateTime } from 'luxon';
import type { SchedulerSettings } from '../config.js';
import type { Dialect } from '../db/dialects/dialect.js';
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
  await dialect.db
    .updateTable('dwjobsch')
    .set({ nxtRunDt: null, nxtRunSig: null })
    .where('curflg', '=', 'Y')
    .where((eb) => eb.or([eb('schflg', 'is', null), eb('schflg', '<>', 'Y'), eb('dpndJobschid', 'is not', null)]))
    .where((eb) => eb.or([eb('nxtRunDt', 'is not', null), eb('nxtRunSig', 'is not', null)]))
    .execute();
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
  const sig = signatureSql(zone);
  const candidates = await ownSchedules(dialect.db)
    .select('jobschid')
    .where('nxtRunDt', '<=', now.toJSDate())
    .where('nxtRunSig', '=', sig)
    .orderBy('nxtRunDt')
    .fetch(BATCH)
    .execute();
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
  const sig = signatureSql(zone);
  return dialect.db.transaction().execute(async (trx) => {
    // Another replica holding this row is firing it: skip, it will be done there.
    const row = await trx
      .selectFrom('dwjobsch')
      .select(SCHEDULE_COLUMNS)
      .where('jobschid', '=', jobschid)
      .where('curflg', '=', 'Y')
      .where('schflg', '=', 'Y')
      .where('nxtRunDt', '<=', now.toJSDate())
      .where('nxtRunSig', '=', sig)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!row || !row.nxtRunDt) return null;
    const rule = parseRule(row, zone);
    if (typeof rule === 'string') {
      await trx.updateTable('dwjobsch').set({ nxtRunDt: null }).where('jobschid', '=', jobschid).execute();
      return null;
    }
    const due = dueOccurrences(rule, DateTime.fromJSDate(row.nxtRunDt, { zone: rule.zone }), now);
    const plan = planFirings(due, now.toMillis(), settings.misfire, settings.misfireThresholdMs, settings.catchupMax);
    const ids = plan.fire.map((o) => firingId(jobschid, o));
    const existing = ids.length
      ? new Set((await trx.selectFrom('dwprcreq').select('requestId').where('requestId', 'in', ids).execute()).map((r) => r.requestId))
      : new Set<string>();
    const fresh = plan.fire.filter((_, i) => !existing.has(ids[i]!));
    for (const [i, occurrence] of fresh.entries()) {
      const payload = {
        source: 'schedule',
        jobschid,
        scheduled_for: occurrence.setZone(rule.zone).toISO(),
        ...(plan.skipped && i === fresh.length - 1 ? { skipped: plan.skipped, misfire: settings.misfire } : {}),
      };
      await trx
        .insertInto('dwprcreq')
        .values({ requestId: firingId(jobschid, occurrence), mapref: row.mapref, requestType: 'IMMEDIATE', payload: JSON.stringify(payload), requestedAt: dialect.localNow() })
        .execute();
    }
    const last = due.at(-1);
    const next = last ? nextOccurrence(rule, last) : occurrenceAtOrAfter(rule, now);
    await trx
      .updateTable('dwjobsch')
      .set({
        nxtRunDt: next ? next.toJSDate() : null,
        ...(plan.fire.length ? { lstRunDt: plan.fire.at(-1)!.toJSDate() } : {}),
        // Under `skip` nothing else would record the drop: `dwprc why` reads it from here.
        ...(plan.lastSkipped ? { lstSkipDt: plan.lastSkipped.toJSDate(), lstSkipCnt: plan.skipped } : {}),
      })
      .where('jobschid', '=', jobschid)
      .execute();
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
