import type { DateTime } from 'luxon';
import { dayRuns, DAY_RUNS_LIMIT } from '../../observe/dayRuns.js';
import { occurrences, parseSchedule } from '../../schedule/index.js';
import { databaseNow } from '../../scheduler/databaseNow.js';
import { listSchedules } from '../../scheduler/listSchedules.js';
import { viewFields, type ScheduleView } from '../../scheduler/scheduleView.js';
import { businessDay, businessText, instantToWall, wallTextToInstant } from '../clock.js';
import type { ConsoleContext, Page } from '../context.js';
import { html, maprefHref, statusClass } from '../html.js';
import { layoutTimeline, LABEL_WIDTH, ROW_HEIGHT, type TimelineOccurrence, type TimelineRun } from '../timelineLayout.js';
import { runTip } from './runText.js';

/** At most this many marks per row (about one per 4 px); denser schedules show every k-th occurrence. */
const MARKS_PER_ROW = 240;
/** A day of an every-minute schedule, with room for a 25-hour day. */
const OCCURRENCES_READ = 1500;

/** Every k-th item, the first always kept, so that at most `max` remain; k is returned for the tip. */
export function thinned<T>(items: readonly T[], max: number): { kept: T[]; every: number } {
  const every = Math.max(1, Math.ceil(items.length / max));
  return { kept: items.filter((_, i) => i % every === 0), every };
}

/**
 * The occurrences still to come in the window of every enabled schedule that fires on its own
 * (a child fires after its parent, not by the clock). Past ones are not drawn: the runs are
 * there as bars, and an occurrence before the schedule was enabled never fired.
 */
function pendingOccurrences(schedules: readonly ScheduleView[], zone: string, start: DateTime, end: DateTime, now: DateTime): TimelineOccurrence[] {
  const result: TimelineOccurrence[] = [];
  const from = now > start ? now.plus({ milliseconds: 1 }) : start;
  for (const schedule of schedules) {
    if (!schedule.enabled || schedule.parent) continue;
    const parsed = parseSchedule(viewFields(schedule), { zone });
    if (!parsed.ok) continue;
    const pending: DateTime[] = [];
    for (const at of occurrences(parsed.rule, from)) {
      if (at >= end || pending.length >= OCCURRENCES_READ) break;
      pending.push(at);
    }
    const { kept, every } = thinned(pending, MARKS_PER_ROW);
    const density = every > 1 ? ` (one mark per ${every} occurrences)` : '';
    for (const at of kept) {
      result.push({ mapref: schedule.mapref, atMs: at.toMillis(), tip: `${schedule.mapref}: scheduled ${at.setZone(zone).toFormat('yyyy-MM-dd HH:mm')}, not yet run (JOBSCHID ${schedule.jobschid})${density}` });
    }
  }
  return result;
}

/** `from`/`to` hours of the day (0–24) zoom in; anything else is the whole day. */
export function hourWindow(start: DateTime, end: DateTime, from: string | undefined, to: string | undefined): { start: DateTime; end: DateTime; zoomed: boolean } {
  const hour = (text: string | undefined, fallback: number) => (text !== undefined && /^\d{1,2}$/.test(text) && Number(text) <= 24 ? Number(text) : fallback);
  const a = hour(from, 0);
  const b = hour(to, 24);
  if (a >= b || (a === 0 && b === 24)) return { start, end, zoomed: false };
  const clamp = (dt: DateTime) => (dt > end ? end : dt);
  return { start: clamp(start.plus({ hours: a })), end: clamp(start.plus({ hours: b })), zoomed: true };
}

const shortLabel = (mapref: string) => (mapref.length > 26 ? `${mapref.slice(0, 25)}…` : mapref);

