import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { SchedulerSettings } from '../config.js';
import type { Dialect, NewRequest, ScheduleAdvance } from '../db/dialects/dialect.js';
import type { Database } from '../db/schema.js';
import { existingRequestIds } from '../queue/enqueue.js';
import type { Logger } from '../observe/logger.js';
import { nextOccurrence, occurrenceAtOrAfter, occurrences, type FrequencyRule } from '../schedule/index.js';
import { databaseNow } from './databaseNow.js';
import { firingId } from './firingId.js';
import { initialiseSchedule, ownSchedules, parseRule, SCHEDULE_COLUMNS, schedulesToInitialise } from './initialiseSchedule.js';
import { type FiringPlan, planFirings } from './misfire.js';
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
  /**
   * How long from the end of this tick until the earliest own schedule falls due, by the
   * database clock; null when none is due later (none at all, or one still due now).
   */
  nextDueInMs: number | null;
}

/** Counting missed occurrences stops here: a minutely schedule down for three months. */
const MAX_DUE = 150_000;
const BATCH = 500;
/**
 * Schedules fired per transaction. A burst measured (bench, 500 due at once, 3 replicas): chunks
 * of 50 committed its last request 0.7 s after the occurrence, of 100 0.35–0.47 s, of 250 0.3 s;
 * the requests of the first chunk start running and take the CPU from the later ones. An id list
 * of 250 stays well inside Oracle's 1,000.
 */
const CHUNK = 250;
const NOTHING_TO_FIRE: FiringPlan = { fire: [], skipped: 0, lastSkipped: null };

/**
 * One scheduler pass; every worker runs it every DWPRC_TICK and no leader is needed: a due
 * schedule is locked with SKIP LOCKED, its requests inserted and NXT_RUN_DT advanced in one
 * transaction, and the firing ids are deterministic, so an occurrence is enqueued exactly once.
 */
