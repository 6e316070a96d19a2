import { DateTime } from 'luxon';
import { UserError } from '../errors.js';
import { describeFrequency, parseSchedule, type FrequencyRule, type ScheduleFields } from '../schedule/index.js';
import type { ScheduleView } from '../scheduler/scheduleView.js';

/** An instant in the zone, ISO 8601 with its offset, `+00:00` rather than `Z` in UTC too: `2027-03-28T02:00:00+01:00`. */
export function isoIn(instant: DateTime | Date, zone: string): string {
  const dt = instant instanceof Date ? DateTime.fromJSDate(instant) : instant;
  return dt.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}

/** `Sun 2027-03-28T02:00:00+01:00`: one line of `schedule next`. */
export function withWeekday(instant: DateTime, zone: string): string {
  return `${instant.setZone(zone).setLocale('en-GB').toFormat('ccc')} ${isoIn(instant, zone)}`;
}

/** The rule of these fields in `zone`, or the first rule they break as a UserError (COMPAT.md's message). */
export function ruleOf(fields: ScheduleFields, zone: string): FrequencyRule {
  const parsed = parseSchedule(fields, { zone });
  if (!parsed.ok) throw new UserError(parsed.message);
  return parsed.rule;
}


const local = (instant: Date | null, zone: string) => (instant ? isoIn(instant, zone) : null);
const short = (instant: Date | null, zone: string) => (instant ? DateTime.fromJSDate(instant).setZone(zone).toFormat('yyyy-MM-dd HH:mm ZZ') : null);

/** A schedule for --json: the stored fields, the UTC instants, and the same instants in the zone. */
export function scheduleRecord(view: ScheduleView, zone: string) {
  return { ...view, nextRun: local(view.nxtRunDt, zone), lastRun: local(view.lstRunDt, zone) };
}

/** A row of the `schedule list` table. */
export function scheduleRow(view: ScheduleView, zone: string) {
  return {
    mapref: view.mapref,
    jobschid: view.jobschid,
    frequency: describeFrequency(view),
    start: view.strtdt,
    end: view.enddt,
    enabled: view.enabled ? 'Y' : 'N',
    parent: view.parent,
    next_run: short(view.nxtRunDt, zone),
    last_run: short(view.lstRunDt, zone),
  };
}

/** One line on what a schedule will do now. */
export function scheduleSummary(view: ScheduleView, zone: string): string {
  const until = view.enddt ? ` to ${view.enddt}` : '';
  const after = view.parent ? `, after each successful run of ${view.parent}` : '';
  const rule = `${view.mapref}: JOBSCHID ${view.jobschid}, ${describeFrequency(view)} from ${view.strtdt}${until}${after}`;
  if (!view.enabled) return `${rule}; disabled (dwprc schedule enable ${view.mapref} lets it run)`;
  if (view.parent) return `${rule}; enabled`;
  if (!view.nxtRunDt) return `${rule}; enabled, no occurrence left`;
  return `${rule}; next run ${short(view.nxtRunDt, zone)} (${zone})`;
}