/** One row per MAPREF, a bar per DWPRCLOG run over one business day, the schedule's occurrences marked. */
export async function timelinePage(ctx: ConsoleContext, query: { day?: string; from?: string; to?: string }): Promise<Page> {
  const { clock, dialect } = ctx;
  const now = await databaseNow(dialect);
  const whole = businessDay(clock, query.day, now);
  const { day } = whole;
  const { start, end, zoomed } = hourWindow(whole.start, whole.end, query.from, query.to);
  const [runs, { schedules }] = await Promise.all([
    dayRuns(dialect.db, instantToWall(clock, start), instantToWall(clock, end)),
    listSchedules(dialect, clock.businessZone),
  ]);
  const timelineRuns: TimelineRun[] = runs.map((run) => ({
    prcid: run.prcid,
    mapref: run.mapref ?? '(no MAPREF)',
    status: run.status,
    startMs: wallTextToInstant(clock, run.start!).toMillis(),
    endMs: run.end ? wallTextToInstant(clock, run.end).toMillis() : null,
    tip: runTip(clock, run),
  }));
  const ticks = [];
  const step = end.diff(start, 'hours').hours <= 4 ? { minutes: 15 } : { hours: 1 };
  for (let t = start; t < end; t = t.plus(step)) ticks.push({ atMs: t.toMillis(), label: t.toFormat(zoomed ? 'HH:mm' : 'HH') });
  const layout = layoutTimeline({
    startMs: start.toMillis(), endMs: end.toMillis(), nowMs: now.toMillis(),
    runs: timelineRuns, occurrences: pendingOccurrences(schedules, clock.businessZone, start, end, now), ticks,
  });
  const prev = whole.start.minus({ days: 1 }).toISODate();
  const next = whole.start.plus({ days: 1 }).toISODate();
  const nowHour = now.setZone(clock.businessZone).hour;
  const isToday = now >= whole.start && now < whole.end;
  const svg = html`<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="runs of ${day}">
${layout.ticks.map((t) => html`<line class="grid" x1="${t.x}" x2="${t.x}" y1="16" y2="${layout.height}"/><text class="axis" x="${t.x + 2}" y="13">${t.label}</text>`)}
${layout.rows.map((r) => html`<g class="row" data-mapref="${r.mapref}"><rect class="band" x="0" y="${r.y}" width="${layout.width}" height="${ROW_HEIGHT}"/><a href="${maprefHref(r.mapref)}"><text x="6" y="${r.y + 16}">${shortLabel(r.mapref)}</text></a></g>`)}
${layout.nowX === null ? '' : html`<line class="now" x1="${layout.nowX}" x2="${layout.nowX}" y1="16" y2="${layout.height}"/>`}
${layout.marks.map((m) => html`<circle class="scheduled" cx="${m.x.toFixed(1)}" cy="${m.y}" r="${m.r.toFixed(1)}" data-mapref="${m.mapref}" data-tip="${m.tip}"/>`)}
${layout.bars.map((b) => html`<a href="${maprefHref(b.mapref)}"><rect class="bar ${statusClass(b.status)}" x="${b.x.toFixed(1)}" y="${b.y}" width="${b.width.toFixed(1)}" height="${ROW_HEIGHT - 8}" rx="2" data-prcid="${b.prcid}" data-mapref="${b.mapref}" data-status="${b.status}" data-tip="${b.tip}"/></a>`)}
<line class="grid" x1="${LABEL_WIDTH}" x2="${LABEL_WIDTH}" y1="0" y2="${layout.height}"/>
</svg>`;
  return {
    title: `Timeline ${day}`,
    body: html`<h1>Timeline of ${day}</h1>
<form class="day" method="get" action="/timeline">
<a href="/timeline?day=${prev}">← ${prev}</a>
<input type="date" name="day" value="${day}" aria-label="day"> <button type="submit">Show</button>
<a href="/timeline?day=${next}">${next} →</a> <a href="/timeline">today</a>
<span class="muted">zoom:</span> <a href="/timeline?day=${day}">whole day</a>${isToday ? html` <a href="/timeline?day=${day}&amp;from=${Math.max(0, nowHour - 2)}&amp;to=${Math.min(24, nowHour + 1)}">last hours</a>` : ''}
</form>
<p class="legend"><span><i class="st-PC"></i>PC completed</span><span><i class="st-FL"></i>FL failed</span><span><i class="st-ST"></i>ST stopped</span><span><i class="st-IP"></i>IP running</span><span><i class="scheduled"></i>scheduled, not yet run</span></p>
${layout.rows.length === 0 ? html`<p class="empty">no runs and no scheduled occurrences on ${day}</p>` : svg}
<p class="muted">${runs.length} run(s) ${zoomed ? 'in' : 'on'} ${day}${zoomed ? ` ${start.toFormat('HH:mm')}–${end.toFormat('HH:mm')}` : ''} (${clock.businessZone}, ${businessText(clock, start)} to ${businessText(clock, end)})${runs.length >= DAY_RUNS_LIMIT ? html` <span class="warn">— only the first ${DAY_RUNS_LIMIT} are drawn</span>` : ''}. Hover a bar for the run, click it for its MAPREF.</p>`,
  };
}