export async function schedulerTick(deps: TickDeps): Promise<TickResult> {
  const now = await databaseNow(deps.dialect);
  const read = performance.now();
  await clearInactive(deps);
  const initialised = await initialise(deps, now);
  const fired = await fireDue(deps, now);
  const next = (await nextDueQuery(deps.dialect.db, deps.zone).executeTakeFirst())?.next ?? null;
  // Only a moment still ahead: one due now is held by another replica or cannot fire, and
  // waking for it at once would spin.
  const ahead = next === null ? 0 : next.getTime() - now.toMillis();
  return { initialised, ...fired, nextDueInMs: ahead > 0 ? ahead - (performance.now() - read) : null };
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

/** Due schedules, oldest first, a batch; no lock here (a chunk of them is locked by lockDueSchedules). */
export function dueSchedulesQuery(db: Kysely<Database>, zone: string, now: DateTime) {
  return ownSchedules(db)
    .select('jobschid')
    .where('nxtRunDt', '<=', now.toJSDate())
    .where('nxtRunSig', '=', signatureSql(zone))
    .orderBy('nxtRunDt')
    .fetch(BATCH);
}

/** The earliest NXT_RUN_DT of the own schedules computed under this zone: when a tick is next needed. */
export function nextDueQuery(db: Kysely<Database>, zone: string) {
  return ownSchedules(db)
    .select((eb) => eb.fn.min('nxtRunDt').as('next'))
    .where('nxtRunSig', '=', signatureSql(zone));
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

/**
 * Fires due schedules, a batch of candidates at a time, until a batch comes back short or fires
 * nothing (the rest is held by other replicas): a burst of due schedules is worked off within
 * one tick, not one batch per tick. Each replica shuffles its batch and fires it in chunks, each
 * chunk one transaction, so replicas ticking together mostly lock different rows.
 */
async function fireDue(deps: TickDeps, now: DateTime): Promise<Omit<TickResult, 'initialised' | 'nextDueInMs'>> {
  const { dialect, zone } = deps;
  const total: Omit<TickResult, 'initialised' | 'nextDueInMs'> = { fired: [], skipped: 0, misfires: [], lagMs: null };
  for (;;) {
    const candidates = await dueSchedulesQuery(dialect.db, zone, now).execute();
    const ids = shuffled(candidates.map((c) => c.jobschid));
    let firedInBatch = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const result of await fireChunk(deps, ids.slice(i, i + CHUNK), now)) {
        firedInBatch += 1;
        total.fired.push(...result.fired);
        total.skipped += result.skipped;
        if (result.skipped) total.misfires.push({ jobschid: result.jobschid, mapref: result.mapref, skipped: result.skipped });
        if (result.lagMs !== null) total.lagMs = Math.max(total.lagMs ?? 0, result.lagMs);
      }
    }
    if (candidates.length < BATCH || firedInBatch === 0) return total;
  }
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The candidates still due, locked; those another replica holds are skipped. An id list and no
 * row limit: on Oracle too the cursor locks exactly these rows. Exported for the SQL pins.
 */
export function lockDueSchedules(db: Kysely<Database>, zone: string, jobschids: readonly number[], now: DateTime) {
  return db
    .selectFrom('dwjobsch')
    .select(SCHEDULE_COLUMNS)
    .where('jobschid', 'in', [...jobschids])
    .where('curflg', '=', 'Y')
    .where('schflg', '=', 'Y')
    .where('nxtRunDt', '<=', now.toJSDate())
    .where('nxtRunSig', '=', signatureSql(zone))
    .forUpdate()
    .skipLocked();
}

interface Firing {
  jobschid: number;
  mapref: string;
  fired: string[];
  skipped: number;
  lagMs: number | null;
}

/**
 * One transaction for a chunk of candidates: locks those still due (SKIP LOCKED: another replica
 * holding one is firing it), inserts one IMMEDIATE request per occurrence to fire and advances
 * NXT_RUN_DT, each schedule exactly as if fired alone.
 */
async function fireChunk({ dialect, settings, zone, log }: TickDeps, jobschids: readonly number[], now: DateTime): Promise<Firing[]> {
  return dialect.db.transaction().execute(async (trx) => {
    const rows = await lockDueSchedules(trx, zone, jobschids, now).execute();
    const plans = rows.map((row) => {
      const rule = row.nxtRunDt ? parseRule(row, zone) : null;
      if (!rule || typeof rule === 'string') return { row, rule: null, due: [], plan: NOTHING_TO_FIRE };
      const due = dueOccurrences(rule, DateTime.fromJSDate(row.nxtRunDt!, { zone: rule.zone }), now);
      return { row, rule, due, plan: planFirings(due, now.toMillis(), settings.misfire, settings.misfireThresholdMs, settings.catchupMax) };
    });
    const ids = plans.flatMap(({ row, plan }) => plan.fire.map((o) => firingId(row.jobschid, o)));
    const existing = await existingRequestIds(trx, ids);
    const firings: Firing[] = [];
    const requests: NewRequest[] = [];
    const advances: ScheduleAdvance[] = [];
    for (const { row, rule, due, plan } of plans) {
      const { jobschid } = row;
      if (!rule) {
        advances.push({ jobschid, nxtRunDt: null, lstRunDt: null, skipped: null });
        continue;
      }
      const fresh = plan.fire.filter((o) => !existing.has(firingId(jobschid, o)));
      for (const [i, occurrence] of fresh.entries()) {
        const payload = {
          source: 'schedule',
          jobschid,
          scheduled_for: occurrence.setZone(rule.zone).toISO(),
          ...(plan.skipped && i === fresh.length - 1 ? { skipped: plan.skipped, misfire: settings.misfire } : {}),
        };
        requests.push({ requestId: firingId(jobschid, occurrence), mapref: row.mapref, requestType: 'IMMEDIATE', payload: JSON.stringify(payload) });
      }
      const last = due.at(-1);
      const next = last ? nextOccurrence(rule, last) : occurrenceAtOrAfter(rule, now);
      advances.push({
        jobschid,
        nxtRunDt: next ? next.toJSDate() : null,
        lstRunDt: plan.fire.length ? plan.fire.at(-1)!.toJSDate() : null,
        // Under `skip` nothing else would record the drop: `dwprc why` reads it from here.
        skipped: plan.lastSkipped ? { last: plan.lastSkipped.toJSDate(), count: plan.skipped } : null,
      });
      if (plan.skipped) {
        log.warn({ jobschid, mapref: row.mapref, skipped: plan.skipped, policy: settings.misfire, fired: fresh.length }, 'missed schedule occurrences');
      }
      const latest = fresh.at(-1);
      firings.push({
        jobschid,
        mapref: row.mapref,
        fired: fresh.map((o) => firingId(jobschid, o)),
        skipped: plan.skipped,
        lagMs: latest ? now.toMillis() - latest.toMillis() : null,
      });
    }
    await dialect.insertRequests(trx, requests);
    await dialect.advanceSchedules(trx, advances);
    return firings;
  });
}
